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

/** Rule sets kept for reuse: the matcher remembers each path's answer, which a later scan of the same workspace asks again. */
const MAX_KEPT_RULES = 4;
/** The matcher's memory holds one answer per path asked: past this many questions it starts afresh, so a workspace churning through new names cannot grow it without end. */
const MAX_QUESTIONS_PER_MATCHER = 100_000;
const kept = new Map<string, IgnoreRules>();

/**
 * Rules from the root `.gitignore` text (if any) and extra patterns. The same rules as a recent
 * call come back as the same object: matching was a fifth of a full scan's time, and the matcher's
 * own per-path memory spares most of it on the next scan of that workspace.
 */
export function buildIgnoreRules(gitignore: string | undefined, extraPatterns: readonly string[]): IgnoreRules {
  const key = JSON.stringify([gitignore ?? null, extraPatterns]);
  let rules = kept.get(key);
  if (rules !== undefined) kept.delete(key);
  else rules = newIgnoreRules(gitignore, extraPatterns);
  kept.set(key, rules);
  while (kept.size > MAX_KEPT_RULES) kept.delete(kept.keys().next().value!);
  return rules;
}

/** Drops the kept rule sets (what a new process has). */
export function forgetIgnoreRules(): void {
  kept.clear();
}

function newIgnoreRules(gitignore: string | undefined, extraPatterns: readonly string[]): IgnoreRules {
  const patterns = [...extraPatterns];
  const build = () => {
    const matcher = ignore().add(ALWAYS_IGNORED);
    if (gitignore !== undefined) matcher.add(gitignore);
    return matcher.add(patterns);
  };
  let matcher = build();
  let questions = 0;
  return {
    ignores: (path, isDirectory) => {
      questions += 1;
      if (questions > MAX_QUESTIONS_PER_MATCHER) {
        matcher = build();
        questions = 1;
      }
      return matcher.ignores(isDirectory ? `${path}/` : path);
    },
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
