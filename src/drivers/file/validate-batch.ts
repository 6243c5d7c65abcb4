/**
 * The driver's own check of a batch, before the lock is taken or a path is built: every id that
 * will name a file or be written into one must match `ID_PATTERN` (the core checks too; a driver
 * used directly must not trust its caller), and numbers must be numbers.
 */
import type { WriteBatch } from '../../driver/driver.js';
import { assertStorableId } from './file-names.js';
import { assertBlobHash } from './layout.js';

export function validateBatch(batch: WriteBatch): void {
  for (const check of batch.checks ?? []) assertStorableId(check.id, 'session id');
  for (const { record, expectedVersion } of batch.sessions ?? []) {
    assertStorableId(record.id, 'session id');
    assertStorableId(record.headSegmentId, 'segment id');
    assertCount(expectedVersion, 'expected version');
    assertCount(record.version, 'session version');
    assertCount(record.messageCount, 'message count');
  }
  for (const removal of batch.deleteSessions ?? []) assertStorableId(removal.id, 'session id');
  for (const segment of batch.segments ?? []) {
    assertStorableId(segment.id, 'segment id');
    assertStorableId(segment.sessionId, 'session id');
    if (segment.parentId !== undefined) assertStorableId(segment.parentId, 'segment id');
    assertCount(segment.baseSeq, 'base seq');
  }
  for (const message of batch.messages ?? []) {
    assertStorableId(message.id, 'message id');
    assertStorableId(message.segmentId, 'segment id');
    if (message.runId !== undefined) assertStorableId(message.runId, 'run id');
    assertCount(message.seq, 'message seq');
    if (typeof message.body !== 'string') throw new Error('FileDriver: a message body must be a string (the encoded message).');
  }
  for (const operation of batch.operations ?? []) {
    assertStorableId(operation.sessionId, 'session id');
    assertStorableId(operation.operationId, 'operation id');
    for (const id of operation.messageIds) assertStorableId(id, 'message id');
  }
  for (const run of batch.runs ?? []) {
    assertStorableId(run.id, 'run id');
    assertStorableId(run.sessionId, 'session id');
    assertCount(run.eventCount, 'event count');
  }
  for (const event of batch.runEvents ?? []) {
    assertStorableId(event.runId, 'run id');
    assertCount(event.seq, 'event seq');
  }
  for (const blob of batch.blobs ?? []) {
    assertBlobHash(blob.hash);
    if (!(blob.bytes instanceof Uint8Array)) throw new Error('FileDriver: a blob\'s bytes must be a Uint8Array.');
  }
  for (const checkpoint of batch.checkpoints ?? []) {
    assertStorableId(checkpoint.messageId, 'message id');
    assertStorableId(checkpoint.sessionId, 'session id');
    if (typeof checkpoint.createdAt !== 'number' || !Number.isFinite(checkpoint.createdAt)) {
      throw new Error(`FileDriver: a checkpoint's createdAt must be a finite number, got ${String(checkpoint.createdAt)}.`);
    }
    if (typeof checkpoint.manifest !== 'string') throw new Error('FileDriver: a checkpoint manifest must be a string (the encoded manifest).');
    // Not matched against the hash pattern: they only name blobs to keep, never a path to build.
    if (!Array.isArray(checkpoint.blobHashes) || !checkpoint.blobHashes.every((hash) => typeof hash === 'string')) {
      throw new Error('FileDriver: a checkpoint\'s blobHashes must be an array of strings.');
    }
  }
}

function assertCount(value: unknown, what: string): void {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new Error(`FileDriver: ${what} must be a non-negative integer, got ${String(value)}.`);
  }
}
