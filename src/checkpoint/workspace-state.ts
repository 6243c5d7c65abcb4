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

/**
 * Where a state can differ from an earlier one (`since`), as a watched scan knows it
 * (watched-scan.ts): single paths, and subtrees walked again or removed. Everything else is the
 * same entry object in both.
 */
export interface StateChanges {
  since: WorkspaceState;
  paths: ReadonlySet<string>;
  subtrees: ReadonlySet<string>;
}

/**
 * What changed from `base` to `next`. A file whose content is the same (only its time moved) is not
 * a change. With `changes` since `base` itself, only the paths they name are compared (the same
 * delta, without a pass over every path of both states).
 */
export function diffStates(base: WorkspaceState, next: WorkspaceState, changes?: StateChanges): StateDelta {
  if (changes !== undefined && changes.since === base) return diffChanged(base, next, changes);
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

function diffChanged(base: WorkspaceState, next: WorkspaceState, changes: StateChanges): StateDelta {
  const delta = emptyDelta();
  const paths = new Set(changes.paths);
  for (const subtree of changes.subtrees) {
    const under = `${subtree}/`;
    for (const state of [base, next]) {
      for (const path of state.files.keys()) if (path.startsWith(under)) paths.add(path);
      for (const path of state.directories) if (path === subtree || path.startsWith(under)) paths.add(path);
    }
    paths.add(subtree);
  }
  for (const path of paths) {
    const before = base.files.get(path);
    const after = next.files.get(path);
    if (after !== undefined) {
      if (before !== after && !sameContent(before, after)) delta.files.set(path, after);
    } else if (before !== undefined) {
      delta.files.set(path, 'absent');
    }
    const wasDirectory = base.directories.has(path);
    if (wasDirectory !== next.directories.has(path)) delta.directories.set(path, wasDirectory ? 'absent' : 'present');
  }
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
