/**
 * The transaction a group of batches commits in (group-commit.ts), each batch's failure its own.
 *
 * Optimistic first: the batches one after another in one plain transaction. Giving each batch a
 * savepoint up front, so that one failing rolls back alone, cost a grouped append about a quarter
 * of its SQL time, profiled (a savepoint copies each page it is the first to touch into a
 * sub-journal), and a batch seldom fails. When one does (a version conflict, a duplicate id), that
 * transaction is rolled back whole and the group runs again with a savepoint per batch, so every
 * batch still gets the answer it would have had alone. An error that is not a batch's (the write
 * lock not granted in time, a failed COMMIT) fails the whole group at once, as it would a lone commit.
 */
import type { WriteBatch } from '../../driver/driver.js';
import type { BetterSqliteDatabaseLike } from './database.js';
import type { CommitGroup } from './group-commit.js';

/** Thrown out of the optimistic attempt to say a batch failed (and so the group is worth isolating). */
class BatchFailed extends Error {}

export function groupTransaction(
  database: BetterSqliteDatabaseLike,
  applyBatch: (batch: WriteBatch) => void,
  /** The driver's transaction of one batch: called inside the group's, it runs in a savepoint. */
  commitOne: (batch: WriteBatch) => void,
): CommitGroup {
  const optimistic = database.transaction((batches: WriteBatch[]) => {
    for (const batch of batches) {
      try {
        applyBatch(batch);
      } catch {
        throw new BatchFailed();
      }
    }
  });
  const isolated = database.transaction((batches: WriteBatch[]) =>
    batches.map((batch) => {
      try {
        commitOne(batch);
        return undefined;
      } catch (error) {
        return error;
      }
    }),
  );
  return (batches) => {
    try {
      optimistic.immediate(batches);
      return batches.map(() => undefined);
    } catch (error) {
      if (!(error instanceof BatchFailed)) throw error;
      return isolated.immediate(batches);
    }
  };
}
