/**
 * Stopping a run from any process. `cancelRun` records the request in the run's session record (a
 * compare-and-set on the session's version: the run record itself has one writer, the runner) and
 * signals the run; the runner watches for it (`watchCancel`) and aborts, ending the run `cancelled`
 * with everything written so far kept.
 */
import { InvalidArgumentError, RunNotFoundError } from '../errors.js';
import type { CancelRunOptions, Run } from '../types.js';
import { mutateSession } from './access.js';
import type { StoreContext } from './context.js';
import { cancelRequestOf, readsAsStale, withLiveRuns } from './live-runs.js';
import { nextVersion } from './records.js';
import { finishRun, recordRunEvents, requireRun, runDriver, toRun } from './runs.js';

const MAX_REASON_LENGTH = 1_000;

/**
 * Records a cancel request for a running run and wakes its runner. A run waiting for approval has
 * no runner: it is ended `cancelled` at once. A run that is no longer running (finished, or
 * `interrupted` because its writer died) is returned as it is; asking twice keeps the first request.
 */
export async function cancelRun(context: StoreContext, runId: string, options: CancelRunOptions = {}): Promise<Run> {
  const reason: unknown = options?.reason;
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > MAX_REASON_LENGTH)) {
    throw new InvalidArgumentError({ argument: 'reason', message: `expected a string of at most ${MAX_REASON_LENGTH} characters.` });
  }
  const driver = runDriver(context);
  const known = await requireRun(context, runId);
  if (known.status === 'awaiting-approval') {
    // A run waiting for approval has no writer to stop: it ends here, and its requests with it.
    const message = reason === undefined ? 'The run was cancelled while waiting for approval.' : `The run was cancelled: ${reason}`;
    const ended = await finishRun(context, runId, { status: 'cancelled', error: { message, name: 'AbortError' } }, 'awaiting-approval');
    if (ended.status === 'cancelled') {
      await recordRunEvents(context, runId, [{ type: 'run-end', data: { status: 'cancelled', ...(reason === undefined ? {} : { reason }) } }]);
      return ended;
    }
    // A runner took it back in the meantime: it is running now, and is cancelled as a running run is.
    if (ended.status !== 'running') return ended;
  }
  const result = await mutateSession<Run>(context, known.sessionId, {}, async (session) => {
    const run = await driver.getRun(runId);
    if (!run) throw new RunNotFoundError({ runId });
    if (run.status !== 'running' || readsAsStale(context, run) || cancelRequestOf(session, runId)) return { done: toRun(context, run, session) };
    const now = context.now();
    const cancel = { at: now, ...(reason === undefined ? {} : { reason }) };
    const entries = session.liveRuns ?? [];
    const listed = entries.some((entry) => entry.runId === runId);
    // A run started without an entry (before sessions listed their runs, or by an old writer) gets one now.
    const nextEntries = listed ? entries.map((entry) => (entry.runId === runId ? { ...entry, cancel } : entry)) : [...entries, { runId, cancel }];
    const next = withLiveRuns(nextVersion(session, now), nextEntries);
    return { batch: { sessions: [{ record: next, expectedVersion: session.version }] }, result: toRun(context, run, next) };
  });
  await context.runPulses.signal(runId);
  return result;
}

/** What `watchCancel` hands a run's writer. */
export interface CancelWatch {
  /** Aborts (with an `AbortError` naming the reason) once the run's cancel is requested from any process. */
  readonly signal: AbortSignal;
  /** Stops watching; call it when the run ends. */
  close(): void;
}

/**
 * Watches a run for a cancel request: on each of the run's pulses (pushed, or a poll every 100 ms
 * on SQLite and files) one read of its session record. The watch never keeps a process alive.
 */
export function watchCancel(context: StoreContext, runId: string): CancelWatch {
  const controller = new AbortController();
  let closed = false;
  let stopPulses: (() => void) | undefined;
  let sessionId: string | undefined;
  let checking = false;
  let checkAgain = false;

  const close = () => {
    closed = true;
    stopPulses?.();
  };
  const check = async (): Promise<void> => {
    if (closed) return;
    if (checking) {
      checkAgain = true;
      return;
    }
    checking = true;
    try {
      do {
        checkAgain = false;
        sessionId ??= (await requireRun(context, runId)).sessionId;
        const cancel = cancelRequestOf(await context.driver.getSession(sessionId), runId);
        if (cancel && !closed) {
          controller.abort(cancelledError(cancel.reason));
          close();
        }
      } while (checkAgain && !closed);
    } catch {
      // The store is away for now: the next pulse asks again.
    } finally {
      checking = false;
    }
  };
  context.runPulses.subscribe(runId, () => void check(), { keepAlive: false }).then(
    (stop) => {
      if (closed) return stop();
      stopPulses = stop;
      void check();
    },
    () => undefined,
  );
  return { signal: controller.signal, close };
}

function cancelledError(reason: string | undefined): Error {
  const error = new Error(reason === undefined ? 'The run was cancelled.' : `The run was cancelled: ${reason}`);
  error.name = 'AbortError';
  return error;
}
