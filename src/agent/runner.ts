/**
 * `Runner`: runs an agent on a session. The input is stored first, then every model step and its
 * tool results as they complete, and the run is recorded with its events and usage
 * (`store.runs(sessionId)`, `store.runEvents(runId)`).
 */
import { InvalidArgumentError } from '../errors.js';
import type { ModelMessage } from '../types.js';
import type { Agent } from './agent.js';
import { assertPriceTable, type PriceTable } from './pricing.js';
import { parseCompactionSettings, type CompactionSettings } from './run-compaction.js';
import { assertTrimToolResults, type TrimToolResultsSettings } from './trim-tool-results.js';
import { toInputMessages, type RunInput } from './run-input.js';
import { runAgentLoop } from './run-loop.js';
import type { RunResult } from './run-result.js';
import { openRunSession, type RunSessionOptions } from './run-session.js';
import type { RunStreamEvent } from './run-events.js';
import { RunStream } from './run-stream.js';
import { EMPTY_USAGE } from '../session/usage.js';
import { prepareRunCheckpoint } from './run-checkpoint.js';
import { errorMessage } from './tool-execution.js';
import { checkpointMessageOf, claimRun, latestApprovals, recordedCheckpointFiles, type ResumeOptions } from './run-resume.js';

export interface RunOptions {
  /** The new turn: a string (a user message), a model message, or several. */
  input?: RunInput;
  /** The new turn as model messages (the same as `input` with an array). */
  messages?: ModelMessage[];
  /** Where the conversation lives. Without it, the run stores nothing (as with `persist: false`). */
  session?: RunSessionOptions;
  /** Cancels the run: it is recorded as `cancelled`, and what was already written stays. */
  signal?: AbortSignal;
  /** Prices by model id, to record each run's cost in USD. */
  pricing?: PriceTable;
  /** Automatic compaction for this run (instead of the agent's `compaction`). */
  compaction?: CompactionSettings;
  /** Trimming of old tool outputs for this run (instead of the agent's `trimToolResults`). */
  trimToolResults?: TrimToolResultsSettings;
}

export type { RunSessionOptions, ResumeOptions };

/**
 * Runs agents on sessions.
 *
 * @example
 * const store = SessionStore.sqlite('./sessions.db');
 * const first = await Runner.run(agent, { input: 'My name is Ada.', session: { store } });
 * // later, in another process:
 * const next = await Runner.run(agent, { input: 'What is my name?', session: { store, resume: first.sessionId } });
 * // try something else from the same point, leaving the original alone:
 * const other = await Runner.run(agent, { input: 'Call me Grace.', session: { store, fork: { from: first.sessionId } } });
 */
export class Runner {
  private constructor() {}

  /** Runs the agent to the end and returns its answer and what it stored. A failed run throws the model's error after recording it. */
  static async run(agent: Agent, options: RunOptions = {}): Promise<RunResult> {
    const { input, signal: callerSignal, ...settings } = prepare(agent, options);
    const opened = await openRunSession(agent, options.session ?? { persist: false }, { hasInput: input.length > 0 });
    const signal = eitherSignal(callerSignal, opened.recorder.cancelSignal);
    return runAgentLoop({ agent, ...opened, input, mode: 'generate', ...settings, ...(signal ? { signal } : {}) });
  }

  /**
   * Continues a run that waits for approval (`result.status === 'awaiting-approval'`), from any
   * process: records the answers, and once every request is answered runs the approved tools, sends
   * the denials to the model as tool results, and runs on to the end. While some request still
   * waits, the result says `awaiting-approval` again. A run that is not waiting, or an approval
   * answered twice, is a `SessionConflictError`; an unknown approval id an `InvalidArgumentError`.
   *
   * @example
   * const first = await Runner.run(agent, { input: 'Refund order 42', session: { store } });
   * // later, anywhere:
   * const [request] = await store.pendingApprovals({ sessionId: first.sessionId });
   * await Runner.resume(agent, { runId: request.runId, approvals: [{ approvalId: request.approvalId, approved: true }], store });
   */
  static async resume(agent: Agent, options: ResumeOptions & Omit<RunOptions, 'input' | 'messages' | 'session'>): Promise<RunResult> {
    const started = await Runner.startResume(agent, options);
    return started.result;
  }

