/**
 * Atomicity: a batch with one failing condition, whichever it is, applies none of its writes
 * (sessions, deletions, segments, messages, operations, runs, events, blobs, checkpoints); the same
 * batch with the condition met applies all of them.
 */
import { describe, expect, it } from 'vitest';
import { supportsCheckpoints, supportsRuns, type SessionRecord, type StorageDriver, type WriteBatch, type WriteConflictReason } from '../../driver/driver.js';
import type { DriverSuiteContext } from './context.js';
import { conflictOf, observeBatch } from './expectations.js';
import {
  blobRecord,
  checkpointRecord,
  createSession,
  messageRecord,
  operationRecord,
  runEventRecord,
  runRecord,
  segmentRecord,
  sessionRecord,
} from './records.js';

/** A batch touching every kind of record the driver declares, around an append to `target`. */
function fullBatch(driver: StorageDriver, target: SessionRecord, doomed: SessionRecord): WriteBatch {
  const newcomer = sessionRecord();
  const branch = segmentRecord(target.id, { parentId: target.headSegmentId, baseSeq: 1 });
  const appended = messageRecord(target.headSegmentId, 2);
  const run = runRecord(target.id, { eventCount: 2 });
  const blob = blobRecord();
  return {
    sessions: [
      { record: { ...target, version: target.version + 1, messageCount: 2, userId: 'moved' }, expectedVersion: target.version },
      { record: newcomer, expectedVersion: 0 },
    ],
    deleteSessions: [{ id: doomed.id, expectedVersion: doomed.version }],
    segments: [branch, segmentRecord(newcomer.id, { id: newcomer.headSegmentId })],
    messages: [appended, messageRecord(branch.id, 2)],
    operations: [operationRecord(target.id, { messageIds: [appended.id] })],
    ...(driver.capabilities.runs ? { runs: [run], runEvents: [runEventRecord(run.id, 1), runEventRecord(run.id, 2)] } : {}),
    ...(driver.capabilities.checkpoints
      ? { blobs: [blob], checkpoints: [checkpointRecord(appended.id, target.id, { blobHashes: [blob.hash] })] }
      : {}),
  };
}

interface Refusal {
  condition: string;
  /** The batch with the condition broken, and the conflict it must fail with. */
  spoil(batch: WriteBatch, state: { target: SessionRecord; doomed: SessionRecord; takenMessageId: string; takenOperationId: string }): {
    batch: WriteBatch;
    reason: WriteConflictReason;
  };
}

const refusals: Refusal[] = [
  {
    condition: 'a stale session version',
    spoil: (batch, { target }) => ({
      batch: { ...batch, sessions: [{ record: { ...target, version: 9 }, expectedVersion: 8 }, ...(batch.sessions ?? []).slice(1)] },
      reason: { kind: 'version', sessionId: target.id, actualVersion: target.version },
    }),
  },
  {
    condition: 'a creation over an existing session',
    spoil: (batch, { target }) => ({
      batch: { ...batch, sessions: [...(batch.sessions ?? []).slice(0, 1), { record: sessionRecord({ id: target.id }), expectedVersion: 0 }] },
      reason: { kind: 'version', sessionId: target.id, actualVersion: target.version },
    }),
  },
  {
    condition: 'a stale check',
    spoil: (batch, { target }) => ({
      batch: { ...batch, checks: [{ id: target.id, version: target.version + 5 }] },
      reason: { kind: 'version', sessionId: target.id, actualVersion: target.version },
    }),
  },
  {
    condition: 'a stale deletion',
    spoil: (batch, { doomed }) => ({
      batch: { ...batch, deleteSessions: [{ id: doomed.id, expectedVersion: doomed.version + 1 }] },
      reason: { kind: 'version', sessionId: doomed.id, actualVersion: doomed.version },
    }),
  },
  {
    condition: 'a stored message id',
    spoil: (batch, { target, takenMessageId }) => ({
      batch: { ...batch, messages: [...(batch.messages ?? []), messageRecord(target.headSegmentId, 3, { id: takenMessageId })] },
      reason: { kind: 'duplicate-message', messageId: takenMessageId },
    }),
  },
  {
    condition: 'a stored operation',
    spoil: (batch, { target, takenOperationId }) => ({
      batch: { ...batch, operations: [...(batch.operations ?? []), operationRecord(target.id, { operationId: takenOperationId })] },
      reason: { kind: 'duplicate-operation', sessionId: target.id, operationId: takenOperationId },
    }),
  },
];

export function registerAtomicityTests(context: DriverSuiteContext): void {
  describe('commit: all or nothing', () => {
    for (const refusal of refusals) {
      it(`applies nothing of a batch with ${refusal.condition}, then all of it once the condition holds`, async () => {
        const driver = context.driver();
        const { session: target, messages } = await createSession(driver, { version: 3 }, 1);
        const { session: doomed } = await createSession(driver, { version: 2 });
        const taken = operationRecord(target.id);
        await driver.commit({ operations: [taken] });
        const batch = fullBatch(driver, target, doomed);
        const spoiled = refusal.spoil(batch, { target, doomed, takenMessageId: messages[0]?.id ?? '', takenOperationId: taken.operationId });

        const before = await observeBatch(driver, spoiled.batch);
        expect(await conflictOf(driver.commit(spoiled.batch))).toEqual(spoiled.reason);
        expect(await observeBatch(driver, spoiled.batch)).toEqual(before);

        await driver.commit(batch);
        for (const { record } of batch.sessions ?? []) expect(await driver.getSession(record.id)).toStrictEqual(record);
        expect(await driver.getSession(doomed.id)).toBeUndefined();
        for (const segment of batch.segments ?? []) expect(await driver.getSegment(segment.id)).toStrictEqual(segment);
        for (const message of batch.messages ?? []) {
          expect(await driver.locateMessage(message.id)).toEqual({ segmentId: message.segmentId, seq: message.seq });
        }
        for (const operation of batch.operations ?? []) {
          expect(await driver.getOperation(operation.sessionId, operation.operationId)).toStrictEqual(operation);
        }
        if (supportsRuns(driver)) {
          for (const run of batch.runs ?? []) expect(await driver.getRun(run.id)).toStrictEqual(run);
          for (const run of batch.runs ?? []) expect(await driver.readRunEvents(run.id, { afterSeq: 0 })).toHaveLength(2);
        }
        if (supportsCheckpoints(driver)) {
          for (const checkpoint of batch.checkpoints ?? []) expect(await driver.getCheckpoint(checkpoint.messageId)).toStrictEqual(checkpoint);
          expect(await driver.missingBlobs((batch.blobs ?? []).map((blob) => blob.hash))).toEqual([]);
        }
      });
    }
  });
}
