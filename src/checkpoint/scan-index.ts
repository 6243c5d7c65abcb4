/**
 * What the previous scan of a workspace saw, kept in memory per workspace so the next scan hashes
 * only files whose size or times changed. A file is trusted by its size and mtime only once its
 * mtime is older than the moment it was observed by more than the clock's granularity (git's
 * "racily clean" rule): a write within the same clock tick as the observation could otherwise
 * leave size and mtime unchanged and go unseen. Such recent files are simply hashed again.
 */
import type { WorkspaceState } from './workspace-state.js';

/** Wider than the coarsest file system clocks in common use (FAT: 2 s, ext3 and HFS+: 1 s). */
export const RACY_MARGIN_MS = 2_000;

/** How many workspaces keep an index at once (the least recently used goes first). */
const MAX_WORKSPACES = 16;
/** Reconstructed checkpoint states kept per workspace, so consecutive turns do not re-read their base chain. */
const MAX_STATES = 4;

export interface IndexEntry {
  size: number;
  mtimeMs: number;
  /** Compared when known: catches tools that put an old mtime back (`touch -d`, `cp -p`). Unknown for entries seeded from a manifest. */
  ctimeMs?: number;
  ino?: number;
  hash: string;
  /** When the entry was observed (a scan's start); the entry is trusted only if its mtime is well before. */
  observedAt: number;
}

export class ScanIndex {
  private readonly entries = new Map<string, IndexEntry>();
  private readonly states = new Map<string, WorkspaceState>();

  /** The hash recorded for a file whose stats still match and are old enough to trust, else undefined. */
  trustedHash(path: string, stats: { size: number; mtimeMs: number; ctimeMs: number; ino: number }): string | undefined {
    const entry = this.entries.get(path);
    if (!entry || !isTrusted(entry)) return undefined;
    if (entry.size !== stats.size || entry.mtimeMs !== stats.mtimeMs) return undefined;
    if (entry.ctimeMs !== undefined && entry.ctimeMs !== stats.ctimeMs) return undefined;
    if (entry.ino !== undefined && entry.ino !== stats.ino) return undefined;
    return entry.hash;
  }

  record(path: string, entry: IndexEntry): void {
    this.entries.set(path, entry);
  }

  forget(path: string): void {
    this.entries.delete(path);
  }

  /** True when nothing was recorded yet (a new process): the caller seeds from the base checkpoint. */
  get isEmpty(): boolean {
    return this.entries.size === 0;
  }

  /** Trusts the size and mtime a checkpoint recorded (it records them only when they were trustworthy). */
  seed(state: WorkspaceState): void {
    for (const [path, entry] of state.files) {
      if (entry.kind !== 'file' || entry.mtimeMs === undefined || this.entries.has(path)) continue;
      this.entries.set(path, { size: entry.size, mtimeMs: entry.mtimeMs, hash: entry.hash, observedAt: entry.mtimeMs + RACY_MARGIN_MS + 1 });
    }
  }

  /** A checkpoint's full state, if this process built it recently. States never change once written. */
  stateOf(messageId: string): WorkspaceState | undefined {
    return this.states.get(messageId);
  }

  rememberState(messageId: string, state: WorkspaceState): void {
    this.states.delete(messageId);
    this.states.set(messageId, state);
    while (this.states.size > MAX_STATES) this.states.delete(this.states.keys().next().value!);
  }
}

export function isTrusted(entry: { mtimeMs: number; observedAt: number }): boolean {
  return entry.observedAt - entry.mtimeMs > RACY_MARGIN_MS;
}

const indexes = new Map<string, ScanIndex>();

/** The index of a workspace (by its real path), created empty on first use. */
export function scanIndexFor(root: string): ScanIndex {
  let index = indexes.get(root);
  if (index) indexes.delete(root);
  else index = new ScanIndex();
  indexes.set(root, index);
  while (indexes.size > MAX_WORKSPACES) indexes.delete(indexes.keys().next().value!);
  return index;
}

/** Drops every workspace's index: the next scans hash everything again, as in a new process. */
export function resetScanIndexes(): void {
  indexes.clear();
}
