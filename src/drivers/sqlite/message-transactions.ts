/**
 * The message operations that take more than one statement since messages are packed
 * (message-packs.ts), each one transaction: a read sees its rows and the packs holding their bodies
 * in one snapshot (so a rewind and re-pack by another process cannot come between them), and a
 * delete takes a segment's packs with its rows. Both read and delete the segment's rows in
 * `messages` and in `recent_messages` (recent-messages.ts).
 */
import type { BetterSqliteDatabaseLike, SqliteTransactionLike } from './database.js';
import { segmentBase } from './message-packs.js';
import { SEGMENT_SPAN } from './message-statements.js';
import { readPage } from './pack-reads.js';
import { deleteRecentBetween } from './recent-messages.js';
import type { MessageCells } from './rows.js';
import type { Statements } from './statements.js';

export interface MessageTransactions {
  /** A page of one segment's messages as cells, from both tables (recent-messages.ts), packed bodies filled in; limit -1 for none. */
  read: SqliteTransactionLike<['asc' | 'desc', string, number, number, number | null], MessageCells[]>;
  /** Deletes the messages of a segment after a seq, and the packs starting after it; returns how many messages. */
  deleteAfter: SqliteTransactionLike<[string, number], number>;
  /** Deletes a segment, its messages and its packs; returns how many messages. */
  deleteSegment: SqliteTransactionLike<[string], number>;
}

/** The first position of the segment's key range, or undefined when it does not exist. */
function segmentBaseOf(statements: Statements, segmentId: string): number | undefined {
  const row = statements.selectSegmentNumber.get(segmentId) as { number: number } | undefined;
  return row === undefined ? undefined : segmentBase(row.number);
}

export function messageTransactions(database: BetterSqliteDatabaseLike, statements: Statements): MessageTransactions {
  return {
    read: database.transaction((order: 'asc' | 'desc', segmentId: string, fromSeq: number, toSeq: number, limit: number | null) => {
      const base = segmentBaseOf(statements, segmentId);
      if (base === undefined) return [];
      const low = base + Math.max(fromSeq, 0);
      const high = base + Math.min(toSeq, SEGMENT_SPAN - 1);
      if (low > high) return [];
      return readPage(statements, base, low, high, order, limit ?? -1);
    }),
    deleteAfter: database.transaction((segmentId: string, afterSeq: number) => {
      const base = segmentBaseOf(statements, segmentId);
      if (base === undefined) return 0;
      statements.deletePacksAfter.run(segmentId, afterSeq);
      const recent = deleteRecentBetween(statements, base + Math.max(afterSeq + 1, 0), base + SEGMENT_SPAN - 1);
      return recent + statements.deleteMessagesAfter.run(segmentId, afterSeq).changes;
    }),
    deleteSegment: database.transaction((segmentId: string) => {
      const base = segmentBaseOf(statements, segmentId);
      if (base === undefined) return 0;
      const deleted = deleteRecentBetween(statements, base, base + SEGMENT_SPAN - 1) + statements.deleteSegmentMessages.run(segmentId).changes;
      // Before the segment: the packs are found by its number.
      statements.deleteSegmentPacks.run(segmentId);
      statements.deleteSegment.run(segmentId);
      return deleted;
    }),
  };
}
