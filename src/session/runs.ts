/**
 * Runs: one agent invocation inside a session, with an ordered event log kept for replay.
 * Finishing a run adds its usage to the session's total in the same versioned write, so two runs
 * finishing at once both count.
 */
import { decodeJson, encodeJson } from '../common/codec.js';
import { supportsRuns, type RunCapableDriver, type RunEventRecord, type RunRecord, type SessionRecord } from '../driver/driver.js';
import { assertValidId, generateId } from '../common/ids.js';
import { InvalidArgumentError, RunNotFoundError, SessionConflictError } from '../errors.js';
import type { FinishRunOptions, Run, RunEvent, RunEventInput, StartRunOptions } from '../types.js';
import { withTimeouts } from './approval-timeouts.js';
import { assertNotExpired, findSession, mutateSession, requireSession } from './access.js';
import type { StoreContext } from './context.js';
import { cancelRequestOf, readsAsStale, runningEntries, withLiveRuns } from './live-runs.js';
import { snapshotMetadata } from './options.js';
import { nextVersion, withActivity } from './records.js';
import { addUsage, EMPTY_USAGE } from './usage.js';

const FINAL_STATUSES = new Set(['completed', 'failed', 'cancelled', 'interrupted']);

export function runDriver(context: StoreContext): RunCapableDriver {
  if (!supportsRuns(context.driver)) {
    throw new InvalidArgumentError({ argument: 'store', message: `the ${context.driver.name} store does not record runs yet.` });
  }
  return context.driver;
}

/**
 * The run as callers see it. An unfinished run whose writer has been silent for `staleRunMs` reads
 * as `interrupted`: worked out on read rather than written, so no sweeper is needed, every reader
 * agrees, and a writer that was only slow can still finish it. Records written before runs kept
 * `lastActiveAt` count from their start. A running run shows a cancel request its session records.
 */
export function toRun(context: StoreContext, record: RunRecord, session?: SessionRecord): Run {
  const { eventCount: _eventCount, lastActiveAt = record.startedAt, ...rest } = record;
  const run: Run = { ...rest, lastActiveAt };
  if (readsAsStale(context, record)) run.status = 'interrupted';
  if (run.approvals) run.approvals = withTimeouts(context, run.approvals);
  const cancel = run.status === 'running' ? cancelRequestOf(session, run.id) : undefined;
  if (cancel) run.cancelRequested = { ...cancel };
  return run;
}

/** The run and its session if it exists and the session is inside the store's scope. */
export async function findRunWithSession(context: StoreContext, runId: string): Promise<{ run: RunRecord; session: SessionRecord } | undefined> {
  assertValidId(runId, 'run id');
  const run = await runDriver(context).getRun(runId);
  const session = run && (await findSession(context, run.sessionId));
  return run && session ? { run, session } : undefined;
}

async function findRun(context: StoreContext, runId: string): Promise<RunRecord | undefined> {
  return (await findRunWithSession(context, runId))?.run;
}

export async function requireRun(context: StoreContext, runId: string): Promise<RunRecord> {
  const run = await findRun(context, runId);
  if (!run) throw new RunNotFoundError({ runId });
  return run;
}

export async function startRun(context: StoreContext, sessionId: string, options: StartRunOptions = {}): Promise<Run> {
  assertValidId(sessionId, 'session id');
  if (options.id !== undefined) assertValidId(options.id, 'run id');
  const metadata = snapshotMetadata(options.metadata, 'run metadata');
  const driver = runDriver(context);
  const now = context.now();
  const run: RunRecord = {
    id: options.id ?? generateId('run'),
    sessionId,
    status: 'running',
    startedAt: now,
    lastActiveAt: now,
    usage: { ...EMPTY_USAGE },
    ...(options.agentName === undefined ? {} : { agentName: options.agentName }),
    metadata: metadata ?? {},
    eventCount: 0,
  };
  // Generated ids are unique by construction; only a caller-chosen one can collide. (Not asking for
  // generated ones also lets a degraded fallback store start runs it cannot look up.)
  if (options.id !== undefined && (await driver.getRun(run.id))) {
    throw new InvalidArgumentError({ argument: 'run id', message: `a run with id "${run.id}" already exists.` });
  }
  // With the session's version bumped and the run added to its live runs, in one batch: of two
  // processes starting a run at once, one commits and the other re-reads and sees it.
  return mutateSession<Run>(context, sessionId, {}, async (session) => {
    assertNotExpired(session);
    const running = await runningEntries(context, driver, session);
    const first = running[0];
    if (first && !options.allowConcurrent) {
      const waiting = (await driver.getRun(first.runId))?.status === 'awaiting-approval';
      throw new SessionConflictError({
        sessionId,
        expectedVersion: session.version,
        actualVersion: session.version,
        runningRunId: first.runId,
        message: waiting
          ? `Session "${sessionId}" has a run waiting for tool approval ("${first.runId}"). Answer it (Runner.resume, ` +
            'sessionloom approve) or cancel it (cancelRun) first.'
          : `Session "${sessionId}" already has a run in progress ("${first.runId}"). Wait for it to end ` +
            '(followRun), stop it (cancelRun), or pass allowConcurrent: true to run beside it.',
      });
    }
    const next = withLiveRuns(nextVersion(session, context.now()), [...running, { runId: run.id }]);
    return { batch: { sessions: [{ record: next, expectedVersion: session.version }], runs: [run] }, result: toRun(context, run) };
  });
}

