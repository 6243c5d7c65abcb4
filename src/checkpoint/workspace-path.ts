/**
 * Paths inside a workspace. Checkpoints name files by relative POSIX paths ("src/app.ts"). Every
 * path read from a manifest is checked here before it is joined to the root, and every directory a
 * restore writes into or deletes from is resolved with realpath and must lie inside the root's
 * realpath: neither `..`, an absolute path nor a symlink can lead a write or a delete outside the
 * workspace. The last component of a path is never followed (writes rename over it, deletes
 * move it), so a symlink at that place is replaced or moved, never written through.
 */
import { lstat, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
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
