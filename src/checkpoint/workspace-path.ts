/**
 * Paths inside a workspace. Checkpoints name files by relative POSIX paths ("src/app.ts"). Every
 * path read from a manifest is checked here before it is joined to the root, and every directory a
 * restore writes into or deletes from is resolved with realpath and must lie inside the root's
 * realpath: neither `..`, an absolute path nor a symlink can lead a write or a delete outside the
 * workspace. The last component of a path is never followed (writes rename over it, deletes
 * move it), so a symlink at that place is replaced or moved, never written through.
 */
import { lstatSync, realpathSync } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { InvalidArgumentError } from '../errors.js';

/** Longer paths than this are refused: no file system takes them, and a manifest holding one is damaged or hostile. */
const MAX_PATH_LENGTH = 4096;

/** Why a name cannot be a manifest path, or undefined when it can. */
export function relativePathProblem(path: string): string | undefined {
  if (path.length === 0) return 'it is empty';
  if (path.length > MAX_PATH_LENGTH) return `it is longer than ${MAX_PATH_LENGTH} characters`;
  if (path.includes('\0')) return 'it contains a NUL character';
  // A backslash is a separator on Windows: refusing it keeps a manifest's meaning the same everywhere.
  if (path.includes('\\')) return 'it contains a backslash';
  if (path.startsWith('/')) return 'it is absolute';
  for (const segment of path.split('/')) {
    if (segment === '') return 'it has an empty segment';
    if (segment === '.' || segment === '..') return `it contains "${segment}"`;
  }
  return undefined;
}

/** Throws `InvalidArgumentError` unless `path` is a clean relative path inside the workspace. */
export function assertRelativePath(path: unknown, argument: string): asserts path is string {
  if (typeof path !== 'string') throw new InvalidArgumentError({ argument, message: 'expected a workspace-relative path.' });
  const problem = relativePathProblem(path);
  if (problem !== undefined) {
    throw new InvalidArgumentError({ argument, message: `${JSON.stringify(path.slice(0, 200))} is not a path inside the workspace: ${problem}.` });
  }
}

/** The workspace root as a real path (symlinks resolved), or `InvalidArgumentError` when it is not a directory. */
export async function resolveWorkspaceRoot(workspace: unknown): Promise<string> {
  if (typeof workspace !== 'string' || workspace.length === 0) {
    throw new InvalidArgumentError({ argument: 'workspace', message: 'expected the path of a directory.' });
  }
  let root: string;
  try {
    root = await realpath(workspace);
  } catch (error) {
    throw new InvalidArgumentError({ argument: 'workspace', message: `cannot open "${workspace}": ${(error as Error).message}`, cause: error });
  }
  if (!(await lstat(root)).isDirectory()) throw new InvalidArgumentError({ argument: 'workspace', message: `"${workspace}" is not a directory.` });
  if (root === '/') throw new InvalidArgumentError({ argument: 'workspace', message: 'the file system root cannot be a workspace.' });
  return root;
}

/** True when `candidate` (a real path) is `root` or lies under it. */
export function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** The absolute path of a checked relative path (nothing resolved: the caller checks directories with `assertRealDirectoryInside`). */
export function absolutePath(root: string, relative: string): string {
  assertRelativePath(relative, 'workspace path');
  return join(root, ...relative.split('/'));
}

/** The parent of a relative path ('' for a file at the root). */
export function parentOf(relative: string): string {
  const slash = relative.lastIndexOf('/');
  return slash < 0 ? '' : relative.slice(0, slash);
}

/**
 * Resolves an existing directory with realpath and refuses it unless it lies inside `root`: this is
 * where a symlink pointing out of the workspace is caught before anything is written through it.
 */
export async function assertRealDirectoryInside(root: string, relativeDirectory: string): Promise<string> {
  const absolute = relativeDirectory === '' ? root : absolutePath(root, relativeDirectory);
  const resolved = await realpath(absolute);
  if (!isInside(root, resolved)) {
    throw new InvalidArgumentError({
      argument: 'workspace path',
      message: `"${relativeDirectory}" leads out of the workspace (to "${resolved}"); sessionloom never writes outside the workspace root.`,
    });
  }
  // Not an argument error: a file standing where the checkpoint had a directory is a state of the disk, not bad input.
  if (!(await lstat(resolved)).isDirectory()) throw new Error(`"${relativeDirectory}" is not a directory`);
  return resolved;
}

/**
 * Why a symlink with this target, standing in the real directory `parent`, could lead out of the
 * workspace `root` (a real path), or undefined when it cannot. A checkpoint only ever restores
 * links that stay inside: the target, resolved against `parent`, must lie inside the root, both as
 * written and once the links on the part of it that exists now are resolved; and ".." may only
 * come first (after a name it would climb out of wherever that name leads, which the text alone
 * cannot tell). A link that fails this is not recorded by a scan, and a manifest holding one is
 * refused before anything is written.
 */
export function linkTargetProblem(root: string, parent: string, target: string): string | undefined {
  if (target.length === 0 || target.includes('\0')) return 'its target is empty or holds a NUL character';
  if (target.length > MAX_PATH_LENGTH) return `its target is longer than ${MAX_PATH_LENGTH} characters`;
  let named = false;
  for (const segment of target.split('/')) {
    if (segment === '..' && named) return `its target "${target.slice(0, 200)}" climbs back up ("..") after a name`;
    if (segment !== '..' && segment !== '.' && segment !== '') named = true;
  }
  const written = resolve(parent, target);
  if (!isInside(root, written)) return `it leads out of the workspace (to "${written.slice(0, 200)}")`;
  const real = realPathSoFar(written);
  if (real === undefined) return `its target "${target.slice(0, 200)}" cannot be resolved (a loop of links?)`;
  if (!isInside(root, real)) return `it leads out of the workspace through a link (to "${real.slice(0, 200)}")`;
  return undefined;
}

/** Throws `InvalidArgumentError` unless a checkpoint's symlink at `path` (in the real directory `parent`) stays inside the workspace. */
export function assertLinkStaysInside(root: string, parent: string | undefined, path: string, target: string): void {
  const problem = parent === undefined ? 'its directory cannot be resolved' : linkTargetProblem(root, parent, target);
  if (problem === undefined) return;
  throw new InvalidArgumentError({
    argument: 'checkpoint manifest',
    message: `the checkpoint's symlink "${path.slice(0, 200)}" ${problem}; sessionloom only restores symlinks that stay inside the workspace. Nothing was changed.`,
  });
}

/** `path` with the links on its existing part resolved (the rest, not there yet, appended); undefined when it cannot be resolved. */
function realPathSoFar(path: string): string | undefined {
  const missing: string[] = [];
  let candidate = path;
  for (;;) {
    try {
      return join(realpathSync(candidate), ...missing);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || candidate === dirname(candidate)) return undefined;
      // Present but unresolvable: a dangling link, whose destination the text of the path does not show.
      if (lstatIfPresent(candidate) !== undefined) return undefined;
      missing.unshift(basename(candidate));
      candidate = dirname(candidate);
    }
  }
}

/**
 * The real path of a workspace directory that may not exist yet: its existing part resolved, the
 * rest appended (a restore creates it as real directories).
 */
export function realDirectorySoFar(root: string, relativeDirectory: string): string | undefined {
  return realPathSoFar(relativeDirectory === '' ? root : absolutePath(root, relativeDirectory));
}

function lstatIfPresent(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
