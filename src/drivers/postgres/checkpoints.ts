/**
 * File checkpoints on PostgreSQL: their part of a commit, and retention, each serialized against the
 * other by an advisory lock. The statements are shared with SQLite (`../sql/statements.ts`); a batch
 * of blobs or checkpoints is one statement whatever the number of rows.
 */
import type { CheckpointRecord, WriteBatch } from '../../driver/driver.js';
import { blobValues, checkpointValues, columnsOf } from '../sql/rows.js';
import { checkpointLockKey, type TableNames } from './identifiers.js';
import type { PgPoolClientLike } from './pool.js';
import type { Statements } from './statements.js';

/** The batch's blobs and checkpoints, inside the commit's transaction (after its conditions held). */
export async function writeCheckpoints(
  client: PgPoolClientLike,
  statements: Statements,
  names: TableNames,
  batch: WriteBatch,
): Promise<void> {
  const blobs = batch.blobs ?? [];
  const checkpoints = lastPerMessage(batch.checkpoints ?? []);
  if (blobs.length === 0 && checkpoints.length === 0) return;
  // Shared: commits run side by side, and collection waits until none is in flight.
  await client.query(statements.lockCheckpointsShared, [checkpointLockKey(names)]);
  if (blobs.length > 0) await client.query(statements.insertBlobs, columnsOf(blobs, blobValues));
  if (checkpoints.length > 0) await client.query(statements.putCheckpoints, columnsOf(checkpoints, checkpointValues));
}

/** Retention, in its own transaction: checkpoints whose message is gone, then blobs none uses. */
export async function collectCheckpoints(
  client: PgPoolClientLike,
  statements: Statements,
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
