/**
 * File checkpoints on PostgreSQL: the SQL of the blobs and checkpoints tables (schema version 3),
 * their part of a commit, and retention. Every value is a `$n` parameter; batches are sent as
 * arrays and spread by `unnest`, one statement per kind of row however many rows there are.
 */
import type { BlobRecord, CheckpointRecord, WriteBatch } from '../../driver/driver.js';
import { checkpointLockKey, type TableNames } from './identifiers.js';
import type { PgPoolClientLike } from './pool.js';

const checkpointColumns = 'message_id, session_id, created_at, manifest, blob_hashes';

export function buildCheckpointStatements(names: TableNames) {
  const { blobs, checkpoints, messages } = names;
  return {
    selectBlob: `SELECT bytes FROM ${blobs} WHERE hash = $1`,
    // The first occurrence of each hash, in the order asked, so the answer reads like the question.
    selectMissingBlobs: `
      SELECT wanted.hash FROM unnest($1::text[]) WITH ORDINALITY AS wanted (hash, position)
      WHERE NOT EXISTS (SELECT 1 FROM ${blobs} WHERE ${blobs}.hash = wanted.hash)
      GROUP BY wanted.hash ORDER BY min(wanted.position)`,
    // Same hash, same bytes: a stored blob is left as it is.
    insertBlobs: `
      INSERT INTO ${blobs} (hash, bytes)
      SELECT * FROM unnest($1::text[], $2::bytea[])
      ON CONFLICT (hash) DO NOTHING`,
    selectCheckpoint: `SELECT ${checkpointColumns} FROM ${checkpoints} WHERE message_id = $1`,
    selectCheckpointsBySession: `
      SELECT ${checkpointColumns} FROM ${checkpoints}
      WHERE session_id = $1 ORDER BY created_at, message_id`,
    // unnest would flatten a two-dimensional array of hashes, so each row's list travels as JSON text.
    putCheckpoints: `
      INSERT INTO ${checkpoints} (${checkpointColumns})
      SELECT message_id, session_id, created_at, manifest, ARRAY(SELECT jsonb_array_elements_text(blob_hashes::jsonb))
      FROM unnest($1::text[], $2::text[], $3::double precision[], $4::text[], $5::text[])
        AS batch (message_id, session_id, created_at, manifest, blob_hashes)
      ON CONFLICT (message_id) DO UPDATE SET
        session_id = excluded.session_id, created_at = excluded.created_at,
        manifest = excluded.manifest, blob_hashes = excluded.blob_hashes`,
    lockCheckpointsShared: 'SELECT pg_advisory_xact_lock_shared($1::bigint)',
    lockCheckpointsExclusive: 'SELECT pg_advisory_xact_lock($1::bigint)',
    // Checkpoints follow their messages: one whose message retention removed goes too.
    deleteOrphanCheckpoints: `
      DELETE FROM ${checkpoints} AS checkpoint
      WHERE NOT EXISTS (SELECT 1 FROM ${messages} AS message WHERE message.id = checkpoint.message_id)`,
    // A separate statement from the one above: in READ COMMITTED it sees the checkpoints that one deleted.
    deleteUnusedBlobs: `
      WITH used AS (SELECT DISTINCT unnest(blob_hashes) AS hash FROM ${checkpoints})
      DELETE FROM ${blobs} AS blob WHERE NOT EXISTS (SELECT 1 FROM used WHERE used.hash = blob.hash)`,
  } as const;
}

export type CheckpointStatements = ReturnType<typeof buildCheckpointStatements>;

export interface CheckpointRow {
  message_id: string;
  session_id: string;
  created_at: string | number;
  manifest: string;
  blob_hashes: string[];
}

export function checkpointFromRow(row: CheckpointRow): CheckpointRecord {
  return {
    messageId: row.message_id,
    sessionId: row.session_id,
    createdAt: Number(row.created_at),
    manifest: row.manifest,
    blobHashes: [...row.blob_hashes],
  };
}

/** The batch's blobs and checkpoints, inside the commit's transaction (after its conditions held). */
export async function writeCheckpoints(
  client: PgPoolClientLike,
  statements: CheckpointStatements,
  names: TableNames,
  batch: WriteBatch,
): Promise<void> {
  const blobs = batch.blobs ?? [];
  const checkpoints = lastPerMessage(batch.checkpoints ?? []);
  if (blobs.length === 0 && checkpoints.length === 0) return;
  // Shared: commits run side by side, and collection waits until none is in flight.
  await client.query(statements.lockCheckpointsShared, [checkpointLockKey(names)]);
  if (blobs.length > 0) {
    await client.query(statements.insertBlobs, [blobs.map((blob) => blob.hash), blobs.map(blobBytes)]);
  }
  if (checkpoints.length > 0) {
    await client.query(statements.putCheckpoints, [
      checkpoints.map((checkpoint) => checkpoint.messageId),
      checkpoints.map((checkpoint) => checkpoint.sessionId),
      checkpoints.map((checkpoint) => checkpoint.createdAt),
      checkpoints.map((checkpoint) => checkpoint.manifest),
      checkpoints.map((checkpoint) => JSON.stringify(checkpoint.blobHashes)),
    ]);
  }
}

/** Retention, in its own transaction: checkpoints whose message is gone, then blobs none uses. */
export async function collectCheckpoints(
  client: PgPoolClientLike,
  statements: CheckpointStatements,
  names: TableNames,
): Promise<{ checkpoints: number; blobs: number }> {
  // Exclusive: a checkpoint committed meanwhile would be invisible to the blob deletion below.
  await client.query(statements.lockCheckpointsExclusive, [checkpointLockKey(names)]);
  const checkpoints = await client.query(statements.deleteOrphanCheckpoints);
  const blobs = await client.query(statements.deleteUnusedBlobs);
  return { checkpoints: checkpoints.rowCount ?? 0, blobs: blobs.rowCount ?? 0 };
}

/** An upsert may not touch one row twice in a statement; within a batch the last put of an id wins, as in a table. */
function lastPerMessage(checkpoints: readonly CheckpointRecord[]): CheckpointRecord[] {
  return [...new Map(checkpoints.map((checkpoint) => [checkpoint.messageId, checkpoint])).values()];
}

/** node-postgres sends a Buffer as bytea; a plain Uint8Array is wrapped without copying. */
function blobBytes(blob: BlobRecord): Buffer {
  return Buffer.isBuffer(blob.bytes) ? blob.bytes : Buffer.from(blob.bytes.buffer, blob.bytes.byteOffset, blob.bytes.byteLength);
}
