/** Messages: read by seq range in either order with a limit, located by id, confined to their segment. */
import { describe, expect, it } from 'vitest';
import type { MessageRecord } from '../../driver/driver.js';
import type { DriverSuiteContext } from './context.js';
import { createSession, messageRecord, messageRecords, segmentRecord, uniqueId } from './records.js';

const seqsOf = (records: MessageRecord[]): number[] => records.map((record) => record.seq);

export function registerMessageTests(context: DriverSuiteContext): void {
  describe('messages', () => {
    it('reads ranges by seq, in either order, with a limit, and nothing of a neighbouring segment', async () => {
      const driver = context.driver();
      const { session, messages } = await createSession(driver, {}, 10);
      const neighbour = segmentRecord(session.id);
      await driver.commit({ segments: [neighbour], messages: messageRecords(neighbour.id, 3) });
      const read = (range: { fromSeq: number; toSeq: number; order: 'asc' | 'desc'; limit?: number }) => driver.readMessages(session.headSegmentId, range);

      expect(await read({ fromSeq: 1, toSeq: 10, order: 'asc' })).toStrictEqual(messages);
      expect(seqsOf(await read({ fromSeq: 3, toSeq: 6, order: 'asc' }))).toEqual([3, 4, 5, 6]);
      expect(seqsOf(await read({ fromSeq: 3, toSeq: 6, order: 'desc' }))).toEqual([6, 5, 4, 3]);
      expect(seqsOf(await read({ fromSeq: 3, toSeq: 6, order: 'desc', limit: 2 }))).toEqual([6, 5]);
      expect(seqsOf(await read({ fromSeq: 1, toSeq: 100, order: 'asc', limit: 3 }))).toEqual([1, 2, 3]);
      expect(seqsOf(await read({ fromSeq: 0, toSeq: Number.MAX_SAFE_INTEGER, order: 'desc', limit: 2 }))).toEqual([10, 9]);
      expect(seqsOf(await read({ fromSeq: 9, toSeq: Number.MAX_SAFE_INTEGER, order: 'asc' }))).toEqual([9, 10]);
      expect(seqsOf(await read({ fromSeq: -Infinity, toSeq: Infinity, order: 'desc', limit: 2 }))).toEqual([10, 9]);
      expect(seqsOf(await read({ fromSeq: 4, toSeq: 4, order: 'asc' }))).toEqual([4]);
      expect(await read({ fromSeq: 1, toSeq: 10, order: 'asc', limit: 0 })).toEqual([]);
      expect(await read({ fromSeq: 7, toSeq: 6, order: 'asc' })).toEqual([]);
      expect(await read({ fromSeq: 11, toSeq: 20, order: 'desc' })).toEqual([]);
      expect(await driver.readMessages(uniqueId('missing'), { fromSeq: 1, toSeq: 10, order: 'asc' })).toEqual([]);
    });

    it('reads a message back exactly, with or without a run, whatever its body holds', async () => {
      const driver = context.driver();
      const { session } = await createSession(driver);
      const withRun = messageRecord(session.headSegmentId, 1, { runId: uniqueId('run') });
      const withoutRun = messageRecord(session.headSegmentId, 2, { body: JSON.stringify({ text: 'nul \u0000, lone \ud800, emoji 🎉, quote " and \\' }) });
      const rawBody = messageRecord(session.headSegmentId, 3, { body: 'not JSON at all: the body is opaque to the driver' });
      await driver.commit({ sessions: [{ record: { ...session, version: 2, messageCount: 3 }, expectedVersion: 1 }], messages: [withRun, withoutRun, rawBody] });
      const read = await driver.readMessages(session.headSegmentId, { fromSeq: 1, toSeq: 3, order: 'asc' });
      expect(read).toStrictEqual([withRun, withoutRun, rawBody]);
      expect(Object.hasOwn(read[1] ?? {}, 'runId')).toBe(false);
    });

    it('locates a message by id, and answers undefined for an unknown one', async () => {
      const driver = context.driver();
      const { session, messages } = await createSession(driver, {}, 3);
      const branch = segmentRecord(session.id, { parentId: session.headSegmentId, baseSeq: 2 });
      const onBranch = messageRecord(branch.id, 3);
      await driver.commit({ segments: [branch], messages: [onBranch] });
      expect(await driver.locateMessage(messages[1]?.id ?? '')).toEqual({ segmentId: session.headSegmentId, seq: 2 });
      expect(await driver.locateMessage(onBranch.id)).toEqual({ segmentId: branch.id, seq: 3 });
      expect(await driver.locateMessage(uniqueId('missing'))).toBeUndefined();
    });
  });
}
