/** Assertions the topics share: the conflict a commit fails with, and everything a batch could have touched. */
import { inspect } from 'node:util';
import { expect } from 'vitest';
import { supportsCheckpoints, supportsRuns, WriteConflict, type StorageDriver, type WriteBatch, type WriteConflictReason } from '../../driver/driver.js';

/** What the promise rejects with; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, but the call resolved with ${inspect(value, { depth: 2 })}`);
    },
    (error: unknown) => error,
  );
}

/** The reason of the `WriteConflict` the commit fails with; fails the test on anything else. */
export async function conflictOf(commit: Promise<unknown>): Promise<WriteConflictReason> {
  const error = await rejectionOf(commit);
  expect(WriteConflict.is(error), `expected a WriteConflict, got ${inspect(error)}`).toBe(true);
  return (error as WriteConflict).reason;
}

/**
 * Everything the driver answers about the records a batch names (sessions, segments, messages,
 * operations, runs, events, blobs, checkpoints): equal before and after a refused commit means the
 * commit applied nothing.
 */
export async function observeBatch(driver: StorageDriver, batch: WriteBatch): Promise<Record<string, unknown>> {
  const seen: Record<string, unknown> = {};
  const sessionIds = new Set([
    ...(batch.sessions ?? []).map((write) => write.record.id),
    ...(batch.deleteSessions ?? []).map((write) => write.id),
    ...(batch.checks ?? []).map((check) => check.id),
    ...(batch.operations ?? []).map((operation) => operation.sessionId),
    ...(batch.runs ?? []).map((run) => run.sessionId),
  ]);
  for (const id of sessionIds) {
    seen[`session ${id}`] = await driver.getSession(id);
    seen[`segments of ${id}`] = await driver.listSegments({ sessionId: id });
    if (driver.capabilities.listOperations && driver.listOperations) seen[`operations of ${id}`] = await driver.listOperations(id);
    if (supportsRuns(driver)) seen[`runs of ${id}`] = await driver.listRuns(id);
  }
  const segmentIds = new Set([...(batch.segments ?? []).map((segment) => segment.id), ...(batch.messages ?? []).map((message) => message.segmentId)]);
  for (const id of segmentIds) {
    seen[`segment ${id}`] = await driver.getSegment(id);
    seen[`messages of ${id}`] = await driver.readMessages(id, { fromSeq: 0, toSeq: Number.MAX_SAFE_INTEGER, order: 'asc' });
  }
  for (const message of batch.messages ?? []) seen[`message ${message.id}`] = await driver.locateMessage(message.id);
  for (const operation of batch.operations ?? []) {
    seen[`operation ${operation.sessionId} ${operation.operationId}`] = await driver.getOperation(operation.sessionId, operation.operationId);
  }
  if (supportsRuns(driver)) {
    const runIds = new Set([...(batch.runs ?? []).map((run) => run.id), ...(batch.runEvents ?? []).map((event) => event.runId)]);
    for (const id of runIds) {
      seen[`run ${id}`] = await driver.getRun(id);
      seen[`events of ${id}`] = await driver.readRunEvents(id, { afterSeq: 0 });
    }
  }
  if (supportsCheckpoints(driver)) {
    seen['missing blobs'] = await driver.missingBlobs((batch.blobs ?? []).map((blob) => blob.hash));
    for (const checkpoint of batch.checkpoints ?? []) seen[`checkpoint ${checkpoint.messageId}`] = await driver.getCheckpoint(checkpoint.messageId);
  }
  return seen;
}
