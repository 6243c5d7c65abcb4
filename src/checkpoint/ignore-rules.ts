/**
 * Which paths a checkpoint does not see: `.git` and `node_modules` anywhere, the patterns of the
 * root `.gitignore`, and a list the caller gives (gitignore syntax, matched by the `ignore`
 * package, the matcher eslint uses). A restore uses the rules of the checkpoint it restores, so a
 * file the checkpoint could not see is never deleted for being "absent" from it.
 */
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ignore from 'ignore';

/** The prefix of the directories a restore keeps its backups in (always ignored, so a scan never records them). */
export const BACKUP_DIRECTORY_PREFIX = '.sessionloom-restore-';

const ALWAYS_IGNORED = ['.git', 'node_modules', `/${BACKUP_DIRECTORY_PREFIX}*`];

/** A `.gitignore` larger than this is not a list of patterns; it is refused rather than parsed. */
const MAX_GITIGNORE_BYTES = 1024 * 1024;

export interface IgnoreRules {
  /** Whether a workspace-relative path is ignored (directories are matched with their trailing slash, as git does). */
  ignores(path: string, isDirectory: boolean): boolean;
}

/** Rules from the root `.gitignore` text (if any) and extra patterns. */
export function buildIgnoreRules(gitignore: string | undefined, extraPatterns: readonly string[]): IgnoreRules {
  const matcher = ignore().add(ALWAYS_IGNORED);
  if (gitignore !== undefined) matcher.add(gitignore);
  matcher.add([...extraPatterns]);
  return {
    ignores: (path, isDirectory) => matcher.ignores(isDirectory ? `${path}/` : path),
  };
}

/** The root `.gitignore`'s text, or undefined when there is none (or it is not a regular file). */
export async function readRootGitignore(root: string): Promise<string | undefined> {
  const path = join(root, '.gitignore');
  try {
    const stats = await lstat(path);
    if (!stats.isFile() || stats.size > MAX_GITIGNORE_BYTES) return undefined;
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
