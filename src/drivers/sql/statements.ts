/**
 * Every statement both databases run, written once. Each driver compiles them for its dialect when
 * it opens (SQLite prepares them there and then) and adds the few that are its own: SQLite's
 * in-place session update, PostgreSQL's row locks and single-statement segment deletion.
 */
import type { SqlDialect, TableName } from './dialect.js';
import { insert } from './insert.js';
import { arg, named, sql, type Sql } from './sql.js';
import { columnList, tableColumns } from './tables.js';

export function sessionStatements(dialect: SqlDialect) {
  const table = (name: TableName): Sql => dialect.table(name);
  const bySession = dialect.keyIn(sql`session_id`, 1);
  return {
    selectSession: sql`SELECT ${dialect.sessionColumns} FROM ${table('sessions')} WHERE id = ${arg(1)}`,
    selectSessionVersion: sql`SELECT version FROM ${table('sessions')} WHERE id = ${arg(1)}`,
    // One upsert serves creation (expected version 0) and compare-and-set alike. The version guard
    // repeats the check the commit made first; for a creation there was no row to check or lock, so a
    // concurrent creator's row (versions start at 1) makes it write nothing, which the driver reports.
    putSession: insert(dialect, {
      table: 'sessions',
      source: 'named-row',
      alias: sql`s`,
      onConflict: { key: ['id'], action: 'update', where: sql`s.version = ${named('expectedVersion')}` },
    }),
    deleteSessions: sql`DELETE FROM ${table('sessions')} WHERE ${dialect.keyIn(sql`id`, 1)}`,
    deleteSessionOperations: sql`DELETE FROM ${table('operations')} WHERE ${bySession}`,
    deleteSessionRunEvents: sql`DELETE FROM ${table('run_events')} WHERE run_id IN (SELECT id FROM ${table('runs')} WHERE ${bySession})`,
    deleteSessionRuns: sql`DELETE FROM ${table('runs')} WHERE ${bySession}`,
  };
}

export function historyStatements(dialect: SqlDialect) {
  const table = (name: TableName): Sql => dialect.table(name);
  const segments = sql`SELECT ${columnList(tableColumns.segments)} FROM ${table('segments')}`;
  // The insertion order breaks ties between segments created in the same millisecond.
  const segmentOrder = sql`ORDER BY created_at, ${dialect.insertionOrder}`;
  // With "no limit" as the LIMIT value, one statement per direction serves both cases.
  const messageRange = (direction: Sql): Sql => sql`
    SELECT ${columnList(tableColumns.messages)} FROM ${table('messages')}
    WHERE segment_id = ${arg(1)} AND seq >= ${arg(2)} AND seq <= ${arg(3)} ORDER BY seq ${direction} LIMIT ${arg(4)}`;
  const operations = sql`SELECT ${columnList(tableColumns.operations)} FROM ${table('operations')}`;
  return {
    selectSegment: sql`${segments} WHERE id = ${arg(1)}`,
    selectSegmentsBySession: sql`${segments} WHERE session_id = ${arg(1)} ${segmentOrder}`,
    selectSegmentsByParent: sql`${segments} WHERE parent_id = ${arg(1)} ${segmentOrder}`,
    insertSegments: insert(dialect, { table: 'segments', source: 'batch' }),

    selectMessagesAscending: messageRange(sql`ASC`),
    selectMessagesDescending: messageRange(sql`DESC`),
    selectMessageLocation: sql`SELECT segment_id, seq FROM ${table('messages')} WHERE id = ${arg(1)}`,
    insertMessages: insert(dialect, { table: 'messages', source: 'batch', onConflict: { key: ['id'], action: 'report' } }),
    deleteMessagesAfter: sql`DELETE FROM ${table('messages')} WHERE segment_id = ${arg(1)} AND seq > ${arg(2)}`,

    selectOperation: sql`${operations} WHERE session_id = ${arg(1)} AND operation_id = ${arg(2)}`,
    selectOperationsBySession: sql`${operations} WHERE session_id = ${arg(1)} ORDER BY created_at, operation_id`,
    insertOperations: insert(dialect, {
      table: 'operations',
      source: 'batch',
      onConflict: { key: ['session_id', 'operation_id'], action: 'report' },
    }),

    selectRun: sql`SELECT record FROM ${table('runs')} WHERE id = ${arg(1)}`,
    selectRunsBySession: sql`SELECT record FROM ${table('runs')} WHERE session_id = ${arg(1)} ORDER BY started_at, id`,
    putRuns: insert(dialect, { table: 'runs', source: 'batch', onConflict: { key: ['id'], action: 'update' } }),
    selectRunEvents: sql`
      SELECT ${columnList(tableColumns.run_events)} FROM ${table('run_events')}
      WHERE run_id = ${arg(1)} AND seq > ${arg(2)} ORDER BY seq LIMIT ${arg(3)}`,
    putRunEvents: insert(dialect, { table: 'run_events', source: 'batch', onConflict: { key: ['run_id', 'seq'], action: 'update' } }),
  };
}

export function checkpointStatements(dialect: SqlDialect) {
  const table = (name: TableName): Sql => dialect.table(name);
  const checkpoints = sql`SELECT ${columnList(tableColumns.checkpoints)} FROM ${table('checkpoints')}`;
  return {
    selectBlob: sql`SELECT bytes FROM ${table('blobs')} WHERE hash = ${arg(1)}`,
    // The hashes arrive as one list parameter, whatever their number. The first occurrence of each
    // missing hash, in the order asked, so the answer reads like the question.
    selectMissingBlobs: sql`
      SELECT wanted.value AS hash FROM ${dialect.listElements(sql`${arg(1, 'text-list')}`, sql`wanted`)}
      WHERE NOT EXISTS (SELECT 1 FROM ${table('blobs')} AS blob WHERE blob.hash = wanted.value)
      GROUP BY wanted.value ORDER BY min(wanted.key)`,
    // Same hash, same bytes: a stored blob is left as it is.
    insertBlobs: insert(dialect, { table: 'blobs', source: 'batch', onConflict: { key: ['hash'], action: 'ignore' } }),
    selectCheckpoint: sql`${checkpoints} WHERE message_id = ${arg(1)}`,
    selectCheckpointsBySession: sql`${checkpoints} WHERE session_id = ${arg(1)} ORDER BY created_at, message_id`,
    putCheckpoints: insert(dialect, { table: 'checkpoints', source: 'batch', onConflict: { key: ['message_id'], action: 'update' } }),
    // Checkpoints follow their messages: one whose message retention removed goes too.
    deleteOrphanCheckpoints: sql`
      DELETE FROM ${table('checkpoints')} AS checkpoint
      WHERE NOT EXISTS (SELECT 1 FROM ${table('messages')} AS message WHERE message.id = checkpoint.message_id)`,
    // A statement of its own, after the one above, so it sees the checkpoints that one deleted.
    deleteUnusedBlobs: sql`
      WITH used AS (
        SELECT DISTINCT element.value AS hash
        FROM ${table('checkpoints')} AS checkpoint, ${dialect.listElements(sql`checkpoint.blob_hashes`, sql`element`)}
      )
      DELETE FROM ${table('blobs')} AS blob WHERE NOT EXISTS (SELECT 1 FROM used WHERE used.hash = blob.hash)`,
  };
}
