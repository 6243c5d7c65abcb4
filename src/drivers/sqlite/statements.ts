/**
 * Every fixed statement the driver runs, prepared once per connection: preparing costs about as much
 * as running a small statement, and an append runs several.
 */
import type { BetterSqliteDatabaseLike, SqliteStatementLike } from './database.js';

const sessionColumns = 'metadata, tags, surfaces, record';
const segmentColumns = 'id, session_id, parent_id, base_seq, created_at';
const messageColumns = 'id, segment_id, seq, created_at, run_id, body';

const statementSources = {
  selectSession: `SELECT ${sessionColumns} FROM sessions WHERE id = ?`,
  selectSessionVersion: 'SELECT version FROM sessions WHERE id = ?',
  // One upsert serves creation (expected version 0) and compare-and-set alike. Its version guard
  // repeats the check made earlier in the transaction, so a bug there cannot silently overwrite a
  // newer head (the driver then sees no change and fails the batch).
  putSession: `
    INSERT INTO sessions (
      id, user_id, agent_id, workspace_id, parent_id, state, created_at, updated_at, last_active_at,
      suspend_at, expires_at, version, metadata, tags, surfaces, record
    ) VALUES (
      @id, @userId, @agentId, @workspaceId, @parentId, @state, @createdAt, @updatedAt, @lastActiveAt,
      @suspendAt, @expiresAt, @version, @metadata, @tags, @surfaces, @record
    )
    ON CONFLICT (id) DO UPDATE SET
      user_id = excluded.user_id, agent_id = excluded.agent_id, workspace_id = excluded.workspace_id,
      parent_id = excluded.parent_id, state = excluded.state, created_at = excluded.created_at,
      updated_at = excluded.updated_at, last_active_at = excluded.last_active_at,
      suspend_at = excluded.suspend_at, expires_at = excluded.expires_at, version = excluded.version,
      metadata = excluded.metadata, tags = excluded.tags, surfaces = excluded.surfaces, record = excluded.record
    WHERE sessions.version = @expectedVersion`,
  // The common write (an append, a touch): every column that can change, and none of the indexed
  // ones that never do (user, parent, creation time). SQLite maintains an index on UPDATE when the
  // SET list names one of its columns, whatever the value, so leaving them out spares the indexes
  // by creation and by parent. The WHERE repeats them: if one did change, no row matches and the
  // driver writes the whole row with putSession instead.
  updateSession: `
    UPDATE sessions SET
      agent_id = @agentId, workspace_id = @workspaceId, state = @state, updated_at = @updatedAt,
      last_active_at = @lastActiveAt, suspend_at = @suspendAt, expires_at = @expiresAt,
      version = @version, metadata = @metadata, tags = @tags, surfaces = @surfaces, record = @record
    WHERE id = @id AND version = @expectedVersion
      AND user_id IS @userId AND parent_id IS @parentId AND created_at = @createdAt`,
  deleteSession: 'DELETE FROM sessions WHERE id = ? AND version = ?',
  deleteSessionOperations: 'DELETE FROM operations WHERE session_id = ?',

  selectSegment: `SELECT ${segmentColumns} FROM segments WHERE id = ?`,
  // rowid breaks ties between segments created in the same millisecond, in insertion order.
  selectSegmentsBySession: `SELECT ${segmentColumns} FROM segments WHERE session_id = ? ORDER BY created_at, rowid`,
  selectSegmentsByParent: `SELECT ${segmentColumns} FROM segments WHERE parent_id = ? ORDER BY created_at, rowid`,
  insertSegment: 'INSERT INTO segments (id, session_id, parent_id, base_seq, created_at) VALUES (?, ?, ?, ?, ?)',
  deleteSegment: 'DELETE FROM segments WHERE id = ?',

  // LIMIT -1 means no limit, so one statement per direction serves both cases.
  selectMessagesAscending: `
    SELECT ${messageColumns} FROM messages
    WHERE segment_id = ? AND seq >= ? AND seq <= ? ORDER BY seq ASC LIMIT ?`,
  selectMessagesDescending: `
    SELECT ${messageColumns} FROM messages
    WHERE segment_id = ? AND seq >= ? AND seq <= ? ORDER BY seq DESC LIMIT ?`,
  selectMessageLocation: 'SELECT segment_id, seq FROM messages WHERE id = ?',
  insertMessage: 'INSERT INTO messages (segment_id, seq, id, created_at, run_id, body) VALUES (?, ?, ?, ?, ?, ?)',
  deleteMessagesAfter: 'DELETE FROM messages WHERE segment_id = ? AND seq > ?',
  deleteSegmentMessages: 'DELETE FROM messages WHERE segment_id = ?',

  selectOperation: `
    SELECT session_id, operation_id, message_ids, created_at FROM operations
    WHERE session_id = ? AND operation_id = ?`,
  selectOperationsBySession: `
    SELECT session_id, operation_id, message_ids, created_at FROM operations
    WHERE session_id = ? ORDER BY created_at, operation_id`,
  insertOperation: 'INSERT INTO operations (session_id, operation_id, message_ids, created_at) VALUES (?, ?, ?, ?)',

  selectRun: 'SELECT record FROM runs WHERE id = ?',
  selectRunsBySession: 'SELECT record FROM runs WHERE session_id = ? ORDER BY started_at, id',
  putRun: `
    INSERT INTO runs (id, session_id, started_at, record) VALUES (?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET session_id = excluded.session_id, started_at = excluded.started_at, record = excluded.record`,
  deleteSessionRunEvents: 'DELETE FROM run_events WHERE run_id IN (SELECT id FROM runs WHERE session_id = ?)',
  deleteSessionRuns: 'DELETE FROM runs WHERE session_id = ?',
  selectRunEvents: 'SELECT run_id, seq, type, at, data FROM run_events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?',
  putRunEvent: 'INSERT OR REPLACE INTO run_events (run_id, seq, type, at, data) VALUES (?, ?, ?, ?, ?)',

  selectBlob: 'SELECT bytes FROM blobs WHERE hash = ?',
  // The hashes arrive as one JSON array: one statement whatever their number, and no SQL built from input.
  selectMissingBlobs: 'SELECT DISTINCT value AS hash FROM json_each(?) WHERE value NOT IN (SELECT hash FROM blobs)',
  // Same hash, same bytes: an existing blob is left as it is.
  insertBlob: 'INSERT OR IGNORE INTO blobs (hash, bytes) VALUES (?, ?)',
  selectCheckpoint: 'SELECT message_id, session_id, created_at, manifest, blob_hashes FROM checkpoints WHERE message_id = ?',
  selectCheckpointsBySession: `
    SELECT message_id, session_id, created_at, manifest, blob_hashes FROM checkpoints
    WHERE session_id = ? ORDER BY created_at, message_id`,
  putCheckpoint: 'INSERT OR REPLACE INTO checkpoints (message_id, session_id, created_at, manifest, blob_hashes) VALUES (?, ?, ?, ?, ?)',
  // Checkpoints follow their messages: one whose message retention removed goes too.
  deleteOrphanCheckpoints: 'DELETE FROM checkpoints WHERE message_id NOT IN (SELECT id FROM messages)',
  deleteUnusedBlobs: `
    DELETE FROM blobs WHERE hash NOT IN (
      SELECT used.value FROM checkpoints, json_each(checkpoints.blob_hashes) AS used
    )`,
} as const;

export type Statements = Record<keyof typeof statementSources, SqliteStatementLike>;

export function prepareStatements(database: BetterSqliteDatabaseLike): Statements {
  const entries = Object.entries(statementSources).map(([name, source]) => [name, database.prepare(source)]);
  return Object.fromEntries(entries) as Statements;
}
