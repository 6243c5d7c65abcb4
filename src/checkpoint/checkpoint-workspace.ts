/**
 * The workspace a checkpoint was taken of, recorded with it so a rewind that names no workspace
 * restores that one. A manifest read back is untrusted (an import can carry any text), and a
 * rewind writes and deletes files, so the recorded path is used only when all of this holds now:
 * it is absolute and normalized (no `..`, no NUL), it is its own real path (no symlink on the way
 * leads elsewhere since), it is a directory, and that directory has the device and inode numbers
 * recorded with it: the same directory, not another one made at that path, nor one named by a
 * session imported from another machine. Otherwise the rewind asks for `workspace` and changes
 * nothing. The usual workspace checks (not the file system root, not holding the store's own
 * files) follow as for a workspace given by the caller.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, normalize } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import type { WorkspaceIdentity } from './manifest.js';

/** `root` (a real path) as a checkpoint records it. */
export async function identifyWorkspace(root: string): Promise<WorkspaceIdentity> {
  const stats = await stat(root, { bigint: true });
  return { path: root, device: stats.dev.toString(), inode: stats.ino.toString() };
}

/** The recorded workspace's path, once it is checked to be the same directory the checkpoint was taken of. */
export async function recordedWorkspacePath(recorded: WorkspaceIdentity | undefined, messageId: string): Promise<string> {
  const refuse = (why: string) =>
    new InvalidArgumentError({
      argument: 'workspace',
      message: `the file checkpoint of message "${messageId}" ${why}, so the workspace to restore must be named (the workspace option, or --workspace DIR). Nothing was changed.`,
    });
  if (recorded === undefined) throw refuse('does not record which directory it was taken of (it predates that record)');
  const { path } = recorded;
  if (!isAbsolute(path) || normalize(path) !== path || path.includes('\0')) throw refuse(`records a workspace path that is not a clean absolute path`);
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    throw refuse(`was taken of "${path}", which cannot be opened now`);
  }
  if (real !== path) throw refuse(`was taken of "${path}", which now leads to "${real}"`);
  const stats = await stat(real, { bigint: true });
  if (!stats.isDirectory() || stats.dev.toString() !== recorded.device || stats.ino.toString() !== recorded.inode) {
    throw refuse(`was taken of "${path}", and the directory there now is not the one it was taken of`);
  }
  return path;
}
