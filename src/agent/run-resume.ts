/**
 * `Runner.resume`: continues a run that waits for approval, in any process. The answers given are
 * recorded first (`store.answerApprovals`); once every request of the run is answered (timed-out
 * ones as denials) the run is claimed back (`store.claimAnsweredRun`, a compare-and-set, so of two
 * processes resuming one run exactly one continues it) and goes on: the approved tools run, the
 * denials reach the model as tool results, and the loop runs to the end as any run does.
 */
import { InvalidArgumentError } from '../errors.js';
import type { ApprovalAnswer } from '../session/approvals.js';
import type { SessionStore } from '../session/store.js';
import { EMPTY_USAGE } from '../session/usage.js';
import type { Run } from '../types.js';
import type { Agent } from './agent.js';
import type { CheckpointFilesOptions, RunCheckpointSettings } from './run-checkpoint.js';
import type { RunResult } from './run-result.js';
import { StoreRunRecorder } from './run-recorder.js';

export interface ResumeOptions {
  /** The waiting run (`result.runId`, or one of `store.pendingApprovals()`). */
  runId: string;
  /** Answers to its requests; more may come later (the run keeps waiting until all are answered). */
  approvals?: ApprovalAnswer[];
  /** The store holding the run (or give it as `session.store`, as for `Runner.run`). */
  store?: SessionStore;
  session?: {
    store?: SessionStore;
    /**
     * As for the run: the turn's checkpoint (taken before it asked) then also records what the
     * approved tools changed. Not given: as the run did (the workspace and rules its checkpoints
     * recorded, and only while that path is still the same directory); `false` checkpoints nothing.
     */
    checkpointFiles?: boolean | CheckpointFilesOptions;
    workspace?: string;
  };
}

/** What the run loop needs to continue a claimed run; undefined when the run goes on waiting (its result is then `waiting`). */
export interface ClaimedRun {
  store: SessionStore;
  run: Run;
  recorder: StoreRunRecorder;
}

export async function claimRun(agent: Agent, options: ResumeOptions): Promise<{ claimed: ClaimedRun } | { waiting: RunResult }> {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError({ argument: 'resume options', message: 'expected { runId, approvals? , store }.' });
  const store = options.store ?? options.session?.store;
  if (store === undefined) throw new InvalidArgumentError({ argument: 'store', message: 'resuming a run needs the store that holds it ({ store }).' });
  if (options.approvals !== undefined && !Array.isArray(options.approvals)) {
    throw new InvalidArgumentError({ argument: 'approvals', message: 'expected an array of { approvalId, approved, reason? }.' });
  }
  if (options.approvals !== undefined && options.approvals.length > 0) await store.answerApprovals(options.runId, options.approvals);
  const run = await store.claimAnsweredRun(options.runId);
  if (run === undefined) {
    const waiting = await store.getRun(options.runId);
    const approvals = waiting?.approvals ?? [];
    return {
      waiting: {
        sessionId: waiting?.sessionId ?? '',
        runId: options.runId,
        output: '',
        messages: [],
        usage: { ...EMPTY_USAGE },
        steps: Math.max(0, ...approvals.map((approval) => approval.step)),
        finishReason: 'tool-calls',
        status: 'awaiting-approval',
        pendingApprovals: approvals.filter((approval) => !approval.decision),
      },
    };
  }
  return { claimed: { store, run, recorder: StoreRunRecorder.attach(store, run.sessionId, run.id) } };
}

/** The requests of the run's latest wait: a run waits once per step, so they are the ones of its highest step. */
export function latestApprovals(run: Run): NonNullable<Run['approvals']> {
  const approvals = run.approvals ?? [];
  const step = Math.max(0, ...approvals.map((approval) => approval.step));
  return approvals.filter((approval) => approval.step === step);
}

/** The message the run's turn was checkpointed at (its `checkpoint` event), if it was. */
export async function checkpointMessageOf(store: SessionStore, runId: string): Promise<string | undefined> {
  const events = await store.runEvents(runId);
  const checkpoint = events.findLast((event) => event.type === 'checkpoint');
  const messageId = (checkpoint?.data as { messageId?: unknown } | undefined)?.messageId;
  return typeof messageId === 'string' ? messageId : undefined;
}

/**
 * How a resume checkpoints files when its caller does not say (`session.checkpointFiles` absent):
 * as the run did, from the settings its last `checkpoint` event recorded, but only in that same
 * directory (same real path, device and inode), so a resume elsewhere (another machine, a
 * workspace deleted and made again) does not record a different directory as the run's. Then the
 * run goes on without file checkpoints, and `reason` (kept in its `run-resume` event) says why.
 * Undefined when the run took no checkpoint with settings recorded (or before they were).
 */
export async function recordedCheckpointFiles(
  store: SessionStore,
  runId: string,
): Promise<{ checkpointFiles: CheckpointFilesOptions; workspace: string; messageId?: string } | { reason: string } | undefined> {
  const events = await store.runEvents(runId);
  const data = events.findLast((event) => event.type === 'checkpoint')?.data as { settings?: unknown; messageId?: unknown } | undefined;
  const recorded = data?.settings;
  if (!isRecordedSettings(recorded)) return undefined;
  const { resolveWorkspaceRoot } = await import('../checkpoint/workspace-path.js');
  const { identifyWorkspace } = await import('../checkpoint/checkpoint-workspace.js');
  let identity;
  try {
    identity = await identifyWorkspace(await resolveWorkspaceRoot(recorded.workspace));
  } catch {
    return { reason: `the run's workspace "${recorded.workspace}" cannot be opened here` };
  }
  if (identity.path !== recorded.workspace || identity.device !== recorded.device || identity.inode !== recorded.inode) {
    return { reason: `"${recorded.workspace}" here is not the directory the run checkpointed` };
  }
  return {
    workspace: identity.path,
    // The message the run was last checkpointed at, read with the settings (checkpointMessageOf reads the same event).
    ...(typeof data?.messageId === 'string' ? { messageId: data.messageId } : {}),
    checkpointFiles: {
      ...(recorded.ignore === undefined ? {} : { ignore: recorded.ignore }),
      ...(recorded.maxFileBytes === undefined ? {} : { maxFileBytes: recorded.maxFileBytes }),
    },
  };
}

/** A run log is stored data (an import can carry anything): the settings are used only when well-formed. */
function isRecordedSettings(value: unknown): value is RunCheckpointSettings {
  if (typeof value !== 'object' || value === null) return false;
  const settings = value as Record<string, unknown>;
  return (
    typeof settings.workspace === 'string' &&
    typeof settings.device === 'string' &&
    typeof settings.inode === 'string' &&
    (settings.ignore === undefined || (Array.isArray(settings.ignore) && settings.ignore.every((pattern) => typeof pattern === 'string'))) &&
    (settings.maxFileBytes === undefined || (typeof settings.maxFileBytes === 'number' && Number.isSafeInteger(settings.maxFileBytes) && settings.maxFileBytes >= 0))
  );
}
