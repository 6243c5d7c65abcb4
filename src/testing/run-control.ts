/**
 * One run at a time per session, and cancelling a run from anywhere: a second start while a run is
 * in progress is a `SessionConflictError` (unless `allowConcurrent`), also when two store objects
 * race; `cancelRun` from another store object reaches the writer's `watchCancel` signal within a
 * second and shows on the run until it ends.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, RunNotFoundError, SessionConflictError } from '../index.js';
import { ManualClock } from './clock.js';
import type { SuiteContext } from './context.js';
import { mustGet, rejectionOf, sessionWithMessages, uniqueId } from './helpers.js';

function abortedWithin(signal: AbortSignal, ms: number): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export function registerRunControlTests(context: SuiteContext): void {
  describe('one run at a time, and cancelRun', () => {
    it('refuses a second run while one is in progress, unless asked, and takes one again once it ended', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 1);
      const first = await store.startRun(session.id);
      const refused = await rejectionOf(store.startRun(session.id));
      expect(SessionConflictError.isInstance(refused)).toBe(true);
      expect((refused as SessionConflictError).runningRunId).toBe(first.id);
      expect((await store.runs(session.id)).map((run) => run.id)).toEqual([first.id]);
      const beside = await store.startRun(session.id, { allowConcurrent: true });
      await store.finishRun(first.id, { status: 'completed' });
      // The concurrent one is still running, so a plain start is still refused.
      expect(SessionConflictError.isInstance(await rejectionOf(store.startRun(session.id)))).toBe(true);
      await store.finishRun(beside.id, { status: 'failed' });
      const next = await store.startRun(session.id);
      expect(next.status).toBe('running');
    });

    it('lets exactly one of two stores racing to start a run on a session win', async () => {
      const stores = await Promise.all([context.open(), context.open(), context.open()]);
      const { session } = await sessionWithMessages(stores[0]!, 1);
      const outcomes = await Promise.allSettled(stores.map((store) => store.startRun(session.id)));
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      for (const outcome of outcomes) if (outcome.status === 'rejected') expect(SessionConflictError.isInstance(outcome.reason)).toBe(true);
      expect(await stores[1]!.runs(session.id)).toHaveLength(1);
    });

    it('does not let a run whose writer died block the session', async () => {
      const clock = new ManualClock();
      const store = await context.open({ clock: clock.now, staleRunMs: 60_000 });
      const { session } = await sessionWithMessages(store, 1);
      const dead = await store.startRun(session.id);
      clock.advance(60_001);
      const next = await store.startRun(session.id);
      expect((await store.runs(session.id)).map((run) => [run.id, run.status])).toEqual([
        [dead.id, 'interrupted'],
        [next.id, 'running'],
      ]);
    });

    it('keeps the runs in flight out of the public session, its exports and its forks', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 1);
      const run = await store.startRun(session.id);
      await store.cancelRun(run.id);
      expect(Object.keys(await mustGet(store, session.id))).not.toContain('liveRuns');
      const lines: string[] = [];
      for await (const line of store.export([session.id])) lines.push(line);
      expect(lines.join('\n')).not.toContain('liveRuns');
      // An export taken mid-run imports elsewhere, and the fork starts a run at once.
      const other = await context.open();
      await other.import(lines);
      const fork = await store.fork(session.id);
      expect((await store.startRun(fork.id)).status).toBe('running');
    });

    it('reaches the writer\'s cancel watch from another store object within a second, and shows the request on the run', async () => {
      const writer = await context.open();
      const canceller = await context.open();
      const { session } = await sessionWithMessages(writer, 1);
      const run = await writer.startRun(session.id);
      const watch = writer.watchCancel(run.id);
      try {
        await writer.recordRunEvents(run.id, [{ type: 'run-start' }]);
        expect(await abortedWithin(watch.signal, 150)).toBe(false);
        const requested = await canceller.cancelRun(run.id, { reason: 'the user pressed stop' });
        expect(requested).toMatchObject({ id: run.id, status: 'running', cancelRequested: { reason: 'the user pressed stop' } });
        expect(await abortedWithin(watch.signal, 1_000)).toBe(true);
        expect(watch.signal.reason).toMatchObject({ name: 'AbortError', message: 'The run was cancelled: the user pressed stop' });
        // What the writer does on seeing it: end the run cancelled; what it wrote stays.
        await writer.finishRun(run.id, { status: 'cancelled', error: { message: String((watch.signal.reason as Error).message) } });
        const ended = await canceller.getRun(run.id);
        expect(ended).toMatchObject({ status: 'cancelled' });
        expect(ended?.cancelRequested).toBeUndefined();
        expect(await canceller.runEvents(run.id)).toHaveLength(1);
      } finally {
        watch.close();
      }
    });

    it('keeps the first request when asked twice, and returns a run that already ended as it is', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 1);
      const run = await store.startRun(session.id);
      const first = await store.cancelRun(run.id, { reason: 'first' });
      const second = await store.cancelRun(run.id, { reason: 'second' });
      expect(second.cancelRequested).toEqual(first.cancelRequested);
      const version = (await mustGet(store, session.id)).version;
      const finished = await store.finishRun(run.id, { status: 'completed' });
      const late = await store.cancelRun(run.id);
      expect(late).toEqual(finished);
      expect((await mustGet(store, session.id)).version).toBe(version + 1);
    });

    it('watches a run that is cancelled before the watch starts', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 1);
      const run = await store.startRun(session.id);
      await store.cancelRun(run.id);
      const watch = store.watchCancel(run.id);
      try {
        expect(await abortedWithin(watch.signal, 1_000)).toBe(true);
        expect(watch.signal.reason).toMatchObject({ name: 'AbortError', message: 'The run was cancelled.' });
      } finally {
        watch.close();
      }
    });

    it('refuses a bad reason and another user\'s run, changing nothing', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 1, { userId: uniqueId('user') });
      const run = await store.startRun(session.id);
      const version = (await mustGet(store, session.id)).version;
      expect(InvalidArgumentError.isInstance(await rejectionOf(store.cancelRun(run.id, { reason: 'x'.repeat(1_001) })))).toBe(true);
      expect(InvalidArgumentError.isInstance(await rejectionOf(store.cancelRun(run.id, { reason: 42 as never })))).toBe(true);
      const stranger = store.withScope({ userId: uniqueId('user') });
      expect(RunNotFoundError.isInstance(await rejectionOf(stranger.cancelRun(run.id)))).toBe(true);
      expect(RunNotFoundError.isInstance(await rejectionOf(store.cancelRun(uniqueId('run'))))).toBe(true);
      expect((await mustGet(store, session.id)).version).toBe(version);
      expect((await store.getRun(run.id))?.cancelRequested).toBeUndefined();
    });
  });
}
