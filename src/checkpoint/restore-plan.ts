/**
 * What a restore must do to bring the workspace from its current state to a checkpoint's: which
 * files to write back (changed or deleted since), which to remove (created since), which
 * directories to create and which to remove once empty. Planning only reads, so a dry run is the
 * plan itself, and every problem it can find is found before anything is changed.
 *
 * A path is removed only when the checkpoint could have seen it and did not: a file its own ignore
 * rules hid (or one it skipped as too large) is never removed for being "absent" from it. Entries
 * are files, directories and symlinks that stay inside the workspace; a symlink leading out (a
 * hostile or damaged manifest) is an `InvalidArgumentError` here, before anything is written.
 */
import type { FileEntry } from './file-entry.js';
import { sameContent } from './file-entry.js';
import type { IgnoreRules } from './ignore-rules.js';
import { absolutePath, assertLinkStaysInside, parentOf, realDirectorySoFar } from './workspace-path.js';
import { inspectPath, isExcluded, type ScanOptions } from './workspace-scan.js';
import type { WorkspaceState } from './workspace-state.js';

export type RestorableEntry = Extract<FileEntry, { kind: 'file' | 'link' }>;

export interface RestorePlan {
  /** Files and symlinks to put back with the checkpoint's content, sorted by path. */
  writes: Array<{ path: string; entry: RestorableEntry }>;
  /** Paths created since the checkpoint, to remove; sorted. */
  deletes: string[];
  /** Directories the checkpoint had and the workspace lacks, parents first. */
  createDirectories: string[];
  /** Directories the checkpoint did not have, deepest first: removed when empty once the deletes are done. */
  removeDirectories: string[];
  /** Paths the checkpoint skipped (too large, unreadable): left as they are, since it does not have their content. */
  skipped: string[];
  /** What is at each written or deleted path now (undefined: nothing), for conflict checks. */
  current: Map<string, FileEntry | undefined>;
}

export async function planRestore(
  root: string,
  input: { current: WorkspaceState; target: WorkspaceState; targetRules: IgnoreRules; scanOptions: ScanOptions },
): Promise<RestorePlan> {
  const { current, target, targetRules } = input;
  const plan: RestorePlan = { writes: [], deletes: [], createDirectories: [], removeDirectories: [], skipped: [], current: new Map() };
  // The store's own files are never written or removed, whatever a checkpoint says (see store-files.ts).
  const excluded = (path: string) => isExcluded(input.scanOptions, absolutePath(root, path));
  for (const [path, entry] of target.files) {
    if (excluded(path)) continue;
    if (entry.kind === 'skipped') {
      plan.skipped.push(path);
      continue;
    }
    let now: FileEntry | undefined = current.files.get(path);
    if (now === undefined && !current.files.has(path)) {
      // Not seen by the current scan (its rules hide it, or it is a directory now): look at it alone.
      const found = inspectPath(root, path, input.scanOptions);
      now = found === 'directory' ? undefined : found;
    }
    if (sameContent(now, entry)) continue;
    // A manifest may come from anywhere (an import): a link leading out is refused before anything is written.
    if (entry.kind === 'link') assertLinkStaysInside(root, realDirectorySoFar(root, parentOf(path)), path, entry.target);
    plan.writes.push({ path, entry });
    plan.current.set(path, now);
  }
  for (const [path, entry] of current.files) {
    if (target.files.has(path) || targetRules.ignores(path, false)) continue;
    plan.deletes.push(path);
    plan.current.set(path, entry);
  }
  for (const directory of target.directories) if (!current.directories.has(directory) && !excluded(directory)) plan.createDirectories.push(directory);
  for (const directory of current.directories) {
    if (!target.directories.has(directory) && !targetRules.ignores(directory, true)) plan.removeDirectories.push(directory);
  }
  plan.writes.sort((left, right) => compare(left.path, right.path));
  plan.deletes.sort(compare);
  plan.skipped.sort(compare);
  plan.createDirectories.sort((left, right) => depth(left) - depth(right) || compare(left, right));
  plan.removeDirectories.sort((left, right) => depth(right) - depth(left) || compare(left, right));
  return plan;
}

/** True when the plan changes nothing. */
export function isEmptyPlan(plan: RestorePlan): boolean {
  return plan.writes.length === 0 && plan.deletes.length === 0 && plan.createDirectories.length === 0 && plan.removeDirectories.length === 0;
}

function depth(path: string): number {
  let count = 0;
  for (const character of path) if (character === '/') count += 1;
  return count;
}

function compare(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
