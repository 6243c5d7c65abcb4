/** Runs: recorded with status, timing and usage, an ordered event log, and usage summed into the session atomically. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, RunNotFoundError, SessionNotFoundError } from '../index.js';
import { ManualClock } from './clock.js';
import type { SuiteContext } from './context.js';
import { mustGet, rejectionOf, sessionWithMessages, uniqueId } from './helpers.js';

export function registerRunTests(context: SuiteContext): void {
  describe('runs', () => {
    it('records a run from start to finish, with its usage added to the session', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 1);
      const run = await store.startRun(session.id, { agentName: 'helper', metadata: { model: 'scripted' } });
      expect(run).toMatchObject({ sessionId: session.id, status: 'running', agentName: 'helper', metadata: { model: 'scripted' } });
      expect(run.endedAt).toBeUndefined();
      const finished = await store.finishRun(run.id, {
        status: 'completed',
        usage: { inputTokens: 12, outputTokens: 5, totalTokens: 17, costUsd: 0.001 },
      });
      expect(finished).toMatchObject({ id: run.id, status: 'completed', usage: { inputTokens: 12, outputTokens: 5, totalTokens: 17, costUsd: 0.001 } });
      expect(finished.endedAt).toBeGreaterThanOrEqual(run.startedAt);
      expect(await store.getRun(run.id)).toEqual(finished);
      expect((await mustGet(store, session.id)).usage).toEqual({ inputTokens: 12, outputTokens: 5, totalTokens: 17, costUsd: 0.001 });
    });

    it('lists a session\'s runs oldest first, each with its own status and error', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 1);
      const first = await store.startRun(session.id);
      await store.finishRun(first.id, { status: 'failed', error: { message: 'model refused', name: 'APICallError' } });
      const second = await store.startRun(session.id);
      await store.finishRun(second.id, { status: 'cancelled' });
      const third = await store.startRun(session.id);
      const runs = await store.runs(session.id);
      expect(runs.map((run) => run.id)).toEqual([first.id, second.id, third.id]);
      expect(runs.map((run) => run.status)).toEqual(['failed', 'cancelled', 'running']);
      expect(runs[0]?.error).toEqual({ message: 'model refused', name: 'APICallError' });
    });

    it('keeps the event log in order across several writes, data read back equal', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 1);
      const run = await store.startRun(session.id);
      await store.recordRunEvents(run.id, [
        { type: 'run-start', data: { input: 'hi' } },
        { type: 'text', data: { text: 'Hel' } },
      ]);
      await store.recordRunEvents(run.id, [{ type: 'tool-call', data: { toolName: 'search', input: { q: 'x', n: [1, 2] } } }]);
      await store.recordRunEvents(run.id, [{ type: 'tool-result', data: { output: null } }, { type: 'step-end' }]);
      const events = await store.runEvents(run.id);
      expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(events.map((event) => event.type)).toEqual(['run-start', 'text', 'tool-call', 'tool-result', 'step-end']);
      expect(events[2]?.data).toEqual({ toolName: 'search', input: { q: 'x', n: [1, 2] } });
      expect(events[4]?.data).toBeNull();
      expect((await store.runEvents(run.id, { afterSeq: 2, limit: 2 })).map((event) => event.seq)).toEqual([3, 4]);
    });

    it('counts both of two runs that finish at once in the session usage', async () => {
      const first = await context.open();
      const second = await context.open();
      const { session } = await sessionWithMessages(first, 1);
      const runs = await Promise.all(Array.from({ length: 6 }, () => first.startRun(session.id, { allowConcurrent: true })));
      await Promise.all(
        runs.map((run, index) =>
          (index % 2 === 0 ? first : second).finishRun(run.id, { status: 'completed', usage: { inputTokens: 10 + index, outputTokens: 1 } }),
        ),
      );
      const usage = (await mustGet(first, session.id)).usage;
      expect(usage).toEqual({ inputTokens: 6 * 10 + 15, outputTokens: 6, totalTokens: 6 * 10 + 15 + 6 });
      const perRun = (await first.runs(session.id)).reduce((total, run) => total + run.usage.inputTokens, 0);
      expect(perRun).toBe(usage.inputTokens);
    });

    it('finishing a run twice changes nothing the second time', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 1);
      const run = await store.startRun(session.id);
      const finished = await store.finishRun(run.id, { status: 'completed', usage: { inputTokens: 3, outputTokens: 2 } });
      const again = await store.finishRun(run.id, { status: 'failed', usage: { inputTokens: 100, outputTokens: 100 } });
      expect(again).toEqual(finished);
      expect((await mustGet(store, session.id)).usage).toMatchObject({ inputTokens: 3, outputTokens: 2 });
    });

    it('refuses runs on an unknown session, unknown run ids and bad statuses', async () => {
      const store = await context.open();
      expect(SessionNotFoundError.isInstance(await rejectionOf(store.startRun(uniqueId('session'))))).toBe(true);
      expect(RunNotFoundError.isInstance(await rejectionOf(store.runEvents(uniqueId('run'))))).toBe(true);
      expect(InvalidArgumentError.isInstance(await rejectionOf(store.startRun('../x')))).toBe(true);
      const { session } = await sessionWithMessages(store, 1);
      const run = await store.startRun(session.id);
      const bad = await rejectionOf(store.finishRun(run.id, { status: 'running' as never }));
      expect(InvalidArgumentError.isInstance(bad)).toBe(true);
      expect((await store.getRun(run.id))?.status).toBe('running');
    });

    const staleRunMs = 60_000;
    /** A run started by one store object and read by another, both on a hand-moved clock. */
    async function startWatchedRun() {
      const clock = new ManualClock();
      const writer = await context.open({ clock: clock.now, staleRunMs });
      const reader = await context.open({ clock: clock.now, staleRunMs });
      const { session } = await sessionWithMessages(writer, 1);
      const run = await writer.startRun(session.id);
      return { clock, writer, reader, session, run };
    }

    it('reads a run whose writer fell silent for staleRunMs as interrupted, in every process', async () => {
      const { clock, writer, reader, session, run } = await startWatchedRun();
      expect(run.lastActiveAt).toBe(clock.now());

      clock.advance(staleRunMs);
      expect((await reader.getRun(run.id))?.status).toBe('running');
      clock.advance(1);
      expect((await reader.getRun(run.id))?.status).toBe('interrupted');
      expect((await reader.runs(session.id)).map((listed) => listed.status)).toEqual(['interrupted']);
      // Runners beat four times per window, so one late beat does not make a live run look dead.
      expect(writer.runHeartbeatMs).toBe(staleRunMs / 4);
    });

    it('keeps a run running while its writer records events or heartbeats', async () => {
      const { clock, writer, reader, session, run } = await startWatchedRun();

      clock.advance(staleRunMs - 1);
      await writer.recordRunEvents(run.id, [{ type: 'step-start' }]);
      clock.advance(staleRunMs - 1);
      const beat = await writer.heartbeatRun(run.id);
      expect(beat).toMatchObject({ status: 'running', lastActiveAt: clock.now() });
      clock.advance(staleRunMs - 1);
      expect(await reader.getRun(run.id)).toMatchObject({ status: 'running', lastActiveAt: clock.now() - (staleRunMs - 1) });

      // A writer that was only slow may still finish what looked interrupted; then it is what it says.
      clock.advance(staleRunMs + 1);
      expect((await reader.getRun(run.id))?.status).toBe('interrupted');
      const finished = await writer.finishRun(run.id, { status: 'completed', usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4 } });
      expect(finished).toMatchObject({ status: 'completed', endedAt: clock.now(), lastActiveAt: clock.now() });
      clock.advance(10 * staleRunMs);
      expect((await reader.getRun(run.id))?.status).toBe('completed');
      expect(await writer.heartbeatRun(run.id)).toEqual(await reader.getRun(run.id));
    });

    it('lets any process finish a dead run as interrupted, once', async () => {
      const clock = new ManualClock();
      const store = await context.open({ clock: clock.now });
      const { session } = await sessionWithMessages(store, 1);
      const run = await store.startRun(session.id);
      const finished = await store.finishRun(run.id, { status: 'interrupted', error: { message: 'the worker was replaced' } });
      expect(finished).toMatchObject({ status: 'interrupted', endedAt: clock.now(), error: { message: 'the worker was replaced' } });
      expect((await store.finishRun(run.id, { status: 'completed' })).status).toBe('interrupted');
    });

    it('hides another user\'s runs from a scoped view', async () => {
      const store = await context.open();
      const owner = uniqueId('user');
      const { session } = await sessionWithMessages(store, 1, { userId: owner });
      const run = await store.startRun(session.id);
      const stranger = store.withScope({ userId: uniqueId('user') });
      expect(await stranger.getRun(run.id)).toBeUndefined();
      expect(SessionNotFoundError.isInstance(await rejectionOf(stranger.runs(session.id)))).toBe(true);
      expect(RunNotFoundError.isInstance(await rejectionOf(stranger.runEvents(run.id)))).toBe(true);
      expect(await store.withScope({ userId: owner }).getRun(run.id)).toMatchObject({ id: run.id });
    });

    it('deletes a session\'s runs and their events with the session', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 1);
      const run = await store.startRun(session.id);
      await store.recordRunEvents(run.id, [{ type: 'text', data: { text: 'x' } }]);
      expect(await store.delete(session.id)).toBe(true);
      expect(await store.getRun(run.id)).toBeUndefined();
    });
  });
}
