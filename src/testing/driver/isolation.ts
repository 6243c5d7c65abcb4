/**
 * Records are never shared with the driver's internal state: changing a record after handing it to
 * `commit`, or changing one a read returned, changes nothing stored.
 */
import { describe, expect, it } from 'vitest';
import { supportsCheckpoints, supportsRuns, type StorageDriver } from '../../driver/driver.js';
import type { DriverSuiteContext } from './context.js';
import { blobRecord, checkpointRecord, createSession, operationRecord, runEventRecord, runRecord, sessionRecord } from './records.js';

/** Changes every mutable part of a record in place (arrays, nested objects, byte arrays, plain fields). */
function vandalize(value: unknown): void {
  if (value instanceof Uint8Array) {
    value.fill(0xff);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) vandalize(item);
    value.push('vandalized');
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const record = value as Record<string, unknown>;
  for (const [key, field] of Object.entries(record)) {
    if (typeof field === 'object' && field !== null) vandalize(field);
    else if (typeof field === 'number') record[key] = field + 1;
    else if (typeof field === 'string' && key !== 'id') record[key] = `${field} vandalized`;
  }
  record.vandalized = true;
}

/** Everything stored for the records of one test, read fresh. */
async function readAll(driver: StorageDriver, ids: { sessionId: string; segmentId: string; operationId: string; runId: string; messageId: string; blobHash: string }) {
  return {
    session: await driver.getSession(ids.sessionId),
    listed: await driver.listSessions({ orderBy: 'createdAt', order: 'asc', limit: 5, userId: ids.sessionId }),
    segment: await driver.getSegment(ids.segmentId),
    segments: await driver.listSegments({ sessionId: ids.sessionId }),
    messages: await driver.readMessages(ids.segmentId, { fromSeq: 1, toSeq: 10, order: 'asc' }),
    location: await driver.locateMessage(ids.messageId),
    operation: await driver.getOperation(ids.sessionId, ids.operationId),
    operations: driver.capabilities.listOperations ? await driver.listOperations?.(ids.sessionId) : undefined,
    ...(supportsRuns(driver)
      ? { run: await driver.getRun(ids.runId), runs: await driver.listRuns(ids.sessionId), events: await driver.readRunEvents(ids.runId, { afterSeq: 0 }) }
      : {}),
    ...(supportsCheckpoints(driver)
      ? {
          blob: await driver.getBlob(ids.blobHash),
          checkpoint: await driver.getCheckpoint(ids.messageId),
          checkpoints: await driver.listCheckpoints(ids.sessionId),
        }
      : {}),
  };
}

export function registerIsolationTests(context: DriverSuiteContext): void {
  describe('records are never shared', () => {
    it('keeps what was committed when the caller changes the records it handed in, or the ones it read', async () => {
      const driver = context.driver();
      const base = sessionRecord({ tags: ['a'], attachedSurfaces: ['web'], metadata: { nested: { list: [1] } }, forkedFrom: { sessionId: 'x', messageId: 'y' } });
      const { session, segment, messages } = await createSession(driver, { ...base, userId: base.id }, 1);
      const message = messages[0];
      if (message === undefined) throw new Error('no message');
      const operation = operationRecord(session.id, { messageIds: [message.id] });
      const run = runRecord(session.id, { metadata: { nested: { list: [1] } }, eventCount: 1 });
      const blob = blobRecord();
      const batch = {
        operations: [operation],
        ...(supportsRuns(driver) ? { runs: [run], runEvents: [runEventRecord(run.id, 1)] } : {}),
        ...(supportsCheckpoints(driver) ? { blobs: [blob], checkpoints: [checkpointRecord(message.id, session.id, { blobHashes: [blob.hash] })] } : {}),
      };
      await driver.commit(batch);
      const ids = { sessionId: session.id, segmentId: segment.id, operationId: operation.operationId, runId: run.id, messageId: message.id, blobHash: blob.hash };
      // A deep copy: what a read returned may be the very object a buggy driver keeps.
      const stored = structuredClone(await readAll(driver, ids));
      expect(stored.session).toStrictEqual(session);

      // What was handed in.
      vandalize([session, segment, messages, batch]);
      expect(await readAll(driver, ids)).toStrictEqual(stored);
      // What was read out.
      const first = await readAll(driver, ids);
      vandalize(first);
      expect(await readAll(driver, ids)).toStrictEqual(stored);
    });
  });
}
