/**
 * Checkpoints and blobs (capability `checkpoints`): blobs stored once per hash and returned byte for
 * byte, `missingBlobs` naming only what is absent; checkpoints put by message id (replacing),
 * listed per session oldest first, and left in place when their session is deleted.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DriverSuiteContext } from './context.js';
import { blobRecord, checkpointRecord, createSession, uniqueId } from './records.js';

export function registerCheckpointTests(context: DriverSuiteContext): void {
  describe('checkpoints and blobs', () => {
    it('stores a blob once per hash and returns its bytes exactly', async ({ skip }) => {
      const driver = context.checkpointDriver({ skip });
      // Every byte value, then random ones so no other test stores the same hash.
      const binary = Uint8Array.from([...Array.from({ length: 256 }, (_, index) => index), ...randomBytes(64)]);
      const binaryHash = createHash('sha256').update(binary).digest('hex');
      const text = blobRecord();
      const empty = { hash: createHash('sha256').update(new Uint8Array()).digest('hex'), bytes: new Uint8Array() };
      await driver.commit({ blobs: [{ hash: binaryHash, bytes: binary }, text, text, empty] });
      // The same hash again with other bytes is left as it is (same hash, same bytes, by contract).
      await driver.commit({ blobs: [{ hash: text.hash, bytes: new TextEncoder().encode('other bytes') }] });
      expect(await driver.getBlob(binaryHash)).toEqual(binary);
      expect(await driver.getBlob(text.hash)).toEqual(text.bytes);
      expect(await driver.getBlob(empty.hash)).toEqual(new Uint8Array());
      expect(await driver.getBlob(blobRecord().hash)).toBeUndefined();
    });

    it('names the hashes not stored yet, each once', async ({ skip }) => {
      const driver = context.checkpointDriver({ skip });
      const stored = [blobRecord(), blobRecord()];
      await driver.commit({ blobs: stored });
      const [absent, alsoAbsent] = [blobRecord().hash, blobRecord().hash];
      const missing = await driver.missingBlobs([stored[0]?.hash ?? '', absent, absent, stored[1]?.hash ?? '', alsoAbsent]);
      expect([...missing].sort()).toEqual([absent, alsoAbsent].sort());
      expect(await driver.missingBlobs(stored.map((blob) => blob.hash))).toEqual([]);
      expect(await driver.missingBlobs([])).toEqual([]);
    });

    it('reads a checkpoint back exactly, replaced when put again, undefined for an unknown message', async ({ skip }) => {
      const driver = context.checkpointDriver({ skip });
      const { session, messages } = await createSession(driver, {}, 1);
      const blob = blobRecord();
      const first = checkpointRecord(messages[0]?.id ?? '', session.id, { blobHashes: [blob.hash], manifest: JSON.stringify({ files: ['a.txt'] }) });
      await driver.commit({ blobs: [blob], checkpoints: [first] });
      expect(await driver.getCheckpoint(first.messageId)).toStrictEqual(first);
      const replaced = { ...first, manifest: JSON.stringify({ files: [] }), blobHashes: [], createdAt: 2_000 };
      await driver.commit({ checkpoints: [replaced] });
      expect(await driver.getCheckpoint(first.messageId)).toStrictEqual(replaced);
      expect(await driver.listCheckpoints(session.id)).toStrictEqual([replaced]);
      expect(await driver.getCheckpoint(uniqueId('missing'))).toBeUndefined();
    });

    it('lists the checkpoints a session wrote, oldest first, and no other session\'s', async ({ skip }) => {
      const driver = context.checkpointDriver({ skip });
      const { session, messages } = await createSession(driver, {}, 3);
      const { session: other, messages: otherMessages } = await createSession(driver, {}, 1);
      const [first, second, third] = messages.map((message) => message.id);
      const late = checkpointRecord(first ?? '', session.id, { createdAt: 3_000 });
      const early = checkpointRecord(second ?? '', session.id, { createdAt: 1_000 });
      const middle = checkpointRecord(third ?? '', session.id, { createdAt: 2_000 });
      await driver.commit({ checkpoints: [late, early] });
      await driver.commit({ checkpoints: [middle, checkpointRecord(otherMessages[0]?.id ?? '', other.id)] });
      expect(await driver.listCheckpoints(session.id)).toStrictEqual([early, middle, late]);
      expect(await driver.listCheckpoints(uniqueId('nobody'))).toEqual([]);
    });

    it('keeps checkpoints and their blobs when their session is deleted (forks may still reach the messages)', async ({ skip }) => {
      const driver = context.checkpointDriver({ skip });
      const { session, messages } = await createSession(driver, {}, 1);
      const blob = blobRecord();
      const checkpoint = checkpointRecord(messages[0]?.id ?? '', session.id, { blobHashes: [blob.hash] });
      await driver.commit({ blobs: [blob], checkpoints: [checkpoint] });
      await driver.commit({ deleteSessions: [{ id: session.id, expectedVersion: 1 }] });
      expect(await driver.getCheckpoint(checkpoint.messageId)).toStrictEqual(checkpoint);
      expect(await driver.getBlob(blob.hash)).toEqual(blob.bytes);
    });
  });
}
