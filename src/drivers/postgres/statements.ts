/**
 * The SQL text of every fixed statement, built once per driver from its validated table names.
 * Every value is a `$n` parameter; the text never contains anything a caller wrote.
 */
import type { TableNames } from './identifiers.js';

const segmentColumns = 'id, session_id, parent_id, base_seq, created_at';
const messageColumns = 'id, segment_id, seq, created_at, run_id, body';

export function buildStatements(names: TableNames) {
  const { sessions, segments, messages, operations, runs, runEvents } = names;
  return {
    selectSession: `SELECT record FROM ${sessions} WHERE id = $1`,
    selectSessionVersion: `SELECT version FROM ${sessions} WHERE id = $1`,
    // Row locks taken in id order, so two commits touching the same sessions cannot deadlock.
    lockSessions: `SELECT id, version FROM ${sessions} WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
    // One upsert serves creation (expected version 0) and compare-and-set alike. The version guard
    // repeats the check made under the row lock; it matters for creation, where there was no row to
    // lock: a concurrent creator's row makes the guard fail (versions start at 1), so no row is
    // written and the commit reports a version conflict instead of overwriting the other session.
    putSession: `
      INSERT INTO ${sessions} AS s (
        id, user_id, agent_id, workspace_id, parent_id, state, created_at, updated_at, last_active_at,
        suspend_at, expires_at, version, metadata, tags, surfaces, record
      ) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14::text[], $15::text[], $16)
      ON CONFLICT (id) DO UPDATE SET
        user_id = excluded.user_id, agent_id = excluded.agent_id, workspace_id = excluded.workspace_id,
        parent_id = excluded.parent_id, state = excluded.state, created_at = excluded.created_at,
        updated_at = excluded.updated_at, last_active_at = excluded.last_active_at,
        suspend_at = excluded.suspend_at, expires_at = excluded.expires_at, version = excluded.version,
        metadata = excluded.metadata, tags = excluded.tags, surfaces = excluded.surfaces, record = excluded.record
      WHERE s.version = $17`,
    deleteSessions: `DELETE FROM ${sessions} WHERE id = ANY($1::text[])`,
    deleteSessionOperations: `DELETE FROM ${operations} WHERE session_id = ANY($1::text[])`,

    selectSegment: `SELECT ${segmentColumns} FROM ${segments} WHERE id = $1`,
    selectSegmentsBySession: `SELECT ${segmentColumns} FROM ${segments} WHERE session_id = $1 ORDER BY created_at, ordinal`,
    selectSegmentsByParent: `SELECT ${segmentColumns} FROM ${segments} WHERE parent_id = $1 ORDER BY created_at, ordinal`,
    // WITH ORDINALITY ... ORDER BY: identity values follow the batch's order, which breaks creation-time ties.
    insertSegments: `
      INSERT INTO ${segments} (id, session_id, parent_id, base_seq, created_at)
      SELECT id, session_id, parent_id, base_seq, created_at
      FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::double precision[])
        WITH ORDINALITY AS batch (id, session_id, parent_id, base_seq, created_at, position)
      ORDER BY position`,
    // Deleting messages and segment in one statement makes the pair atomic without a transaction.
    deleteSegment: `
      WITH removed AS (DELETE FROM ${messages} WHERE segment_id = $1 RETURNING 1),
           segment AS (DELETE FROM ${segments} WHERE id = $1)
      SELECT count(*)::integer AS removed FROM removed`,

    // NULL as LIMIT means no limit, so one statement per direction serves both cases.
    selectMessagesAscending: `
      SELECT ${messageColumns} FROM ${messages}
      WHERE segment_id = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq ASC LIMIT $4`,
    selectMessagesDescending: `
      SELECT ${messageColumns} FROM ${messages}
      WHERE segment_id = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq DESC LIMIT $4`,
    selectMessageLocation: `SELECT segment_id, seq FROM ${messages} WHERE id = $1`,
    // One statement for the whole batch. An id that exists already is skipped rather than raised, and
    // RETURNING names the rows written, so the commit can tell which message was the duplicate.
    insertMessages: `
      INSERT INTO ${messages} (segment_id, seq, id, created_at, run_id, body)
      SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::double precision[], $5::text[], $6::text[])
      ON CONFLICT (id) DO NOTHING
      RETURNING id`,
    deleteMessagesAfter: `DELETE FROM ${messages} WHERE segment_id = $1 AND seq > $2`,

    selectOperation: `
      SELECT session_id, operation_id, message_ids, created_at FROM ${operations}
      WHERE session_id = $1 AND operation_id = $2`,
    selectOperationsBySession: `
      SELECT session_id, operation_id, message_ids, created_at FROM ${operations}
      WHERE session_id = $1 ORDER BY created_at, operation_id`,
    insertOperations: `
      INSERT INTO ${operations} (session_id, operation_id, message_ids, created_at)
      SELECT session_id, operation_id, ARRAY(SELECT jsonb_array_elements_text(message_ids::jsonb)), created_at
      FROM unnest($1::text[], $2::text[], $3::text[], $4::double precision[])
        AS batch (session_id, operation_id, message_ids, created_at)
      ON CONFLICT (session_id, operation_id) DO NOTHING
      RETURNING session_id, operation_id`,

    selectRun: `SELECT record FROM ${runs} WHERE id = $1`,
    selectRunsBySession: `SELECT record FROM ${runs} WHERE session_id = $1 ORDER BY started_at, id`,
    putRuns: `
      INSERT INTO ${runs} (id, session_id, started_at, record)
      SELECT * FROM unnest($1::text[], $2::text[], $3::double precision[], $4::text[])
      ON CONFLICT (id) DO UPDATE SET session_id = excluded.session_id, started_at = excluded.started_at, record = excluded.record`,
    putRunEvents: `
      INSERT INTO ${runEvents} (run_id, seq, type, at, data)
      SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::double precision[], $5::text[])
      ON CONFLICT (run_id, seq) DO UPDATE SET type = excluded.type, at = excluded.at, data = excluded.data`,
    selectRunEvents: `
      SELECT run_id, seq, type, at, data FROM ${runEvents}
      WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    deleteSessionRunEvents: `DELETE FROM ${runEvents} WHERE run_id IN (SELECT id FROM ${runs} WHERE session_id = ANY($1::text[]))`,
    deleteSessionRuns: `DELETE FROM ${runs} WHERE session_id = ANY($1::text[])`,
  } as const;
}

export type Statements = ReturnType<typeof buildStatements>;
