/** deleteMessagesAfter and deleteSegment: counts of what went, nothing else touched, idempotent, ids free again. */
import { describe, expect, it } from 'vitest';
import type { DriverSuiteContext } from './context.js';
import { createSession, messageRecord, messageRecords, segmentRecord, uniqueId } from './records.js';

export function registerDeletionTests(context: DriverSuiteContext): void {
  describe('deleting messages and segments', () => {
    it('deletes a segment\'s messages after a seq, returning how many, idempotently', async () => {
      const driver = context.driver();
      const { session, messages } = await createSession(driver, {}, 5);
      const other = segmentRecord(session.id);
      const untouched = messageRecords(other.id, 4);
      await driver.commit({ segments: [other], messages: untouched });

      expect(await driver.deleteMessagesAfter(session.headSegmentId, 2)).toBe(3);
      expect(await driver.deleteMessagesAfter(session.headSegmentId, 2)).toBe(0);
      expect(await driver.readMessages(session.headSegmentId, { fromSeq: 1, toSeq: 100, order: 'asc' })).toStrictEqual(messages.slice(0, 2));
      expect(await driver.locateMessage(messages[2]?.id ?? '')).toBeUndefined();
      expect(await driver.locateMessage(messages[1]?.id ?? '')).toEqual({ segmentId: session.headSegmentId, seq: 2 });
      expect(await driver.readMessages(other.id, { fromSeq: 1, toSeq: 100, order: 'asc' })).toStrictEqual(untouched);
      expect(await driver.getSegment(session.headSegmentId)).toBeDefined();
      expect(await driver.deleteMessagesAfter(session.headSegmentId, 0)).toBe(2);
      expect(await driver.deleteMessagesAfter(uniqueId('missing'), 0)).toBe(0);
    });

    it('deletes a segment with its messages, returning how many, idempotently; other segments stay', async () => {
      const driver = context.driver();
      const { session, messages: kept } = await createSession(driver, {}, 2);
      const doomed = segmentRecord(session.id, { parentId: session.headSegmentId, baseSeq: 1 });
      const doomedMessages = messageRecords(doomed.id, 3, 2);
      await driver.commit({ segments: [doomed], messages: doomedMessages });

      expect(await driver.deleteSegment(doomed.id)).toBe(3);
      expect(await driver.deleteSegment(doomed.id)).toBe(0);
      expect(await driver.getSegment(doomed.id)).toBeUndefined();
      expect(await driver.readMessages(doomed.id, { fromSeq: 1, toSeq: 100, order: 'asc' })).toEqual([]);
      for (const message of doomedMessages) expect(await driver.locateMessage(message.id)).toBeUndefined();
      expect((await driver.listSegments({ sessionId: session.id })).map((segment) => segment.id)).toEqual([session.headSegmentId]);
      expect(await driver.listSegments({ parentId: session.headSegmentId })).toEqual([]);
      expect(await driver.readMessages(session.headSegmentId, { fromSeq: 1, toSeq: 100, order: 'asc' })).toStrictEqual(kept);
      expect(await driver.deleteSegment(uniqueId('missing'))).toBe(0);
    });

    it('deletes an empty segment, returning 0', async () => {
      const driver = context.driver();
      const { session } = await createSession(driver);
      const empty = segmentRecord(session.id, { parentId: session.headSegmentId });
      await driver.commit({ segments: [empty] });
      expect(await driver.deleteSegment(empty.id)).toBe(0);
      expect(await driver.getSegment(empty.id)).toBeUndefined();
      expect(await driver.listSegments({ parentId: session.headSegmentId })).toEqual([]);
    });

    it('frees the ids of deleted messages for new ones', async () => {
      const driver = context.driver();
      const { session, messages } = await createSession(driver, {}, 2);
      const branch = segmentRecord(session.id);
      const onBranch = messageRecord(branch.id, 1);
      await driver.commit({ segments: [branch], messages: [onBranch] });
      await driver.deleteMessagesAfter(session.headSegmentId, 1);
      await driver.deleteSegment(branch.id);
      const reused = [messageRecord(session.headSegmentId, 2, { id: messages[1]?.id ?? '' }), messageRecord(session.headSegmentId, 3, { id: onBranch.id })];
      await driver.commit({ sessions: [{ record: { ...session, version: 2, messageCount: 3 }, expectedVersion: 1 }], messages: reused });
      expect(await driver.locateMessage(onBranch.id)).toEqual({ segmentId: session.headSegmentId, seq: 3 });
      expect(await driver.readMessages(session.headSegmentId, { fromSeq: 2, toSeq: 3, order: 'asc' })).toStrictEqual(reused);
    });
  });
}