/**
 * Appends events to a run's log, numbered after the ones already there. A run has one writer (the
 * process running the agent), which is what makes numbering from the stored count safe.
 */
export async function recordRunEvents(context: StoreContext, runId: string, events: RunEventInput[]): Promise<RunEvent[]> {
  if (!Array.isArray(events) || events.length === 0) return [];
  const run = await requireRun(context, runId);
  const now = context.now();
  const records: RunEventRecord[] = events.map((event, index) => {
    if (typeof event?.type !== 'string' || event.type.length === 0 || event.type.length > 100) {
      throw new InvalidArgumentError({ argument: `events[${index}].type`, message: 'expected a non-empty string of at most 100 characters.' });
    }
    return {
      runId,
      seq: run.eventCount + index + 1,
      type: event.type,
      at: event.at ?? now,
      data: encodeJson(event.data ?? null, { argument: `events[${index}].data`, allowRichValues: true, dropUndefinedKeys: true }),
    };
  });
  // Recording is a sign of life; a finished run keeps the time it finished at.
  const lastActiveAt = run.status === 'running' ? now : run.lastActiveAt;
  await runDriver(context).commit({ runs: [{ ...run, eventCount: run.eventCount + records.length, lastActiveAt }], runEvents: records });
  await context.runPulses.signal(runId);
  return records.map(toRunEvent);
}

/** Marks the run's writer alive now, so the run does not read as `interrupted`. A finished run is returned unchanged. */
export async function heartbeatRun(context: StoreContext, runId: string): Promise<Run> {
  const run = await requireRun(context, runId);
  if (run.status !== 'running') return toRun(context, run);
  const beating: RunRecord = { ...run, lastActiveAt: context.now() };
  await runDriver(context).commit({ runs: [beating] });
  return toRun(context, beating);
}

/**
 * Ends a run; its usage is added to the session's in the same write. Finishing twice changes nothing.
 * With `onlyIf`, only a run in that status is ended (others are returned as they are).
 */
export async function finishRun(context: StoreContext, runId: string, options: FinishRunOptions, onlyIf?: RunRecord['status']): Promise<Run> {
  if (!FINAL_STATUSES.has(options?.status)) {
    throw new InvalidArgumentError({ argument: 'status', message: 'expected completed, failed, cancelled or interrupted.' });
  }
  const first = await requireRun(context, runId);
  const ended = await mutateSession<Run>(context, first.sessionId, {}, async (session) => {
    const run = await requireRun(context, runId);
    // A run waiting for approval has no writer: whoever ends it (a cancel) ends it here.
    if (run.status !== 'running' && run.status !== 'awaiting-approval') return { done: toRun(context, run) };
    // Checked in the compare-and-set: a cancel of a waiting run must not end one a runner just claimed back.
    if (onlyIf !== undefined && run.status !== onlyIf) return { done: toRun(context, run) };
    const now = context.now();
    const usage = options.usage ?? {};
    const finished: RunRecord = {
      ...run,
      status: options.status,
      endedAt: now,
      lastActiveAt: now,
      usage: addUsage(run.usage, usage),
      ...(options.error === undefined ? {} : { error: { message: String(options.error.message), ...(options.error.name ? { name: String(options.error.name) } : {}) } }),
    };
    const next = withLiveRuns(
      withActivity(context, nextVersion(session, now), now),
      (session.liveRuns ?? []).filter((entry) => entry.runId !== runId),
    );
    next.usage = addUsage(session.usage, usage);
    return { batch: { sessions: [{ record: next, expectedVersion: session.version }], runs: [finished] }, result: toRun(context, finished) };
  });
  await context.runPulses.signal(runId);
  return ended;
}

export async function listRuns(context: StoreContext, sessionId: string): Promise<Run[]> {
  assertValidId(sessionId, 'session id');
  const session = await requireSession(context, sessionId);
  return (await runDriver(context).listRuns(sessionId)).map((run) => toRun(context, run, session));
}

export async function getRun(context: StoreContext, runId: string): Promise<Run | undefined> {
  const found = await findRunWithSession(context, runId);
  return found && toRun(context, found.run, found.session);
}

export async function readRunEvents(context: StoreContext, runId: string, options: { afterSeq?: number; limit?: number } = {}): Promise<RunEvent[]> {
  await requireRun(context, runId);
  const afterSeq = options.afterSeq ?? 0;
  if (!Number.isInteger(afterSeq) || afterSeq < 0) throw new InvalidArgumentError({ argument: 'afterSeq', message: 'expected a non-negative integer.' });
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 0)) {
    throw new InvalidArgumentError({ argument: 'limit', message: 'expected a non-negative integer.' });
  }
  const records = await runDriver(context).readRunEvents(runId, { afterSeq, ...(options.limit === undefined ? {} : { limit: options.limit }) });
  return records.map(toRunEvent);
}

export function toRunEvent(record: RunEventRecord): RunEvent {
  return { runId: record.runId, seq: record.seq, type: record.type, at: record.at, data: decodeJson(record.data) };
}
