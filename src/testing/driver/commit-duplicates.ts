/**
 * Commit batches and their uniqueness conditions: a message id is taken once in the whole store
 * (`duplicate-message`), an operation id once per session (`duplicate-operation`), whether the
 * earlier one is stored or in the same batch. The failed batch applies nothing.
 */
import { describe, expect, it } from 'vitest';
import type { DriverSuiteContext } from './context.js';
import { conflictOf } from './expectations.js';
import { createSession, messageRecord, operationRecord, segmentRecord } from './records.js';

export function registerDuplicateTests(context: DriverSuiteContext): void {
  describe('commit: duplicates', () => {
    it('fails a batch holding a stored message id with duplicate-message, naming it, and applies nothing', async () => {
      const driver = context.driver();
      const { session, messages } = await createSession(driver, {}, 1);
      const taken = messages[0]?.id ?? '';
      const fresh = messageRecord(session.headSegmentId, 2);
      const otherSegment = segmentRecord(session.id);
      const reason = await conflictOf(
        driver.commit({
          sessions: [{ record: { ...session, version: 2, messageCount: 3 }, expectedVersion: 1 }],
          segments: [otherSegment],
          messages: [fresh, messageRecord(session.headSegmentId, 3, { id: taken })],
        }),
      );
      expect(reason).toEqual({ kind: 'duplicate-message', messageId: taken });
      expect(await driver.getSession(session.id)).toStrictEqual(session);
      expect(await driver.getSegment(otherSegment.id)).toBeUndefined();
      expect(await driver.locateMessage(fresh.id)).toBeUndefined();
      expect(await driver.locateMessage(taken)).toEqual({ segmentId: session.headSegmentId, seq: 1 });
    });

    it('treats a message id taken in another session\'s segment as a duplicate', async () => {
      const driver = context.driver();
      const { messages } = await createSession(driver, {}, 1);
      const { session: other } = await createSession(driver);
      const taken = messages[0]?.id ?? '';
      expect(await conflictOf(driver.commit({ messages: [messageRecord(other.headSegmentId, 1, { id: taken })] }))).toEqual({
        kind: 'duplicate-message',
        messageId: taken,
      });
      expect(await driver.readMessages(other.headSegmentId, { fromSeq: 1, toSeq: 10, order: 'asc' })).toEqual([]);
    });

    it('treats a message id repeated inside one batch as a duplicate', async () => {
      const driver = context.driver();
      const { session } = await createSession(driver);
      const first = messageRecord(session.headSegmentId, 1);
      expect(await conflictOf(driver.commit({ messages: [first, messageRecord(session.headSegmentId, 2, { id: first.id })] }))).toEqual({
        kind: 'duplicate-message',
        messageId: first.id,
      });
      expect(await driver.locateMessage(first.id)).toBeUndefined();
    });

    it('fails a batch holding a stored operation with duplicate-operation, naming it, and applies nothing', async () => {
      const driver = context.driver();
      const { session } = await createSession(driver);
      const done = operationRecord(session.id, { messageIds: ['earlier'] });
      await driver.commit({ operations: [done] });
      const retry = messageRecord(session.headSegmentId, 1);
      const other = operationRecord(session.id);
      const reason = await conflictOf(
        driver.commit({
          sessions: [{ record: { ...session, version: 2, messageCount: 1 }, expectedVersion: 1 }],
          messages: [retry],
          operations: [other, { ...done, messageIds: [retry.id], createdAt: 2_000 }],
        }),
      );
      expect(reason).toEqual({ kind: 'duplicate-operation', sessionId: session.id, operationId: done.operationId });
      expect(await driver.getSession(session.id)).toStrictEqual(session);
      expect(await driver.locateMessage(retry.id)).toBeUndefined();
      expect(await driver.getOperation(session.id, other.operationId)).toBeUndefined();
      expect(await driver.getOperation(session.id, done.operationId)).toStrictEqual(done);
    });

    it('treats an operation repeated inside one batch as a duplicate', async () => {
      const driver = context.driver();
      const { session } = await createSession(driver);
      const operation = operationRecord(session.id);
      expect(await conflictOf(driver.commit({ operations: [operation, { ...operation, createdAt: 2_000 }] }))).toEqual({
        kind: 'duplicate-operation',
        sessionId: session.id,
        operationId: operation.operationId,
      });
      expect(await driver.getOperation(session.id, operation.operationId)).toBeUndefined();
    });

    it('keeps operation ids per session: the same id on another session is no duplicate', async () => {
      const driver = context.driver();
      const { session } = await createSession(driver);
      const { session: other } = await createSession(driver);
      const operation = operationRecord(session.id, { messageIds: ['a'] });
      await driver.commit({ operations: [operation] });
      const elsewhere = { ...operation, sessionId: other.id, messageIds: ['b'] };
      await driver.commit({ operations: [elsewhere] });
      expect(await driver.getOperation(session.id, operation.operationId)).toStrictEqual(operation);
      expect(await driver.getOperation(other.id, operation.operationId)).toStrictEqual(elsewhere);
    });
  });
}
