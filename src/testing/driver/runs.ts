/**
 * Runs (capability `runs`): put (insert or replace) in batches, read back exactly, listed per
 * session by `startedAt`, then id; events read after a seq with a limit, replaced at an existing
 * seq; a session's deletion takes its runs and their events along.
 */
import { describe, expect, it } from 'vitest';
import type { DriverSuiteContext } from './context.js';
import { createSession, runEventRecord, runRecord, uniqueId } from './records.js';

export function registerRunTests(context: DriverSuiteContext): void {
  describe('runs', () => {
    it('reads a run back exactly, optional fields present or absent, and undefined for an unknown id', async ({ skip }) => {
      const driver = context.runDriver({ skip });
      const { session } = await createSession(driver);
      const finished = runRecord(session.id, {
        status: 'failed',
        startedAt: 1_000,
        endedAt: 2_000,
        lastActiveAt: 1_900,
        usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7, costUsd: 0.01 },
        error: { message: 'model refused', name: 'APICallError' },
        agentName: 'helper',
        metadata: { model: 'scripted', hostile: "'); DROP TABLE runs; --" },
        eventCount: 3,
      });
      const { lastActiveAt: _lastActiveAt, ...bare } = runRecord(session.id);
      await driver.commit({ runs: [finished, bare] });
      expect(await driver.getRun(finished.id)).toStrictEqual(finished);
      const readBare = await driver.getRun(bare.id);
      expect(readBare).toStrictEqual(bare);
      for (const key of ['endedAt', 'error', 'agentName', 'lastActiveAt']) expect(Object.hasOwn(readBare ?? {}, key), key).toBe(false);
      expect(await driver.getRun(uniqueId('missing'))).toBeUndefined();
    });

    it('replaces a run put again under its id', async ({ skip }) => {
      const driver = context.runDriver({ skip });
      const { session } = await createSession(driver);
      const started = runRecord(session.id, { agentName: 'helper' });
      await driver.commit({ runs: [started] });
      const { agentName: _agentName, ...done } = { ...started, status: 'completed' as const, endedAt: 5_000, eventCount: 2 };
      await driver.commit({ runs: [done] });
      expect(await driver.getRun(started.id)).toStrictEqual(done);
      expect(await driver.listRuns(session.id)).toStrictEqual([done]);
    });

    it('lists a session\'s runs by startedAt, ties by id, and no other session\'s', async ({ skip }) => {
      const driver = context.runDriver({ skip });
      const { session } = await createSession(driver);
      const { session: other } = await createSession(driver);
      const late = runRecord(session.id, { id: `a-late-${uniqueId('run')}`, startedAt: 9 });
      const tieB = runRecord(session.id, { id: `b-tie-${uniqueId('run')}`, startedAt: 5 });
      const tieA = runRecord(session.id, { id: `a-tie-${uniqueId('run')}`, startedAt: 5 });
      await driver.commit({ runs: [late, tieB] });
      await driver.commit({ runs: [tieA, runRecord(other.id, { startedAt: 1 })] });
      expect((await driver.listRuns(session.id)).map((run) => run.id)).toEqual([tieA.id, tieB.id, late.id]);
      expect(await driver.listRuns(uniqueId('nobody'))).toEqual([]);
    });

    it('reads events after a seq, in seq order, with a limit; an event put again at its seq replaces it', async ({ skip }) => {
      const driver = context.runDriver({ skip });
      const { session } = await createSession(driver);
      // As the core writes them: each batch of events moves the run's eventCount along.
      const run = runRecord(session.id, { eventCount: 3 });
      const neighbour = runRecord(session.id, { eventCount: 1 });
      const events = [1, 2, 3, 4, 5].map((seq) => runEventRecord(run.id, seq));
      await driver.commit({ runs: [run, neighbour], runEvents: [...events.slice(0, 3), runEventRecord(neighbour.id, 1)] });
      await driver.commit({ runs: [{ ...run, eventCount: 5 }], runEvents: events.slice(3) });
      const replaced = runEventRecord(run.id, 2, { type: 'replaced', data: JSON.stringify({ again: true }) });
      await driver.commit({ runEvents: [replaced] });
      const expected = [events[0], replaced, events[2], events[3], events[4]];

      expect(await driver.readRunEvents(run.id, { afterSeq: 0 })).toStrictEqual(expected);
      expect(await driver.readRunEvents(run.id, { afterSeq: 1, limit: 2 })).toStrictEqual(expected.slice(1, 3));
      expect(await driver.readRunEvents(run.id, { afterSeq: 3 })).toStrictEqual(expected.slice(3));
      expect(await driver.readRunEvents(run.id, { afterSeq: 5 })).toEqual([]);
      expect(await driver.readRunEvents(run.id, { afterSeq: 0, limit: 0 })).toEqual([]);
      expect(await driver.readRunEvents(neighbour.id, { afterSeq: 0 })).toStrictEqual([runEventRecord(neighbour.id, 1)]);
      expect(await driver.readRunEvents(uniqueId('missing'), { afterSeq: 0 })).toEqual([]);
    });

    it('deletes a session\'s runs and their events with the session', async ({ skip }) => {
      const driver = context.runDriver({ skip });
      const { session } = await createSession(driver);
      const { session: other } = await createSession(driver);
      const run = runRecord(session.id, { eventCount: 1 });
      const kept = runRecord(other.id, { eventCount: 1 });
      await driver.commit({ runs: [run, kept], runEvents: [runEventRecord(run.id, 1), runEventRecord(kept.id, 1)] });
      await driver.commit({ deleteSessions: [{ id: session.id, expectedVersion: 1 }] });
      expect(await driver.getRun(run.id)).toBeUndefined();
      expect(await driver.listRuns(session.id)).toEqual([]);
      expect(await driver.readRunEvents(run.id, { afterSeq: 0 })).toEqual([]);
      expect(await driver.getRun(kept.id)).toStrictEqual(kept);
      expect(await driver.readRunEvents(kept.id, { afterSeq: 0 })).toHaveLength(1);
    });
  });
}
