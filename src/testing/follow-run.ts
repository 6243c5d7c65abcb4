/**
 * Following a run (`followRun`): every event once and in order, from another store object over the
 * same backend (another process, as far as the store can tell), resuming after a seq, and ending
 * with the run: after `run-end`, when it finished without one, when its writer went silent past
 * `staleRunMs`, or when the follower's signal aborts. Another user's run reads as not found.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, RunNotFoundError, type RunEvent, type SessionStore } from '../index.js';
import type { SuiteContext } from './context.js';
import { rejectionOf, sessionWithMessages, uniqueId } from './helpers.js';

/** Collects a follow to its end (or fails the test after `timeoutMs`, rather than hang it). */
async function collect(events: AsyncIterable<RunEvent>, timeoutMs = 10_000): Promise<RunEvent[]> {
  const seen: RunEvent[] = [];
  const done = (async () => {
    for await (const event of events) seen.push(event);
    return seen;
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the follow did not end within ${timeoutMs} ms (saw ${seen.length} events)`)), timeoutMs);
  });
  try {
    return await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startedRun(store: SessionStore, init: { userId?: string } = {}) {
  const { session } = await sessionWithMessages(store, 1, init);
  const run = await store.startRun(session.id, { agentName: 'follow-test' });
  return { session, run };
}

export function registerFollowRunTests(context: SuiteContext): void {
  describe('followRun', () => {
    it('sees every event once and in order, from another store object, while they are recorded, and ends after run-end', async () => {
      const writer = await context.open();
      const reader = await context.open();
      const { run } = await startedRun(writer);
      await writer.recordRunEvents(run.id, [{ type: 'run-start', data: { n: 0 } }]);
      const following = collect(reader.followRun(run.id));
      for (let batch = 1; batch <= 5; batch += 1) {
        await pause(15);
        await writer.recordRunEvents(run.id, [
          { type: 'text-delta', data: { n: batch, text: `part ${batch}` } },
          { type: 'text-delta', data: { n: batch, text: 'more' } },
        ]);
      }
      await writer.recordRunEvents(run.id, [{ type: 'run-end', data: { status: 'completed' } }]);
      // Events after run-end are not the follower's business.
      await writer.finishRun(run.id, { status: 'completed' });
      const seen = await following;
      expect(seen.map((event) => event.seq)).toEqual(Array.from({ length: 12 }, (_, index) => index + 1));
      expect(seen.at(-1)?.type).toBe('run-end');
      expect(seen).toEqual(await writer.runEvents(run.id));
    });

    it('resumes exactly after afterSeq, and refuses a seq beyond the run\'s end or a bad one', async () => {
      const store = await context.open();
      const { run } = await startedRun(store);
      await store.recordRunEvents(run.id, Array.from({ length: 5 }, (_, index) => ({ type: 'text-delta', data: { index } })));
      await store.recordRunEvents(run.id, [{ type: 'run-end' }]);
      await store.finishRun(run.id, { status: 'completed' });
      expect((await collect(store.followRun(run.id, { afterSeq: 3 }))).map((event) => event.seq)).toEqual([4, 5, 6]);
      expect(await collect(store.followRun(run.id, { afterSeq: 6 }))).toEqual([]);
      for (const afterSeq of [7, -1, 1.5, Number.NaN]) {
        expect(InvalidArgumentError.isInstance(await rejectionOf(collect(store.followRun(run.id, { afterSeq }))))).toBe(true);
      }
    });

    it('reads a finished run to its end, also one finished without a run-end event', async () => {
      const store = await context.open();
      const { run } = await startedRun(store);
      await store.recordRunEvents(run.id, [{ type: 'step-start' }, { type: 'text', data: { text: 'done' } }]);
      await store.finishRun(run.id, { status: 'failed', error: { message: 'no run-end written' } });
      expect((await collect(store.followRun(run.id))).map((event) => event.type)).toEqual(['step-start', 'text']);
    });

    it('ends a follower that started before the run recorded anything when the run finishes', async () => {
      const writer = await context.open();
      const reader = await context.open();
      const { run } = await startedRun(writer);
      const following = collect(reader.followRun(run.id));
      await pause(30);
      await writer.finishRun(run.id, { status: 'cancelled' });
      expect(await following).toEqual([]);
    });

    it('ends the follow when the signal aborts, quietly', async () => {
      const store = await context.open();
      const { run } = await startedRun(store);
      await store.recordRunEvents(run.id, [{ type: 'run-start' }]);
      const controller = new AbortController();
      const following = collect(store.followRun(run.id, { signal: controller.signal }));
      await pause(30);
      controller.abort();
      expect((await following).map((event) => event.type)).toEqual(['run-start']);
      expect(await collect(store.followRun(run.id, { signal: AbortSignal.abort() }))).toEqual([]);
    });

    it('ends followers of a run whose writer died once the run reads interrupted, instead of waiting for ever', async () => {
      const staleRunMs = 400;
      const writer = await context.open({ staleRunMs });
      const reader = await context.open({ staleRunMs });
      const { run } = await startedRun(writer);
      await writer.recordRunEvents(run.id, [{ type: 'run-start' }]);
      const started = Date.now();
      // The writer records nothing more and never heartbeats: it is as good as dead.
      const seen = await collect(reader.followRun(run.id), 5_000);
      expect(seen.map((event) => event.type)).toEqual(['run-start']);
      expect(Date.now() - started).toBeGreaterThanOrEqual(staleRunMs - 50);
      expect((await reader.getRun(run.id))?.status).toBe('interrupted');
    });

    it('reads another user\'s run as not found through a scoped view', async () => {
      const store = await context.open();
      const { run } = await startedRun(store, { userId: uniqueId('user') });
      const stranger = store.withScope({ userId: uniqueId('user') });
      expect(RunNotFoundError.isInstance(await rejectionOf(collect(stranger.followRun(run.id))))).toBe(true);
      expect(RunNotFoundError.isInstance(await rejectionOf(collect(store.followRun(uniqueId('run')))))).toBe(true);
      expect(InvalidArgumentError.isInstance(await rejectionOf(collect(store.followRun('../etc'))))).toBe(true);
    });

    it('serves many followers of one run, each seeing the whole log', async () => {
      const writer = await context.open();
      const readers = await Promise.all([context.open(), context.open()]);
      const { run } = await startedRun(writer);
      const follows = readers.flatMap((reader) => [collect(reader.followRun(run.id)), collect(reader.followRun(run.id))]);
      for (let index = 0; index < 20; index += 1) await writer.recordRunEvents(run.id, [{ type: 'text-delta', data: { index } }]);
      await writer.recordRunEvents(run.id, [{ type: 'run-end' }]);
      const results = await Promise.all(follows);
      for (const seen of results) expect(seen.map((event) => event.seq)).toEqual(Array.from({ length: 21 }, (_, index) => index + 1));
    });
  });
}
