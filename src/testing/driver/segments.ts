/** Segments: read back exactly, listed by owner or by parent in creation order (by `createdAt`, ties in the order they were written). */
import { describe, expect, it } from 'vitest';
import type { SegmentRecord } from '../../driver/driver.js';
import type { DriverSuiteContext } from './context.js';
import { createSession, segmentRecord, uniqueId } from './records.js';

const idsOf = (records: SegmentRecord[]): string[] => records.map((record) => record.id);

export function registerSegmentTests(context: DriverSuiteContext): void {
  describe('segments', () => {
    it('reads a segment back exactly, with or without a parent, and undefined for an unknown id', async () => {
      const driver = context.driver();
      const { session, segment: root } = await createSession(driver);
      const child = segmentRecord(session.id, { parentId: root.id, baseSeq: 2, createdAt: 2_000 });
      await driver.commit({ segments: [child] });
      expect(await driver.getSegment(child.id)).toStrictEqual(child);
      const readRoot = await driver.getSegment(root.id);
      expect(readRoot).toStrictEqual(root);
      expect(Object.hasOwn(readRoot ?? {}, 'parentId')).toBe(false);
      expect(await driver.getSegment(uniqueId('missing'))).toBeUndefined();
    });

    it('lists the segments a session owns and those continuing a segment, in creation order', async () => {
      const driver = context.driver();
      const { session, segment: root } = await createSession(driver);
      const other = uniqueId('other-session');
      const first = segmentRecord(session.id, { parentId: root.id, baseSeq: 1, createdAt: 2_000 });
      const tied = segmentRecord(session.id, { createdAt: 2_000 });
      const elsewhere = segmentRecord(other, { parentId: root.id, baseSeq: 0, createdAt: 2_500 });
      const late = segmentRecord(session.id, { parentId: root.id, baseSeq: 1, createdAt: 3_000 });
      await driver.commit({ segments: [first, tied] });
      await driver.commit({ segments: [elsewhere] });
      await driver.commit({ segments: [late] });
      expect(idsOf(await driver.listSegments({ sessionId: session.id }))).toEqual([root.id, first.id, tied.id, late.id]);
      expect(idsOf(await driver.listSegments({ parentId: root.id }))).toEqual([first.id, elsewhere.id, late.id]);
      expect(await driver.listSegments({ sessionId: other })).toStrictEqual([elsewhere]);
      expect(await driver.listSegments({ parentId: first.id })).toEqual([]);
      expect(await driver.listSegments({ sessionId: uniqueId('nobody') })).toEqual([]);
    });

    it('orders by createdAt, not by the order of writing, when they differ (an imported history)', async () => {
      const driver = context.driver();
      const { session, segment: root } = await createSession(driver);
      const late = segmentRecord(session.id, { parentId: root.id, baseSeq: 0, createdAt: 3_000 });
      const early = segmentRecord(session.id, { parentId: root.id, baseSeq: 0, createdAt: 2_000 });
      await driver.commit({ segments: [late] });
      await driver.commit({ segments: [early] });
      expect(idsOf(await driver.listSegments({ sessionId: session.id }))).toEqual([root.id, early.id, late.id]);
      expect(idsOf(await driver.listSegments({ parentId: root.id }))).toEqual([early.id, late.id]);
    });
  });
}
