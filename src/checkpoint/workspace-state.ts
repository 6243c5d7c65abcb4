/**
 * The state of a workspace as a checkpoint records it (every visible path and directory), and the
 * difference between two states. Checkpoints are stored as differences against an earlier
 * checkpoint on the same path (see manifest.ts), so a turn that changes three files of ten
 * thousand stores three entries, not ten thousand.
 */
import { sameContent, type FileEntry } from './file-entry.js';

export interface WorkspaceState {
  /** Workspace-relative path to what was there. A path absent from the map did not exist (or was ignored). */
  files: Map<string, FileEntry>;
  /** Every visible directory, the root excluded (so empty directories come back too). */
  directories: Set<string>;
}

export interface StateDelta {
  files: Map<string, FileEntry | 'absent'>;
  directories: Map<string, 'present' | 'absent'>;
}

export function emptyState(): WorkspaceState {
  return { files: new Map(), directories: new Set() };
}

export function emptyDelta(): StateDelta {
  return { files: new Map(), directories: new Map() };
}

/** What changed from `base` to `next`. A file whose content is the same (only its time moved) is not a change. */
export function diffStates(base: WorkspaceState, next: WorkspaceState): StateDelta {
  const delta = emptyDelta();
  for (const [path, entry] of next.files) {
    const before = base.files.get(path);
    // The same object: a watched scan (watched-scan.ts) carries unchanged entries over as they were.
    if (before !== entry && !sameContent(before, entry)) delta.files.set(path, entry);
  }
  for (const path of base.files.keys()) if (!next.files.has(path)) delta.files.set(path, 'absent');
  for (const directory of next.directories) if (!base.directories.has(directory)) delta.directories.set(directory, 'present');
  for (const directory of base.directories) if (!next.directories.has(directory)) delta.directories.set(directory, 'absent');
  return delta;
}

/** A full state as a delta against nothing. */
export function deltaOfState(state: WorkspaceState): StateDelta {
  return diffStates(emptyState(), state);
}

/** `base` with `delta` applied, as a new state (`base` is not changed). */
export function applyDelta(base: WorkspaceState, delta: StateDelta): WorkspaceState {
  return applyDeltaInPlace({ files: new Map(base.files), directories: new Set(base.directories) }, delta);
}

/** `delta` applied to `state` itself (for a chain of deltas: one copy for the whole chain, not one per link). */
export function applyDeltaInPlace(state: WorkspaceState, delta: StateDelta): WorkspaceState {
  const { files, directories } = state;
  for (const [path, entry] of delta.files) {
    if (entry === 'absent') files.delete(path);
    else files.set(path, entry);
  }
  for (const [directory, presence] of delta.directories) {
    if (presence === 'absent') directories.delete(directory);
    else directories.add(directory);
  }
  return { files, directories };
}

/** The content hashes a delta's file entries use (the blobs it needs), without repeats. */
export function blobHashesOf(delta: StateDelta): string[] {
  const hashes = new Set<string>();
  for (const entry of delta.files.values()) if (entry !== 'absent' && entry.kind === 'file') hashes.add(entry.hash);
  return [...hashes];
}
