/**
 * A scan that looks only at what changed: while a process checkpoints a workspace again and again
 * (a Runner with `checkpointFiles` checkpoints at every stored message), it keeps change watches on
 * the workspace's directories (directory-watches.ts) and the state its last scan saw. The next scan
 * waits until every event queued so far has been read (watch-barrier.ts), then looks again (lstat,
 * and a hash when the file changed) only at the paths reported since, walking again a subtree where
 * a directory was created, removed or renamed; every other entry is the last scan's. A settled
 * 10,000-file workspace with three edited files is then a few lstats and three hashes, where a
 * stat scan must lstat all 10,000 (about 60 ms).
 *
 * Not every change reaches inotify, so some paths are looked at every time anyway: files with
 * more than one hard link (an edit through another name, maybe outside the workspace, is reported
 * only to that name's directory; a file that gains a link in the workspace triggers a full scan,
 * which finds its other names). What no watch can see is covered by a full scan at least every
 * FULL_SCAN_INTERVAL_MS: writes through a shared memory mapping (no event), changes made by another
 * machine on a network file system, and edits through a hard link made from outside the workspace
 * since the last full scan (linking a file from elsewhere reports nothing to its directory). Set SESSIONLOOM_CHECKPOINT_WATCH=off to scan in full
 * every time. The watches are Linux-only (elsewhere every scan is a full one).
 *
 * Everything else falls back to the full scan: the first scan of a workspace in a process, other
 * rules or another `.gitignore` than the last scan's, a root that is no longer the same directory,
 * watches that cannot be trusted (see DirectoryWatches), a barrier that timed out.
 */
import { statSync } from 'node:fs';
import type { SkippedFile } from '../types.js';
import { DirectoryWatches } from './directory-watches.js';
import { watchBarrier } from './watch-barrier.js';
import { absolutePath, parentOf } from './workspace-path.js';
import {
  byPath,
  inspectEntry,
  isExcluded,
  isPlainName,
  lstatIfPresent,
  MAX_SCANNED_PATH_LENGTH,
  scanWorkspace,
  TimeSlicer,
  walkDirectories,
  type ScanOptions,
  type ScanResult,
  type WalkHooks,
} from './workspace-scan.js';
import type { WorkspaceState } from './workspace-state.js';

/** The longest a process trusts its watches alone: then one full scan (about 100 ms on 10,000 files) catches what no event reports. */
export const FULL_SCAN_INTERVAL_MS = 60_000;
/** Workspaces watched at once; the least recently scanned loses its watches first. */
const MAX_WATCHED_WORKSPACES = 8;
/** Watches of a workspace not scanned for this long are closed. */
const IDLE_MS = 15 * 60_000;

interface Watched {
  watches: DirectoryWatches;
  /** The rules, `.gitignore` and excluded paths the state was scanned under. */
  rulesKey: string;
  /** The root's device and inode: another directory at the same path is another workspace. */
  identity: string;
  /** The last scan's result, kept up to date in place (callers get copies). */
  state: WorkspaceState;
  skipped: Map<string, SkippedFile>;
  /** Files with more than one hard link, looked at on every scan. */
  linked: Set<string>;
  /** The state last handed out, and where the kept state may differ from it: the next result's `changes` (a diff of only those). */
  returned: WorkspaceState;
  touched: Set<string>;
  touchedSubtrees: Set<string>;
  fullScanAt: number;
  usedAt: number;
}

/** After watches of a workspace failed to be set up, its scans are plain full ones for this long. */
const WATCH_RETRY_MS = 5 * 60_000;

const watched = new Map<string, Watched>();
const watchRetryAt = new Map<string, number>();
const busy = new Map<string, Promise<unknown>>();

/** What a scan used (for tests and the bench). */
export interface WatchedScanInfo {
  kind: 'full' | 'changes';
  /** Why a full scan was needed; undefined for a scan of the changes. */
  why?: string;
  /** Paths looked at again (for a scan of the changes). */
  looked?: number;
}
let lastScan: WatchedScanInfo = { kind: 'full', why: 'none yet' };
export const lastWatchedScan = (): WatchedScanInfo => lastScan;

/**
 * `scanWorkspace` with the same result, from the changes the watches reported when they can be
 * trusted. `options.rulesKey` must name everything the rules depend on; without it, a full scan.
 * Scans of one workspace run one at a time (they share its kept state).
 */
export async function scanWatched(root: string, options: ScanOptions): Promise<ScanResult> {
  if (!watchingEnabled() || options.rulesKey === undefined) return scanWorkspace(root, options);
  const previous = busy.get(root) ?? Promise.resolve();
  const run = previous.catch(() => {}).then(() => scanOnce(root, options, options.rulesKey!));
  busy.set(root, run);
  try {
    return await run;
  } finally {
    if (busy.get(root) === run) busy.delete(root);
  }
}