  /**
   * `resume` for servers: resolves once the answers are recorded and the run is taken back (or found
   * still waiting), with the run's id and `result`, which resolves when the continued run ends. A
   * follower started after this (`store.followRun(runId)`) sees the run going on.
   */
  static async startResume(
    agent: Agent,
    options: ResumeOptions & Omit<RunOptions, 'input' | 'messages' | 'session'>,
  ): Promise<{ runId: string; status: 'running' | 'awaiting-approval'; result: Promise<RunResult> }> {
    const { input: _none, signal: callerSignal, ...settings } = prepare(agent, { ...options, input: undefined, messages: undefined, session: undefined });
    const givenStore = options.store ?? options.session?.store;
    // Not told: files are checkpointed as the run did, where it did (run-resume.ts).
    const told = options.session?.checkpointFiles !== undefined || options.session?.workspace !== undefined;
    const recorded = !told && givenStore !== undefined ? await recordedCheckpointFiles(givenStore, options.runId) : undefined;
    const files = recorded && 'checkpointFiles' in recorded ? recorded.checkpointFiles : options.session?.checkpointFiles;
    const workspace = recorded && 'workspace' in recorded ? recorded.workspace : options.session?.workspace;
    // Checked before anything is answered or claimed, so a refused option changes nothing.
    const checkpoint = files === undefined || files === false ? undefined : await prepareRunCheckpoint(givenStore, {
      checkpointFiles: files,
      ...(workspace === undefined ? {} : { workspace }),
      persist: true,
    });
    const outcome = await claimRun(agent, options);
    if ('waiting' in outcome) return { runId: outcome.waiting.runId, status: 'awaiting-approval', result: Promise.resolve(outcome.waiting) };
    const { store, run, recorder } = outcome.claimed;
    const approvals = latestApprovals(run);
    let history;
    let checkpointMessageId;
    try {
      history = await store.getMessages(run.sessionId);
      // The run's events were read for its recorded settings already, when there were any.
      const recordedAt = recorded && 'checkpointFiles' in recorded ? recorded.messageId : undefined;
      checkpointMessageId = checkpoint ? (recordedAt ?? (await checkpointMessageOf(store, run.id))) : undefined;
    } catch (error) {
      // The run is this process's now: it must not be left running (heartbeating) with nobody driving it.
      await recorder.finish({ status: 'failed', usage: { ...EMPTY_USAGE }, error: { message: errorMessage(error) } }).catch(() => undefined);
      throw error;
    }
    const signal = eitherSignal(callerSignal, recorder.cancelSignal);
    const result = runAgentLoop({
      agent,
      recorder,
      history,
      input: [],
      mode: 'generate',
      resumed: {
        steps: Math.max(0, ...approvals.map((approval) => approval.step)),
        approvals,
        data: {
          approvals: approvals.map((approval) => approval.approvalId),
          ...(recorded && 'reason' in recorded ? { filesNotCheckpointed: recorded.reason } : {}),
        },
        ...(checkpointMessageId === undefined ? {} : { checkpointMessageId }),
      },
      ...(checkpoint ? { checkpoint } : {}),
      ...settings,
      ...(signal ? { signal } : {}),
    });
    return { runId: run.id, status: 'running', result };
  }

  /**
   * Runs the agent, yielding its events as they happen (text deltas, tool calls, tool results, step
   * ends); `result` resolves to what `run` would have returned.
   *
   * @example
   * const stream = Runner.stream(agent, { input: 'Tell me a story', session: { store, resume: id } });
   * for await (const text of stream.textStream) process.stdout.write(text);
   * const { usage } = await stream.result;
   */
  static stream(agent: Agent, options: RunOptions = {}): RunStream {
    return new RunStream(async (emit) => {
      const { input, signal: callerSignal, ...settings } = prepare(agent, options);
      const opened = await openRunSession(agent, options.session ?? { persist: false }, { hasInput: input.length > 0 });
      const signal = eitherSignal(callerSignal, opened.recorder.cancelSignal);
      const { recorder } = opened;
      // Deltas are recorded too (coalesced), so a follower in another process sees the text as it comes.
      const emitAndRecord = (event: RunStreamEvent) => {
        if (event.type === 'text-delta' || event.type === 'reasoning-delta') recorder.delta?.(event.type, event.step, event.text);
        emit(event);
      };
      return runAgentLoop({ agent, ...opened, input, mode: 'stream', emit: emitAndRecord, ...settings, ...(signal ? { signal } : {}) });
    });
  }
}

/** Aborts when either does: the caller's signal, or a cancel requested from any process. */
function eitherSignal(caller: AbortSignal | undefined, cancel: AbortSignal | undefined): AbortSignal | undefined {
  if (!caller || !cancel) return caller ?? cancel;
  return AbortSignal.any([caller, cancel]);
}

interface PreparedRun {
  input: ModelMessage[];
  signal?: AbortSignal;
  pricing?: PriceTable;
  compaction?: CompactionSettings;
  trimToolResults?: TrimToolResultsSettings;
}

function prepare(agent: Agent, options: RunOptions): PreparedRun {
  // Checked by shape, not `instanceof`, so an agent from another copy of the package still runs.
  if (typeof agent !== 'object' || agent === null || typeof agent.maxSteps !== 'number' || agent.model === undefined || typeof agent.tools !== 'object') {
    throw new InvalidArgumentError({ argument: 'agent', message: 'expected an Agent (new Agent({ name, model, ... })).' });
  }
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError({ argument: 'run options', message: 'expected an object.' });
  assertPriceTable(options.pricing);
  const input = toInputMessages(options.input, options.messages);
  const compaction = parseCompactionSettings(options.compaction, 'run compaction') ?? agent.compaction;
  assertTrimToolResults(options.trimToolResults, 'run trimToolResults');
  const trim = options.trimToolResults ?? agent.trimToolResults;
  return {
    input,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.pricing ? { pricing: options.pricing } : {}),
    ...(compaction ? { compaction } : {}),
    ...(trim ? { trimToolResults: trim } : {}),
  };
}
