/**
 * File checkpoints around a run (`session: { checkpointFiles: true, workspace }`): the workspace is
 * checkpointed at every message the run writes, as soon as it is stored: the input (before the
 * model first runs), each assistant message (before its tools run), each tool result message
 * (after they ran). So a rewind with `rewindFiles` to any message of the run, whatever its role,
 * puts the files back as they were when that message was written, whatever changed them since (a
 * file tool, a shell command, a person). Each checkpoint is a delta on the one before, so a step
 * that changed nothing stores an empty delta and no content. When the run ends, however it ends,
 * the turn's changes since its last checkpoint are recorded, so a later rewind can tell them from
 * a person's edits.
 */
import { InvalidArgumentError } from '../errors.js';
import type { SessionStore } from '../session/store.js';
import type { CheckpointResult } from '../types.js';

export interface CheckpointFilesOptions {
  /** Extra paths not to record, in gitignore syntax (besides `.git`, `node_modules` and the root `.gitignore`). */
  ignore?: string[];
  /** Files larger than this are skipped with a warning naming them. Default 10 MiB. */
  maxFileBytes?: number;
}

/**
 * What a run's checkpoints are taken of and with, recorded with its `checkpoint` run event, so a
 * resume in another process (an approval answered from the HTTP API, the CLI or the inspector)
 * checkpoints the same directory with the same rules without being told (run-resume.ts).
 */
export interface RunCheckpointSettings {
  /** The workspace's real path, device and inode when the run began: a resume goes on only in that same directory. */
  workspace: string;
  device: string;
  inode: string;
  ignore?: string[];
  maxFileBytes?: number;
}

export interface RunCheckpoint {
  readonly settings: RunCheckpointSettings;
  /**
   * Checkpoints the workspace at each of `messageIds`, in order (messages the run just stored, or
   * the head when resuming without input); returns the last one's result.
   */
  at(sessionId: string, messageIds: readonly string[]): Promise<CheckpointResult>;
  /** Records what changed since the run's last checkpoint (only after one succeeded). */
  finish(): Promise<void>;
  /** Continues a run whose last checkpoint is at `messageId` (a run resumed after approval): `finish` records what changed since. */
  continueAt(sessionId: string, messageId: string): void;
}

/**
 * Checks the options before anything is written (a refused run leaves the store as it was) and
 * returns the checkpoint hooks, or undefined when files are not checkpointed.
 */
export async function prepareRunCheckpoint(
  store: SessionStore | undefined,
  options: { checkpointFiles?: boolean | CheckpointFilesOptions; workspace?: string; persist: boolean },
): Promise<RunCheckpoint | undefined> {
  const { checkpointFiles } = options;
  if (checkpointFiles === undefined || checkpointFiles === false) {
    if (options.workspace !== undefined) {
      throw new InvalidArgumentError({ argument: 'session.workspace', message: 'a workspace is only used with checkpointFiles: true.' });
    }
    return undefined;
  }
  if (checkpointFiles !== true && (typeof checkpointFiles !== 'object' || checkpointFiles === null)) {
    throw new InvalidArgumentError({ argument: 'session.checkpointFiles', message: 'expected true, false, or { ignore?, maxFileBytes? }.' });
  }
  // The agent works where the process runs unless told otherwise (as the seeds' SDKs assume).
  const workspace = options.workspace ?? process.cwd();
  if (typeof workspace !== 'string' || workspace.length === 0) {
    throw new InvalidArgumentError({ argument: 'session.workspace', message: 'checkpointFiles needs the workspace directory (session.workspace).' });
  }
  if (!options.persist || store === undefined) {
    throw new InvalidArgumentError({ argument: 'session.checkpointFiles', message: 'checkpoints are stored with the session; they cannot be combined with persist: false.' });
  }
  if (!store.supportsCheckpoints) {
    throw new InvalidArgumentError({ argument: 'session.checkpointFiles', message: `the ${store.backend} store does not keep file checkpoints.` });
  }
  const { resolveWorkspaceRoot } = await import('../checkpoint/workspace-path.js');
  const { identifyWorkspace } = await import('../checkpoint/checkpoint-workspace.js');
  const identity = await identifyWorkspace(await resolveWorkspaceRoot(workspace));
  const settings = checkpointFiles === true ? {} : checkpointFiles;
  let latest: { sessionId: string; messageId: string } | undefined;
  return {
    settings: {
      workspace: identity.path,
      device: identity.device,
      inode: identity.inode,
      ...(settings.ignore === undefined ? {} : { ignore: [...settings.ignore] }),
      ...(settings.maxFileBytes === undefined ? {} : { maxFileBytes: settings.maxFileBytes }),
    },
    async at(sessionId, messageIds) {
      let result: CheckpointResult | undefined;
      // Messages stored together share one state: each after the first is an empty delta on it.
      for (const messageId of messageIds) {
        result = await store.checkpoint(sessionId, {
          workspace,
          atMessage: messageId,
          ...(settings.ignore === undefined ? {} : { ignore: settings.ignore }),
          ...(settings.maxFileBytes === undefined ? {} : { maxFileBytes: settings.maxFileBytes }),
        });
        latest = { sessionId, messageId };
      }
      if (result === undefined) throw new Error('sessionloom: a file checkpoint needs a stored message to belong to, and none was given.');
      return result;
    },
    async finish() {
      if (latest) await store.finishCheckpoint(latest.sessionId, { workspace, atMessage: latest.messageId });
    },
    continueAt(sessionId, messageId) {
      latest = { sessionId, messageId };
    },
  };
}
