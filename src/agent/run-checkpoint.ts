/**
 * File checkpoints around a run (`session: { checkpointFiles: true, workspace }`): the workspace is
 * checkpointed at the head message once the input is stored and before the model first runs, so
 * rewinding to that message (`rewindFiles: true`) puts the files back as they were before the
 * agent acted, whatever changed them (a file tool, a shell command). When the run ends, however it
 * ends, the turn's changes are recorded, so a later rewind can tell them from a person's edits.
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

export interface RunCheckpoint {
  /** Checkpoints the workspace at `messageId` (the turn's input, or the head when resuming without input). */
  begin(sessionId: string, messageId: string): Promise<CheckpointResult>;
  /** Records what the turn changed (only after `begin` succeeded). */
  finish(): Promise<void>;
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
  await resolveWorkspaceRoot(workspace);
  const settings = checkpointFiles === true ? {} : checkpointFiles;
  let begun: { sessionId: string; messageId: string } | undefined;
  return {
    async begin(sessionId, messageId) {
      const result = await store.checkpoint(sessionId, {
        workspace,
        atMessage: messageId,
        ...(settings.ignore === undefined ? {} : { ignore: settings.ignore }),
        ...(settings.maxFileBytes === undefined ? {} : { maxFileBytes: settings.maxFileBytes }),
      });
      begun = { sessionId, messageId };
      return result;
    },
    async finish() {
      if (begun) await store.finishCheckpoint(begun.sessionId, { workspace, atMessage: begun.messageId });
    },
  };
}
