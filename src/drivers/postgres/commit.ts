/**
 * `commit`: a WriteBatch applied in one transaction, all of it or nothing.
 *
 * 1. Lock the rows of every session the batch names (`FOR UPDATE`, in id order, so two batches over
 *    the same sessions queue up instead of deadlocking).
 * 2. Check every version condition against the locked rows, before the first write, so a conflict
 *    is reported as such even when the batch would also have hit a duplicate.
 * 3. Delete, then put sessions (a batch may delete and re-create an id). A session that did not
 *    exist had no row to lock: its insert is guarded so that a concurrent creator makes it write
 *    nothing, which is reported as a version conflict.
 * 4. Insert segments, messages and operations with one multi-row statement each; duplicates of
 *    message ids and operation keys are skipped by ON CONFLICT and found by what RETURNING lacks.
 * Any failure, a WriteConflict included, rolls the whole transaction back.
 */
import { WriteConflict, type WriteBatch } from '../../driver/driver.js';
import { bindNamed } from '../sql/compile.js';
import { columnsOf, messageValues, operationValues, runEventValues, runValues, segmentValues } from '../sql/rows.js';
import type { PgPoolClientLike } from './pool.js';
import { sessionParameters } from './rows.js';
import { indexMessages } from './search.js';
import type { Statements } from './statements.js';

export async function applyBatch(client: PgPoolClientLike, statements: Statements, batch: WriteBatch): Promise<void> {
  const conditions = [
    ...(batch.checks ?? []).map((check) => ({ id: check.id, expectedVersion: check.version })),
    ...(batch.sessions ?? []).map((write) => ({ id: write.record.id, expectedVersion: write.expectedVersion })),
    ...(batch.deleteSessions ?? []).map((removal) => ({ id: removal.id, expectedVersion: removal.expectedVersion })),
  ];
  if (conditions.length > 0) {
    const ids = [...new Set(conditions.map((condition) => condition.id))].sort();
    const locked = await client.query(statements.lockSessions, [ids]);
    const versions = new Map((locked.rows as Array<{ id: string; version: unknown }>).map((row) => [row.id, Number(row.version)]));
    for (const { id, expectedVersion } of conditions) {
      const actualVersion = versions.get(id);
      const matches = expectedVersion === 0 ? actualVersion === undefined : actualVersion === expectedVersion;
      if (!matches) throw new WriteConflict({ kind: 'version', sessionId: id, actualVersion });
    }
  }

  const deleted = (batch.deleteSessions ?? []).map((removal) => removal.id);
  if (deleted.length > 0) {
    await client.query(statements.deleteSessions, [deleted]);
    await client.query(statements.deleteSessionOperations, [deleted]);
    await client.query(statements.deleteSessionRunEvents, [deleted]);
    await client.query(statements.deleteSessionRuns, [deleted]);
  }
  for (const { record, expectedVersion } of batch.sessions ?? []) {
    const parameters = bindNamed(statements.putSessionParameters, sessionParameters(record, expectedVersion));
    const written = await client.query(statements.putSession, parameters);
    if (written.rowCount !== 1) {
      // Only a row created since the lock (by a concurrent creator) gets here; report its version.
      const current = await client.query(statements.selectSessionVersion, [record.id]);
      const row = current.rows[0] as { version: unknown } | undefined;
      throw new WriteConflict({
        kind: 'version',
        sessionId: record.id,
        actualVersion: row === undefined ? undefined : Number(row.version),
      });
    }
  }

  const segments = batch.segments ?? [];
  if (segments.length > 0) {
    await client.query(statements.insertSegments, columnsOf(segments, segmentValues));
  }

  const messages = batch.messages ?? [];
  if (messages.length > 0) {
    // ON CONFLICT cannot tell a repeat inside the batch from an existing row: check the batch first.
    const seen = new Set<string>();
    for (const message of messages) {
      if (seen.has(message.id)) throw new WriteConflict({ kind: 'duplicate-message', messageId: message.id });
      seen.add(message.id);
    }
    const inserted = await client.query(
      statements.insertMessages,
      columnsOf(messages, messageValues),
    );
    if (inserted.rows.length !== messages.length) {
      const written = new Set((inserted.rows as Array<{ id: string }>).map((row) => row.id));
      const duplicate = messages.find((message) => !written.has(message.id));
      if (duplicate !== undefined) throw new WriteConflict({ kind: 'duplicate-message', messageId: duplicate.id });
      throw new Error(`PostgresDriver: ${messages.length} messages sent, ${inserted.rows.length} written, none of them a duplicate.`);
    }
    // In the commit's transaction: a message is searchable once its append returns.
    await indexMessages(client, statements.insertSearchDocuments, messages);
  }

  const operations = batch.operations ?? [];
  if (operations.length > 0) {
    const key = (sessionId: string, operationId: string): string => JSON.stringify([sessionId, operationId]);
    const seen = new Set<string>();
    for (const operation of operations) {
      const operationKey = key(operation.sessionId, operation.operationId);
      if (seen.has(operationKey)) {
        throw new WriteConflict({ kind: 'duplicate-operation', sessionId: operation.sessionId, operationId: operation.operationId });
      }
      seen.add(operationKey);
    }
    const inserted = await client.query(
      statements.insertOperations,
      columnsOf(operations, operationValues),
    );
    if (inserted.rows.length !== operations.length) {
      const written = new Set(
        (inserted.rows as Array<{ session_id: string; operation_id: string }>).map((row) => key(row.session_id, row.operation_id)),
      );
      const duplicate = operations.find((operation) => !written.has(key(operation.sessionId, operation.operationId)));
      if (duplicate !== undefined) {
        throw new WriteConflict({ kind: 'duplicate-operation', sessionId: duplicate.sessionId, operationId: duplicate.operationId });
      }
      throw new Error(`PostgresDriver: ${operations.length} operations sent, ${inserted.rows.length} written, none of them a duplicate.`);
    }
  }

  const runs = batch.runs ?? [];
  if (runs.length > 0) await client.query(statements.putRuns, columnsOf(runs, runValues));
  const events = batch.runEvents ?? [];
  if (events.length > 0) {
    await client.query(statements.putRunEvents, columnsOf(events, runEventValues));
  }
}
