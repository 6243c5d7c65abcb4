/**
 * Carrying out a restore plan, all or nothing. Nothing is overwritten or deleted in place: what a
 * restore replaces or removes is first moved (renamed, so any size costs the same) into a backup
 * directory inside the workspace root, and every step is journaled. If any step fails, the journal
 * is undone in reverse (written files removed, moved files moved back, directories recreated or
 * removed) and the error is thrown; if the caller's next step fails (moving the session's head),
 * it calls `rollback` the same way. Only `discard` deletes the backups.
 *
 * Safety: every directory written into or deleted from is resolved with realpath and must be
 * inside the root; new content is written to a fresh temporary file (`wx`: never through an
 * existing name) in the same directory and renamed over the destination, so a symlink at the
 * destination is replaced, never followed.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { basename, join } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { BACKUP_DIRECTORY_PREFIX } from './ignore-rules.js';
import type { RestorePlan } from './restore-plan.js';
import { assertLinkStaysInside, assertRealDirectoryInside, parentOf } from './workspace-path.js';

/** The file system calls a restore makes that change something; tests replace them to inject faults. */
export interface RestoreFileSystem {
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string, mode?: number): Promise<void>;
  rmdir(path: string): Promise<void>;
  unlink(path: string): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  /** Creates `path` (failing if anything is there) with these bytes and permission bits. */
  writeNewFile(path: string, bytes: Uint8Array, mode: number): Promise<void>;
}

export const nodeFileSystem: RestoreFileSystem = {
  rename: (from, to) => fs.rename(from, to),
  mkdir: async (path, mode) => {
    await fs.mkdir(path, mode === undefined ? {} : { mode });
  },
  rmdir: (path) => fs.rmdir(path),
  unlink: (path) => fs.unlink(path),
  symlink: (target, path) => fs.symlink(target, path),
  writeNewFile: async (path, bytes, mode) => {
    const handle = await fs.open(path, 'wx', 0o600);
    try {
      await handle.writeFile(bytes);
      // Set explicitly: the mode given to open is filtered by the umask.
      await handle.chmod(mode);
    } finally {
      await handle.close();
    }
  },
};

type JournalStep =
  | { kind: 'moved-to-backup'; absolute: string; backup: string }
  | { kind: 'temporary'; absolute: string }
  | { kind: 'wrote'; absolute: string }
  | { kind: 'created-directory'; absolute: string }
  | { kind: 'removed-directory'; absolute: string; mode: number };

export interface AppliedRestore {
  /** Directories actually removed (a directory still holding ignored files stays). */
  removedDirectories: string[];
  /** Puts everything back as it was before the restore, then deletes the backups. */
  rollback(): Promise<void>;
  /** Keeps the restore: deletes the backups. */
  discard(): Promise<void>;
}

/**
 * Applies `plan`; `contents` has the bytes of every file the plan writes, by hash (already
 * verified). Throws (having put everything back) if any step fails.
 */
