/**
 * Commit batches and their version conditions: each session write is a compare-and-set on its
 * version (0: the session must not exist yet), `checks` guard sessions a batch reads, and
 * `deleteSessions` removes a session with its operation records.
 */
import { describe, expect, it } from 'vitest';
import { WriteConflict } from '../../driver/driver.js';
import type { DriverSuiteContext } from './context.js';
import { conflictOf } from './expectations.js';
import { createSession, messageRecord, operationRecord, segmentRecord, sessionRecord, uniqueId } from './records.js';

export function registerVersionTests(context: DriverSuiteContext): void {
  describe('commit: versions', () => {
    it('creates a session only at expectedVersion 0, and refuses a second creation with the version found', async () => {
      const driver = context.driver();
      const { session } = await createSession(driver, { version: 4 });
      expect(await driver.getSession(session.id)).toStrictEqual(session);
      const again = sessionRecord({ id: session.id, metadata: { second: true } });
      expect(await conflictOf(driver.commit({ sessions: [{ record: again, expectedVersion: 0 }] }))).toEqual({
        kind: 'version',
        sessionId: session.id,
        actualVersion: 4,
      });
      expect(await driver.getSession(session.id)).toStrictEqual(session);
    });

    it('moves a session by compare-and-set on its version, refusing a stale one', async () => {
      const driver = context.driver();
      const { session } = await createSession(driver);
      const appended = { ...session, version: 2, messageCount: 1, updatedAt: 2_000 };
      await driver.commit({ sessions: [{ record: appended, expectedVersion: 1 }], messages: [messageRecord(session.headSegmentId, 1)] });
      expect(await driver.getSession(session.id)).toStrictEqual(appended);

      const stale = { ...session, version: 2, metadata: { stale: true } };
      expect(await conflictOf(driver.commit({ sessions: [{ record: stale, expectedVersion: 1 }] }))).toEqual({
        kind: 'version',
        sessionId: session.id,
        actualVersion: 2,
      });
      expect(await driver.getSession(session.id)).toStrictEqual(appended);
    });

    it('reports actualVersion undefined for a session that does not exist, whichever write names it', async () => {
      const driver = context.driver();
      const absent = uniqueId('absent');
      const expected = { kind: 'version', sessionId: absent, actualVersion: undefined };
      expect(await conflictOf(driver.commit({ sessions: [{ record: sessionRecord({ id: absent, version: 2 }), expectedVersion: 1 }] }))).toEqual(expected);
      expect(await conflictOf(driver.commit({ deleteSessions: [{ id: absent, expectedVersion: 1 }] }))).toEqual(expected);
      expect(await conflictOf(driver.commit({ checks: [{ id: absent, version: 1 }] }))).toEqual(expected);
      expect(await driver.getSession(absent)).toBeUndefined();
    });

    it('applies a batch whose checks hold, and refuses one whose checked session moved, leaving the checked session as it was', async () => {
      const driver = context.driver();
      const { session: source } = await createSession(driver, { version: 3 });
      const fork = sessionRecord({ parentId: source.id });
      const batch = {
        checks: [{ id: source.id, version: 2 }],
        sessions: [{ record: fork, expectedVersion: 0 }],
        segments: [segmentRecord(fork.id, { id: fork.headSegmentId, parentId: source.headSegmentId })],
      };
      expect(await conflictOf(driver.commit(batch))).toEqual({ kind: 'version', sessionId: source.id, actualVersion: 3 });
      expect(await driver.getSession(fork.id)).toBeUndefined();

      await driver.commit({ ...batch, checks: [{ id: source.id, version: 3 }] });
      expect(await driver.getSession(fork.id)).toStrictEqual(fork);
      expect(await driver.getSegment(fork.headSegmentId)).toBeDefined();
      expect(await driver.getSession(source.id)).toStrictEqual(source);
    });

    it('deletes a session with its operation records at its version, keeping its segments and messages', async () => {
      const driver = context.driver();
      const { session, messages } = await createSession(driver, { version: 2 }, 1);
      const operation = operationRecord(session.id, { messageIds: messages.map((message) => message.id) });
      await driver.commit({ operations: [operation] });

      expect(await conflictOf(driver.commit({ deleteSessions: [{ id: session.id, expectedVersion: 1 }] }))).toEqual({
        kind: 'version',
        sessionId: session.id,
        actualVersion: 2,
      });
      expect(await driver.getSession(session.id)).toStrictEqual(session);

      await driver.commit({ deleteSessions: [{ id: session.id, expectedVersion: 2 }] });
      expect(await driver.getSession(session.id)).toBeUndefined();
      expect(await driver.getOperation(session.id, operation.operationId)).toBeUndefined();
      if (driver.capabilities.listOperations) expect(await driver.listOperations?.(session.id)).toEqual([]);
      // Segments stay for retention to collect: a fork may still reach them.
      expect(await driver.getSegment(session.headSegmentId)).toBeDefined();
      expect(await driver.locateMessage(messages[0]?.id ?? '')).toEqual({ segmentId: session.headSegmentId, seq: 1 });
      // The id is free again.
      await driver.commit({ sessions: [{ record: sessionRecord({ id: session.id }), expectedVersion: 0 }] });
      expect((await driver.getSession(session.id))?.version).toBe(1);
    });

    it('deletes before it puts, so one batch may delete and re-create an id', async () => {
      const driver = context.driver();
      const userId = uniqueId('phoenix-owner');
      const { session } = await createSession(driver, { userId, version: 2, metadata: { life: 1 } });
      const reborn = sessionRecord({ id: session.id, userId, version: 3, metadata: { life: 2 } });
      await driver.commit({ deleteSessions: [{ id: session.id, expectedVersion: 2 }], sessions: [{ record: reborn, expectedVersion: 2 }] });
      expect(await driver.getSession(session.id)).toStrictEqual(reborn);
      const listed = (life: number) => driver.listSessions({ userId, filter: { life }, orderBy: 'createdAt', order: 'asc', limit: 10 });
      expect(await listed(2)).toStrictEqual([reborn]);
      expect(await listed(1)).toEqual([]);
    });

    it('reports a version conflict before a duplicate when a batch has both', async () => {
      const driver = context.driver();
      const { session, messages } = await createSession(driver, {}, 1);
      const taken = messages[0]?.id ?? '';
      const reason = await conflictOf(
        driver.commit({
          sessions: [{ record: { ...session, version: 3 }, expectedVersion: 2 }],
          messages: [messageRecord(session.headSegmentId, 2, { id: taken })],
        }),
      );
      expect(reason).toEqual({ kind: 'version', sessionId: session.id, actualVersion: 1 });
    });

    it('lets exactly one of several concurrent creators of one id win; the others see its version', async () => {
      const driver = context.driver();
      const contested = uniqueId('contested');
      const outcomes = await Promise.allSettled(
        Array.from({ length: 6 }, (_, index) =>
          driver.commit({ sessions: [{ record: sessionRecord({ id: contested, metadata: { winner: index } }), expectedVersion: 0 }] }),
        ),
      );
      const winners = outcomes.flatMap((outcome, index) => (outcome.status === 'fulfilled' ? [index] : []));
      expect(winners).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') {
          expect(WriteConflict.is(outcome.reason) && outcome.reason.reason).toEqual({ kind: 'version', sessionId: contested, actualVersion: 1 });
        }
      }
      expect((await driver.getSession(contested))?.metadata).toEqual({ winner: winners[0] });
    });

    it('loses and duplicates nothing when concurrent appends retry on version conflicts', async () => {
      const driver = context.driver();
      const { session } = await createSession(driver);
      const append = async (): Promise<void> => {
        for (;;) {
          const current = await driver.getSession(session.id);
          if (current === undefined) throw new Error('the session vanished');
          const seq = current.messageCount + 1;
          try {
            await driver.commit({
              sessions: [{ record: { ...current, messageCount: seq, version: current.version + 1 }, expectedVersion: current.version }],
              messages: [messageRecord(session.headSegmentId, seq)],
            });
            return;
          } catch (error) {
            if (!WriteConflict.is(error) || error.reason.kind !== 'version') throw error;
          }
        }
      };
      const writers = Array.from({ length: 4 }, async () => {
        for (let count = 0; count < 5; count++) await append();
      });
      await Promise.all(writers);
      const final = await driver.getSession(session.id);
      expect(final).toMatchObject({ messageCount: 20, version: 21 });
      const rows = await driver.readMessages(session.headSegmentId, { fromSeq: 1, toSeq: 100, order: 'asc' });
      expect(rows.map((row) => row.seq)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    });
  });
}
