/**
 * collectCheckpoints (capability `checkpoints`): checkpoints whose message is gone go first, then
 * blobs no remaining checkpoint uses; it returns what went and is idempotent. Collection is
 * store-wide, so each test first collects what earlier tests left, then counts only its own.
 */
import { describe, expect, it } from 'vitest';
import type { DriverSuiteContext } from './context.js';
import { blobRecord, checkpointRecord, createSession, segmentRecord, messageRecords } from './records.js';

export function registerCollectionTests(context: DriverSuiteContext): void {
  describe('checkpoint collection', () => {
    it('removes checkpoints whose message is gone, then the blobs no checkpoint uses, counting each', async ({ skip }) => {
      const driver = context.checkpointDriver({ skip });
      await driver.collectCheckpoints();
      const { session, messages } = await createSession(driver, {}, 2);
      const [keep, drop] = messages.map((message) => message.id) as [string, string];
      const [shared, onlyDropped, unused] = [blobRecord(), blobRecord(), blobRecord()];
      await driver.commit({
        blobs: [shared, onlyDropped, unused],
        checkpoints: [
          checkpointRecord(keep, session.id, { blobHashes: [shared.hash] }),
          checkpointRecord(drop, session.id, { blobHashes: [shared.hash, onlyDropped.hash] }),
        ],
      });
      expect(await driver.collectCheckpoints()).toEqual({ checkpoints: 0, blobs: 1 });
      expect(await driver.getBlob(unused.hash)).toBeUndefined();

      await driver.deleteMessagesAfter(session.headSegmentId, 1);
      expect(await driver.collectCheckpoints()).toEqual({ checkpoints: 1, blobs: 1 });
      expect(await driver.getCheckpoint(drop)).toBeUndefined();
      expect(await driver.getCheckpoint(keep)).toBeDefined();
      expect(await driver.listCheckpoints(session.id)).toHaveLength(1);
      expect(await driver.getBlob(shared.hash)).toEqual(shared.bytes);
      expect(await driver.getBlob(onlyDropped.hash)).toBeUndefined();
      expect(await driver.missingBlobs([shared.hash, onlyDropped.hash])).toEqual([onlyDropped.hash]);
      expect(await driver.collectCheckpoints()).toEqual({ checkpoints: 0, blobs: 0 });
    });

    it('collects the checkpoints of a deleted segment\'s messages, keeping a blob another session\'s checkpoint uses', async ({ skip }) => {
      const driver = context.checkpointDriver({ skip });
      await driver.collectCheckpoints();
      const { session } = await createSession(driver);
      const { session: other, messages: otherMessages } = await createSession(driver, {}, 1);
      const branch = segmentRecord(session.id);
      const branchMessages = messageRecords(branch.id, 2);
      const shared = blobRecord();
      await driver.commit({
        segments: [branch],
        messages: branchMessages,
        blobs: [shared],
        checkpoints: [
          ...branchMessages.map((message) => checkpointRecord(message.id, session.id, { blobHashes: [shared.hash] })),
          checkpointRecord(otherMessages[0]?.id ?? '', other.id, { blobHashes: [shared.hash] }),
        ],
      });
      await driver.deleteSegment(branch.id);
      expect(await driver.collectCheckpoints()).toEqual({ checkpoints: 2, blobs: 0 });
      expect(await driver.listCheckpoints(session.id)).toEqual([]);
      expect(await driver.listCheckpoints(other.id)).toHaveLength(1);
      expect(await driver.getBlob(shared.hash)).toEqual(shared.bytes);
    });
  });
}
