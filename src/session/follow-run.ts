/**
 * `followRun`: a run's events as they are recorded, from whatever process records them, read from
 * the store (so every follower sees the log exactly as stored: each event once, in seq order, and a
 * follower that reconnects with the last seq it saw misses nothing).
 *
 * A follower waits between reads on the run's pulse (run-pulses.ts): pushed by PostgreSQL, Redis
 * and memory, polled on SQLite and files. It ends after the `run-end` event; also when the run ends
 * without one (a loop of your own that never recorded it), when its writer died (the run reads
 * `interrupted` once stale), when the run is deleted, and when the caller's signal aborts.
 */
import { InvalidArgumentError } from '../errors.js';
import type { FollowRunOptions, RunEvent } from '../types.js';
import type { StoreContext } from './context.js';
import { readsAsStale } from './live-runs.js';
import { requireRun, runDriver, toRunEvent } from './runs.js';

/** Events read per query while catching up; a follower holds at most this many in memory. */
const PAGE_SIZE = 200;

export async function* followRun(context: StoreContext, runId: string, options: FollowRunOptions = {}): AsyncGenerator<RunEvent, void, undefined> {
  const { afterSeq = 0, signal } = options ?? {};
  if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) throw new InvalidArgumentError({ argument: 'afterSeq', message: 'expected a non-negative integer.' });
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new InvalidArgumentError({ argument: 'signal', message: 'expected an AbortSignal.' });
  const driver = runDriver(context);
  const known = await requireRun(context, runId);
  if (afterSeq > known.eventCount) {
    // A seq this run never had: the caller is confused about which run (or store) it follows, and
    // waiting for the log to grow that far would silently skip the events in between.
    throw new InvalidArgumentError({
      argument: 'afterSeq',
      message: `run "${runId}" has ${known.eventCount} events so far; afterSeq ${afterSeq} is beyond its end.`,
    });
  }
  if (signal?.aborted) return;

  const wake = new Wake();
  // Subscribed before the first read, so a change made between that read and the wait wakes it.
  const stopPulses = await context.runPulses.subscribe(runId, wake.set);
  signal?.addEventListener('abort', wake.set);
  try {
    let last = afterSeq;
    for (;;) {
      wake.clear();
      // The run is read before its events: every event it counts was committed before it, so once
      // it has ended, the reads below return the whole rest of the log.
      const run = await driver.getRun(runId);
      if (!run) return;
      // Events are read only when the run counts more than were seen (the count is committed with
      // the events it counts): a quiet tick costs one read of the run record.
      while (last < run.eventCount) {
        const page = await driver.readRunEvents(runId, { afterSeq: last, limit: PAGE_SIZE });
        for (const record of page) {
          if (signal?.aborted) return;
          last = record.seq;
          yield toRunEvent(record);
          if (record.type === 'run-end') return;
        }
        if (page.length < PAGE_SIZE) break;
      }
      if (run.status !== 'running' || readsAsStale(context, run)) return;
      await wake.wait();
      if (signal?.aborted) return;
    }
  } finally {
    signal?.removeEventListener('abort', wake.set);
    stopPulses();
  }
}

/** A flag a waiter sleeps on: set by pulses (and aborts), cleared before each read. */
class Wake {
  private raised = false;
  private resume: (() => void) | undefined;

  readonly set = (): void => {
    this.raised = true;
    const resume = this.resume;
    this.resume = undefined;
    resume?.();
  };

  clear(): void {
    this.raised = false;
  }

  wait(): Promise<void> {
    return this.raised ? Promise.resolve() : new Promise((resolve) => (this.resume = resolve));
  }
}
