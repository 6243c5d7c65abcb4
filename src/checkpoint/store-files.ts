/**
 * The store's own files and a workspace. A SQLite database with its `-wal`, `-shm` and `-journal`
 * files, a file store's directory, a fallback's journal directory: were a workspace to hold them, a
 * checkpoint would record the store inside itself, and a rewind would write old copies of them
 * back under the open store (SQLite would lose every write since, other sessions' acknowledged
 * appends included; the file store would rewrite its own files under its own lock). So a workspace
 * that holds any of them, or lies inside one, is refused at checkpoint, at a turn's end and at
 * rewind, before anything changes; and a scan skips them in any case, so even a workspace that
 * escaped the check never records or touches them.
 *
 * Where they are comes from the driver: its `location` when that is a path (a store on a server
 * has a URL there, and no files to protect) and its `localPaths`.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import type { StorageDriver } from '../driver/driver.js';
import { InvalidArgumentError } from '../errors.js';
import { isInside } from './workspace-path.js';

/** The files SQLite keeps beside a database: the write-ahead log, its shared memory, the rollback journal. */
const SQLITE_COMPANION_SUFFIXES = ['-wal', '-shm', '-journal'];

const REFUSAL_HINT = 'a rewind would write old copies of them back under the open store and lose what was written since.';

/** The store's own files and directories on this machine, as real absolute paths (empty for a store on a server). */
export function storeFilesOf(driver: Pick<StorageDriver, 'location' | 'localPaths'>): string[] {
  const paths: string[] = [];
  const { location } = driver;
  if (location !== undefined && isAbsolute(location)) {
    paths.push(location, ...SQLITE_COMPANION_SUFFIXES.map((suffix) => location + suffix));
  }
  for (const path of driver.localPaths ?? []) if (isAbsolute(path)) paths.push(path);
  return paths.map(realPathOf);
}

/** Throws `InvalidArgumentError` when the workspace (a real path) holds one of `storeFiles` or lies inside one. */
export function assertWorkspaceOutsideStore(root: string, workspace: string, storeFiles: readonly string[]): void {
  for (const path of storeFiles) {
    if (isInside(root, path)) {
      throw new InvalidArgumentError({
        argument: 'workspace',
        message:
          `the workspace "${workspace}" holds the session store's own files ("${relative(root, path)}"): a checkpoint would record the store inside itself, and ` +
          `${REFUSAL_HINT} Keep the store outside the workspace (for example a SQLite file in another directory), or choose a workspace that does not contain it. Nothing was changed.`,
      });
    }
    if (isInside(path, root)) {
      throw new InvalidArgumentError({
        argument: 'workspace',
        message: `the workspace "${workspace}" is inside the session store's own directory ("${path}"): ${REFUSAL_HINT} Choose a workspace outside the store. Nothing was changed.`,
      });
    }
  }
}

/** True for the refusal above (the CLI rewords it in terms of its --store option). */
export function isStoreInWorkspaceError(error: unknown): boolean {
  return InvalidArgumentError.isInstance(error) && error.argument === 'workspace' && error.message.includes(REFUSAL_HINT);
}

/** The real path of `path`, or of its directory joined with its name when it does not exist (yet). */
function realPathOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return path;
    }
  }
}
