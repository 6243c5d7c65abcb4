/**
 * The message operations that take more than one statement since messages are packed
 * (message-packs.ts), each one transaction: a read sees its rows and the packs holding their bodies
 * in one snapshot (so a rewind and re-pack by another process cannot come between them), and a
 * delete takes a segment's packs with its rows.
 */
import type { BetterSqliteDatabaseLike, SqliteStatementLike, SqliteTransactionLike } from './database.js';
import { fillPackedCells } from './message-packs.js';
import type { MessageCells } from './rows.js';
import type { Statements } from './statements.js';

export interface MessageTransactions {
  /** A page of one segment's messages as cells (statement: selectMessageCells*), packed bodies filled in. */
  read: SqliteTransactionLike<[SqliteStatementLike, string, number, number, number | null], MessageCells[]>;
  /** Deletes the messages of a segment after a seq, and the packs starting after it; returns how many messages. */
  deleteAfter: SqliteTransactionLike<[string, number], number>;
  /** Deletes a segment, its messages and its packs; returns how many messages. */
  deleteSegment: SqliteTransactionLike<[string], number>;
}

export function messageTransactions(database: BetterSqliteDatabaseLike, statements: Statements): MessageTransactions {
  return {
    read: database.transaction((statement: SqliteStatementLike, segmentId: string, fromSeq: number, toSeq: number, limit: number | null) => {
      const rows = statement.all(segmentId, fromSeq, toSeq, limit) as MessageCells[];
      fillPackedCells(statements, segmentId, rows);
      return rows;
    }),
    deleteAfter: database.transaction((segmentId: string, afterSeq: number) => {
      statements.deletePacksAfter.run(segmentId, afterSeq);
      return statements.deleteMessagesAfter.run(segmentId, afterSeq).changes;
    }),
    deleteSegment: database.transaction((segmentId: string) => {
      const deleted = statements.deleteSegmentMessages.run(segmentId).changes;
      // Before the segment: the packs are found by its number.
      statements.deleteSegmentPacks.run(segmentId);
      statements.deleteSegment.run(segmentId);
      return deleted;
    }),
  };
}
