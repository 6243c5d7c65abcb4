/**
 * SQLite's message statements (schema: migration 8). A message row is keyed by its position, one
 * integer: its segment's number (segments.number) times 2^32, plus its seq. So the rows are a rowid
 * table in history order, a page is one range of that key, and neither the row nor the id index
 * carries the segment's 30-character id. Measured at 10,000 messages of ~460 B of JSON
 * (bench/sqlite-figures.ts), the rows and the id index went from 663 to 506 B per message: the
 * segment id they held (twice) and the slack of a WITHOUT ROWID b-tree, which splits its pages
 * half-full when rows are appended at its end, where a rowid table fills them.
 *
 * The statements keep the argument order (and output) of the shared ones they replace, so the
 * driver calls them the same way: `?` binds in order, so each statement names its segment once,
 * in a first FROM item (`segment`) that the message range is then read against.
 */
import { arg, sql, type Sql } from '../sql/sql.js';

/** Positions per segment: seq must be below it (the driver refuses any other). */
export const SEGMENT_SPAN = 4294967296;
const LAST_SEQ = sql`4294967295`;

/** The segment named by argument 1, as `segment.base` (its first position); no row when it does not exist. */
const segmentBase = sql`(SELECT id, number * 4294967296 AS base FROM segments WHERE id = ${arg(1, 'text')}) AS segment`;

/**
 * Messages of segment (arg 1) with seq between arg 2 and arg 3, in `direction`, at most arg 4. The
 * segment is the outer loop, found by its unique id, so SQLite reads the messages in key order and
 * stops at the limit (no sort: a `last: 50` page reads 50 rows).
 */
function messageRange(columns: Sql, direction: Sql): Sql {
  const base = sql`segment.number * 4294967296`;
  return sql`
    SELECT ${columns} FROM segments AS segment CROSS JOIN messages AS message
    WHERE segment.id = ${arg(1, 'text')}
      AND message.position BETWEEN ${base} + max(${arg(2, 'integer')}, 0) AND ${base} + min(${arg(3, 'integer')}, ${LAST_SEQ})
    ORDER BY message.position ${direction} LIMIT ${arg(4, 'integer')}`;
}

const cells = sql`message.position - segment.number * 4294967296 AS seq, message.id, message.created_at, message.run_id, message.body`;
const rows = sql`segment.id AS segment_id, ${cells}`;

export const messageStatementSources = {
  // A page of one segment's messages, as arrays (prepared in raw mode) and without the segment id,
  // which the caller gave: a resume of 10,000 messages builds 10,000 fewer objects and strings.
  // Columns: seq, id, created_at, run_id, body.
  selectMessageCellsAscending: messageRange(cells, sql`ASC`),
  selectMessageCellsDescending: messageRange(cells, sql`DESC`),
  // The shared statements' SQLite form, same arguments and columns (segment_id, seq, id, created_at, run_id, body).
  selectMessagesAscending: messageRange(rows, sql`ASC`),
  selectMessagesDescending: messageRange(rows, sql`DESC`),
  selectMessageLocation: sql`
    SELECT segment.id AS segment_id, message.position - segment.number * 4294967296 AS seq
    FROM messages AS message CROSS JOIN segments AS segment ON segment.number = message.position >> 32
    WHERE message.id = ${arg(1, 'text')}`,
  // What an append runs (message-writes.ts): the segment's number read once per batch, then
  // each row inserted by its position. An INSERT ... SELECT that looks the segment up for every row
  // (what schema 8 first did) costs about twice a plain INSERT, measured: a turn of two messages paid it twice.
  selectSegmentNumber: sql`SELECT number FROM segments WHERE id = ${arg(1, 'text')}`,
  insertMessageAt: sql`
    INSERT INTO messages (position, id, created_at, run_id, body)
    VALUES (${arg(1, 'integer')}, ${arg(2, 'text')}, ${arg(3, 'real')}, ${arg(4, 'text')}, ${arg(5, 'text')})`,
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