export async function applyRestore(
  root: string,
  plan: RestorePlan,
  contents: ReadonlyMap<string, Uint8Array>,
  fileSystem: RestoreFileSystem = nodeFileSystem,
): Promise<AppliedRestore> {
  const journal: JournalStep[] = [];
  const backupDirectory = join(root, `${BACKUP_DIRECTORY_PREFIX}${randomBytes(6).toString('hex')}`);
  await fs.mkdir(backupDirectory, { mode: 0o700 });
  let backups = 0;
  const removedDirectories: string[] = [];
  let current = '';

  const moveToBackup = async (absolute: string) => {
    const backup = join(backupDirectory, String(backups));
    backups += 1;
    await fileSystem.rename(absolute, backup);
    journal.push({ kind: 'moved-to-backup', absolute, backup });
  };
  /** The real path of a directory inside the root, creating missing components (journaled). */
  const ensureDirectory = async (relative: string): Promise<string> => {
    let real = root;
    if (relative === '') return real;
    let walked = '';
    for (const segment of relative.split('/')) {
      walked = walked === '' ? segment : `${walked}/${segment}`;
      const candidate = join(real, segment);
      const stats = await lstatIfPresent(candidate);
      if (stats === undefined) {
        await fileSystem.mkdir(candidate);
        journal.push({ kind: 'created-directory', absolute: candidate });
        real = candidate;
      } else {
        // An existing component may be a symlink: resolve it and check where it leads.
        real = await assertRealDirectoryInside(root, walked);
      }
    }
    return real;
  };

  try {
    for (const path of plan.deletes) {
      current = path;
      const parent = await assertRealDirectoryInside(root, parentOf(path));
      const absolute = join(parent, basename(path));
      if ((await lstatIfPresent(absolute)) !== undefined) await moveToBackup(absolute);
    }
    for (const directory of plan.removeDirectories) {
      current = directory;
      const parent = await assertRealDirectoryInside(root, parentOf(directory));
      const absolute = join(parent, basename(directory));
      const stats = await lstatIfPresent(absolute);
      if (stats === undefined || !stats.isDirectory()) continue;
      try {
        await fileSystem.rmdir(absolute);
      } catch (error) {
        // Still holds files the checkpoint cannot see (ignored ones): it stays, as those files do.
        if (isErrorCode(error, 'ENOTEMPTY') || isErrorCode(error, 'EEXIST')) continue;
        throw error;
      }
      journal.push({ kind: 'removed-directory', absolute, mode: stats.mode & 0o777 });
      removedDirectories.push(directory);
    }
    for (const directory of plan.createDirectories) {
      current = directory;
      await ensureDirectory(directory);
    }
    for (const { path, entry } of plan.writes) {
      current = path;
      const parent = await ensureDirectory(parentOf(path));
      const name = basename(path);
      const temporary = join(parent, `.${name.slice(0, 100)}.sessionloom-${randomBytes(6).toString('hex')}.tmp`);
      const temporaryStep: JournalStep = { kind: 'temporary', absolute: temporary };
      journal.push(temporaryStep);
      if (entry.kind === 'link') {
        // Checked again where it is created: the plan saw the directories as they were then.
        assertLinkStaysInside(root, parent, path, entry.target);
        await fileSystem.symlink(entry.target, temporary);
      }
      else await fileSystem.writeNewFile(temporary, requireContent(contents, entry.hash, path), entry.mode);
      const destination = join(parent, name);
      const existing = await lstatIfPresent(destination);
      // A directory in the way is not moved: it holds files this restore does not manage, so the rename fails instead.
      if (existing !== undefined && !existing.isDirectory()) await moveToBackup(destination);
      await fileSystem.rename(temporary, destination);
      // Journaled after the backup move, so an undo removes the new file before moving the original back.
      journal.splice(journal.indexOf(temporaryStep), 1);
      journal.push({ kind: 'wrote', absolute: destination });
    }
  } catch (error) {
    const undoFailures = await undo(journal, fileSystem);
    await finishBackups(backupDirectory, undoFailures);
    if (InvalidArgumentError.isInstance(error)) throw error;
    throw new Error(
      `sessionloom: restoring "${current}" failed (${error instanceof Error ? error.message : String(error)}); ` +
        'every file already changed was put back and the session was not rewound.',
      { cause: error },
    );
  }

  let settled = false;
  return {
    removedDirectories,
    rollback: async () => {
      if (settled) return;
      settled = true;
      await finishBackups(backupDirectory, await undo(journal, fileSystem));
    },
    discard: async () => {
      if (settled) return;
      settled = true;
      await fs.rm(backupDirectory, { recursive: true, force: true });
    },
  };
}

/** Undoes the journal, newest step first; returns the steps that could not be undone. */
async function undo(journal: JournalStep[], fileSystem: RestoreFileSystem): Promise<Array<{ step: JournalStep; error: unknown }>> {
  const failures: Array<{ step: JournalStep; error: unknown }> = [];
  for (const step of [...journal].reverse()) {
    try {
      if (step.kind === 'wrote' || step.kind === 'temporary') await unlinkIfPresent(step.absolute, fileSystem);
      else if (step.kind === 'moved-to-backup') await fileSystem.rename(step.backup, step.absolute);
      else if (step.kind === 'created-directory') await fileSystem.rmdir(step.absolute);
      else await fileSystem.mkdir(step.absolute, step.mode);
    } catch (error) {
      failures.push({ step, error });
    }
  }
  journal.length = 0;
  return failures;
}

/** Removes the (now empty) backup directory, or keeps it and says so when something could not be put back. */
async function finishBackups(backupDirectory: string, failures: Array<{ step: JournalStep; error: unknown }>): Promise<void> {
  if (failures.length === 0) {
    await fs.rm(backupDirectory, { recursive: true, force: true });
    return;
  }
  const first = failures[0]!;
  throw new Error(
    `sessionloom: a failed restore could not put ${failures.length} change(s) back (first: ${first.step.kind} "${first.step.absolute}": ` +
      `${first.error instanceof Error ? first.error.message : String(first.error)}). The original files are kept in "${backupDirectory}".`,
    { cause: first.error },
  );
}

function requireContent(contents: ReadonlyMap<string, Uint8Array>, hash: string, path: string): Uint8Array {
  const bytes = contents.get(hash);
  if (bytes === undefined) throw new Error(`sessionloom: the content of "${path}" (blob ${hash}) was not loaded.`);
  return bytes;
}

async function unlinkIfPresent(path: string, fileSystem: RestoreFileSystem): Promise<void> {
  try {
    await fileSystem.unlink(path);
  } catch (error) {
    if (!isErrorCode(error, 'ENOENT')) throw error;
  }
}

async function lstatIfPresent(path: string) {
  try {
    return await fs.lstat(path);
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

function isErrorCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === code;
}