/** Closes every watch of the process (the next scan of each workspace is a full one, as in a new process). */
export function closeWorkspaceWatches(): void {
  for (const entry of watched.values()) entry.watches.close();
  watched.clear();
  watchRetryAt.clear();
}

/** For tests: the watches kept for a workspace (by its real path). */
export const watchesOf = (root: string): DirectoryWatches | undefined => watched.get(root)?.watches;

function watchingEnabled(): boolean {
  return process.platform === 'linux' && process.env['SESSIONLOOM_CHECKPOINT_WATCH'] !== 'off';
}

/** Closes the watches of workspaces idle for IDLE_MS; runs while any are kept, never keeping the process alive. */
let sweeper: NodeJS.Timeout | undefined;
function sweepIdleLater(): void {
  if (sweeper !== undefined) return;
  sweeper = setInterval(() => {
    const now = Date.now();
    for (const [root, entry] of watched) if (now - entry.usedAt > IDLE_MS && !busy.has(root)) forget(root);
    if (watched.size === 0) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  }, IDLE_MS / 3);
  sweeper.unref();
}

async function scanOnce(root: string, options: ScanOptions, rulesKey: string): Promise<ScanResult> {
  const now = Date.now();
  const identity = identityOf(root);
  const entry = watched.get(root);
  let why = 'the first scan of this workspace in this process';
  if (entry !== undefined) {
    if (entry.rulesKey !== rulesKey) why = 'other rules or another .gitignore';
    else if (entry.identity !== identity) why = 'another directory at the workspace path';
    else if (now - entry.fullScanAt >= FULL_SCAN_INTERVAL_MS) why = 'the periodic full scan';
    else if (!(await watchBarrier())) why = 'the watch barrier timed out';
    else {
      const taken = entry.watches.take();
      if (taken.trusted) {
        const changes = await scanChanges(root, entry, taken.dirty, options);
        if (changes !== undefined) return changes;
        why = 'a file gained another hard link (its other names must be found)';
      } else {
        why = taken.why;
      }
    }
  }
  return fullScan(root, options, rulesKey, identity, why);
}

async function fullScan(root: string, options: ScanOptions, rulesKey: string, identity: string, why: string): Promise<ScanResult> {
  forget(root);
  lastScan = { kind: 'full', why };
  const retryAt = watchRetryAt.get(root);
  if (retryAt !== undefined && Date.now() < retryAt) return scanWorkspace(root, options);
  watchRetryAt.delete(root);
  const watches = new DirectoryWatches();
  const linked = new Set<string>();
  const fullScanAt = Date.now();
  let result: ScanResult;
  try {
    result = await scanWorkspace(root, options, hooksFor(watches, linked));
  } catch (error) {
    watches.close();
    throw error;
  }
  if (!watches.trusted) {
    // Watches could not be set (the inotify watch limit, too many directories) or failed during the scan: plain scans for a while, not a failing attempt at every one.
    watches.close();
    watchRetryAt.set(root, Date.now() + WATCH_RETRY_MS);
    while (watchRetryAt.size > MAX_WATCHED_WORKSPACES) watchRetryAt.delete(watchRetryAt.keys().next().value!);
    return result;
  }
  const skipped = new Map(result.skipped.map((file) => [file.path, file]));
  const kept = { state: copyState(result.state), skipped, linked, returned: result.state, touched: new Set<string>(), touchedSubtrees: new Set<string>() };
  watched.set(root, { watches, rulesKey, identity, ...kept, fullScanAt, usedAt: fullScanAt });
  while (watched.size > MAX_WATCHED_WORKSPACES) forget(watched.keys().next().value!);
  sweepIdleLater();
  return result;
}

function hooksFor(watches: DirectoryWatches, linked: Set<string>): WalkHooks {
  return {
    beforeListing: (path, absolute) => watches.watch(path, absolute),
    entrySeen: (path, stats) => {
      if (stats.nlink > 1) linked.add(path);
    },
  };
}

/**
 * The kept state brought up to date by looking again at `dirty` (and the hard-linked files);
 * undefined when a full scan must follow.
 */
