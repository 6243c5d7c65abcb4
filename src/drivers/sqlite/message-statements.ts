/**
 * SQLite's message statements (schema: migration 8). A message row is keyed by its position, one
 * integer: its segment's number (segments.number) times 2^32, plus its seq. So the rows are a rowid
 * table in history order, a page is one range of that key, and neither the row nor the id index
 * carries the segment's 30-character id. Measured at 10,000 messages of ~460 B of JSON
 * (bench/sqlite-figures.ts), the rows and the id index went from 663 to 506 B per message: the
 * segment id they held (twice) and the slack of a WITHOUT ROWID b-tree, which splits its pages
 * half-full when rows are appended at its end, where a rowid table fills them.
 *
 * Since schema 13 an append writes to `recent_messages` first, and the settle moves the rows here
 * (recent-messages.ts, where the pages are read from both tables). The deletes here take this
 * table's rows; message-transactions.ts deletes the recent ones with them. `?` binds in order, so
 * each statement names its segment once, in a first FROM item (`segment`).
 */
import { arg, named, sql } from '../sql/sql.js';

/** Positions per segment: seq must be below it (the driver refuses any other). */
export const SEGMENT_SPAN = 4294967296;
const LAST_SEQ = sql`4294967295`;

/** The segment named by argument 1, as `segment.base` (its first position); no row when it does not exist. */
const segmentBase = sql`(SELECT id, number * 4294967296 AS base FROM segments WHERE id = ${arg(1, 'text')}) AS segment`;

export const messageStatementSources = {
  // In either table (recent-messages.ts).
  selectMessageLocation: sql`
    SELECT segment.id AS segment_id, message.position - segment.number * 4294967296 AS seq
    FROM (
      SELECT position FROM messages WHERE id = ${named('id')}
      UNION ALL
      SELECT position FROM recent_messages WHERE id = ${named('id')}
    ) AS message CROSS JOIN segments AS segment ON segment.number = message.position >> 32`,
  // What an append runs (message-writes.ts): the segment's number read once per batch, then
  // each row inserted by its position (into recent_messages). An INSERT ... SELECT that looks the segment up for every row
  // (what schema 8 first did) costs about twice a plain INSERT, measured: a turn of two messages paid it twice.
  selectSegmentNumber: sql`SELECT number FROM segments WHERE id = ${arg(1, 'text')}`,
  deleteMessagesAfter: sql`
    DELETE FROM messages WHERE position IN (
      SELECT message.position FROM ${segmentBase} CROSS JOIN messages AS message
      WHERE message.position BETWEEN segment.base + max(${arg(2, 'integer')} + 1, 0) AND segment.base + ${LAST_SEQ})`,
  // SQLite has no DELETE inside WITH: the driver deletes a segment's messages and the segment in one transaction.
  deleteSegmentMessages: sql`
    DELETE FROM messages WHERE position IN (
      SELECT message.position FROM ${segmentBase} CROSS JOIN messages AS message
      WHERE message.position BETWEEN segment.base AND segment.base + ${LAST_SEQ})`,
};