async function scanChanges(root: string, entry: Watched, dirty: Set<string>, options: ScanOptions): Promise<ScanResult | undefined> {
  watched.delete(root);
  watched.set(root, entry); // most recently used
  entry.usedAt = Date.now();
  const looker = new ChangeLooker(root, entry, options);
  try {
    const slicer = new TimeSlicer();
    for (const path of dirty) {
      if (slicer.due()) await slicer.yield();
      await looker.look(path, true);
    }
    for (const path of [...entry.linked]) {
      if (slicer.due()) await slicer.yield();
      if (!dirty.has(path)) await looker.look(path, false);
    }
  } catch (error) {
    forget(root); // the kept state is half updated
    throw error;
  }
  if (looker.newlyLinked) return undefined;
  lastScan = { kind: 'changes', looked: dirty.size + entry.linked.size };
  // A watch set on a new directory may have failed: this result is still exact (the walk did not depend on it), the next scan is a full one.
  const state = copyState(entry.state);
  const changes = { since: entry.returned, paths: entry.touched, subtrees: entry.touchedSubtrees };
  entry.returned = state;
  entry.touched = new Set();
  entry.touchedSubtrees = new Set();
  return { state, skipped: [...entry.skipped.values()].sort(byPath), hashedFiles: looker.hashedFiles, changes };
}

/** Looks again at single paths of a kept state. */
class ChangeLooker {
  hashedFiles = 0;
  /** A file now has several names (`ln` in the workspace): an edit through another may be reported only for that one, so the next scan finds them all. */
  newlyLinked = false;
  private readonly observedAt = Date.now();
  constructor(
    private readonly root: string,
    private readonly entry: Watched,
    private readonly options: ScanOptions,
  ) {}

  async look(path: string, reported: boolean): Promise<void> {
    const { state, skipped, linked } = this.entry;
    this.entry.touched.add(path);
    const parent = parentOf(path);
    // Inside a directory the state does not have (removed, ignored, or walked again below): nothing to record.
    if (parent !== '' && !state.directories.has(parent)) return this.removeUnder(path);
    const absolute = absolutePath(this.root, path);
    if (isExcluded(this.options, absolute)) return this.removeUnder(path);
    const stats = lstatIfPresent(absolute);
    const name = path.slice(parent === '' ? 0 : parent.length + 1);
    if (!isPlainName(name) || path.length > MAX_SCANNED_PATH_LENGTH) {
      this.removeUnder(path);
      if (stats !== undefined) skipped.set(path, { path, size: 0, reason: 'unsupported-name' });
      return;
    }
    if (state.directories.has(path) || stats?.isDirectory() === true) {
      // A directory created, removed, renamed or replaced: walk it again, watching what is there now.
      this.removeUnder(path);
      this.entry.watches.unwatchUnder(path);
      this.entry.touchedSubtrees.add(path);
    }
    if (stats?.isDirectory() === true) {
      if (this.options.rules.ignores(path, true)) return;
      state.directories.add(path);
      const walked: ScanResult = { state, skipped: [], hashedFiles: 0 };
      await walkDirectories(this.root, [{ path, absolute }], walked, this.options, hooksFor(this.entry.watches, linked));
      for (const file of walked.skipped) skipped.set(file.path, file);
      this.hashedFiles += walked.hashedFiles;
      return;
    }
    if (stats === undefined || this.options.rules.ignores(path, false)) return this.removeUnder(path);
    // Reported changed: hash it, whatever its size and times say (an edit may keep both).
    if (reported) this.options.index.forget(path);
    const inspected = inspectEntry(this.root, parent === '' ? this.root : absolutePath(this.root, parent), absolute, stats, this.options, this.observedAt, path);
    if (inspected === undefined) return this.removeUnder(path);
    if (inspected.hashed) this.hashedFiles += 1;
    state.files.set(path, inspected.entry);
    if (inspected.entry.kind === 'skipped') skipped.set(path, { path, size: inspected.entry.size, reason: inspected.entry.reason });
    else skipped.delete(path);
    if (stats.nlink > 1 && !linked.has(path)) this.newlyLinked = true;
    if (stats.nlink > 1) linked.add(path);
    else linked.delete(path);
  }

  /** Drops `path` and everything under it from the kept state. */
  private removeUnder(path: string): void {
    const { state, skipped, linked } = this.entry;
    state.files.delete(path);
    skipped.delete(path);
    linked.delete(path);
    if (!state.directories.delete(path)) return;
    this.entry.touchedSubtrees.add(path);
    const under = `${path}/`;
    for (const key of state.files.keys()) if (key.startsWith(under)) state.files.delete(key);
    for (const key of state.directories) if (key.startsWith(under)) state.directories.delete(key);
    for (const key of skipped.keys()) if (key.startsWith(under)) skipped.delete(key);
    for (const key of linked) if (key.startsWith(under)) linked.delete(key);
  }
}

function forget(root: string): void {
  watched.get(root)?.watches.close();
  watched.delete(root);
}

function identityOf(root: string): string {
  const stats = statSync(root, { bigint: true });
  return `${stats.dev}:${stats.ino}`;
}

function copyState(state: WorkspaceState): WorkspaceState {
  return { files: new Map(state.files), directories: new Set(state.directories) };
}
