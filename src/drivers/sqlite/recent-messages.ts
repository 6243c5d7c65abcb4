/**
 * Recent messages (schema: migration 13; issue 18, many writers): an append writes its rows to
 * `recent_messages`, a table in arrival order, and the settle (settle.ts) moves them all into
 * `messages`, segment by segment in position order, every 512 messages a connection commits and
 * when it closes. Rows that complete a pack (with the segment's rows not packed yet) go in packed
 * (message-packs.ts), written into `messages` once; the others wait for their pack, unless their
 * segment is idle (nothing appended to it since the previous settle) or the connection is closing,
 * when they go in whole. (Moving them whole at every settle, 16 writers' segments, ~32 rows each
 * per settle, had most rows written whole and then again to pack them: measured, about a fifth of
 * a settle's time.)
 *
 * Why: `messages` is keyed by position (segment number * 2^32 + seq, message-statements.ts), so one
 * session's history is one key range and a resume reads consecutive pages. But when many sessions
 * append, each append lands at the end of its own range, in the middle of the b-tree, where a full
 * leaf is split by rebalancing it with its siblings: measured from the WAL, a group commit of 16
 * two-message appends wrote ~62 pages, 50 of them message pages (bench/message-layout-experiment.ts
 * measures the layouts). Appended in arrival order instead, rows always land at the right edge of
 * `recent_messages`, which only starts a new page when one is full; and moved in position order,
 * each session's rows land together, so the moved pages are full and in order (a resume of a
 * session written beside 15 others read 16 ms instead of 33-41, raw).
 *
 * A message lives in exactly one of the two tables: positions and ids stay unique across both
 * (an append checks `messages` for its id; positions come from the session's seqs). Every reader
 * looks in both: a page of a segment merges the two ranges (a compound SELECT ordered by position,
 * which SQLite merges from both indexes without sorting, so `last: 50` still reads 50 rows), and a
 * lookup by id or position tries both. The search entry of a message is keyed by its position in
 * either table; moving a row does not touch it.
 */
import type { SearchRow } from '../sql/search.js';
import { arg, named, sql } from '../sql/sql.js';
import type { SqliteStatementLike } from './database.js';
import { packSegment, segmentBase, type messagePackStatementSources, type RowToPack } from './message-packs.js';
import { SEGMENT_SPAN } from './message-statements.js';

/** Migration 13 (migrations.ts). */
export const recentMessagesSchema = `
      CREATE TABLE recent_messages (
        position INTEGER NOT NULL UNIQUE,
        id TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        run_id TEXT,
        body TEXT NOT NULL
      );
      -- No trigger removes a recent row's search entry with it, unlike messages' own (migration 10):
      -- the settle empties this table at once (a table with a trigger is deleted from row by row,
      -- measured 8 us a row), and the one other delete, a trim's or a segment's, forgets the
      -- entries itself (deleteRecentBetween).
    `;

/** Columns of a page as cells: position (the caller makes it a seq), id, created_at, run_id, body. */
const cellColumns = sql`position, id, created_at, run_id, body`;

/** Both tables' rows of one position range, in `direction`, at most @limit. */
function mergedRange(direction: 'ASC' | 'DESC') {
  const order = direction === 'ASC' ? sql`ASC` : sql`DESC`;
  return sql`
    SELECT ${cellColumns} FROM messages WHERE position BETWEEN ${named('low')} AND ${named('high')}
    UNION ALL
    SELECT ${cellColumns} FROM recent_messages WHERE position BETWEEN ${named('low')} AND ${named('high')}
    ORDER BY position ${order} LIMIT ${named('limit')}`;
}

export const recentMessageStatementSources = {
  insertRecentMessage: sql`
    INSERT INTO recent_messages (position, id, created_at, run_id, body)
    VALUES (${arg(1, 'integer')}, ${arg(2, 'text')}, ${arg(3, 'real')}, ${arg(4, 'text')}, ${arg(5, 'text')})`,
  // An id must be new to both tables; recent_messages' own unique index answers for itself.
  selectSettledMessageId: sql`SELECT 1 AS found FROM messages WHERE id = ${arg(1, 'text')}`,
  selectMergedCellsAscending: mergedRange('ASC'),
  selectMergedCellsDescending: mergedRange('DESC'),
  // The settle (settle.ts): the segments with recent rows (with the newest), and one segment's rows, in position order.
  selectRecentSegments: sql`SELECT position >> 32 AS segment, max(position) AS last FROM recent_messages GROUP BY position >> 32`,
  selectRecentRows: sql`
    SELECT position, id, created_at, run_id, body FROM recent_messages
    WHERE position BETWEEN ${arg(1, 'integer')} AND ${arg(2, 'integer')} ORDER BY position`,
  // The settle, once every segment's rows are in messages: emptied at once (no trigger, no WHERE).
  forgetMovedMessages: sql`DELETE FROM recent_messages`,
  // A trim and a segment's deletion: the rows' search entries first (those the index holds: not
  // behind their segment's backlog), then the rows, in the same position ranges as in messages.
  selectIndexedRecentPositions: sql`
    SELECT position FROM recent_messages AS recent
    WHERE position BETWEEN ${arg(1, 'integer')} AND ${arg(2, 'integer')}
      AND NOT EXISTS (SELECT 1 FROM search_backlog WHERE segment_number = recent.position >> 32 AND from_position <= recent.position)`,
  deleteSearchEntry: sql`DELETE FROM message_search WHERE rowid = ${arg(1, 'integer')}`,
  deleteRecentBetween: sql`DELETE FROM recent_messages WHERE position BETWEEN ${arg(1, 'integer')} AND ${arg(2, 'integer')}`,
  // The shared statement's (sql/statements.ts) with both tables: a checkpoint of a recent message is not an orphan.
  deleteOrphanCheckpoints: sql`
    DELETE FROM checkpoints AS checkpoint
    WHERE NOT EXISTS (SELECT 1 FROM messages AS message WHERE message.id = checkpoint.message_id)
      AND NOT EXISTS (SELECT 1 FROM recent_messages AS message WHERE message.id = checkpoint.message_id)`,
  // One message found by its position (a search hit), in either table.
  selectMessageAtPosition: sql`
    SELECT id, created_at, run_id, body FROM messages WHERE position = ${named('position')}
    UNION ALL
    SELECT id, created_at, run_id, body FROM recent_messages WHERE position = ${named('position')}`,
};

/**
 * The hits of a search (joined to `messages` with LEFT JOIN, sql/search.ts) whose message is still
 * in `recent_messages`, filled from there; run in the search's snapshot. A hit whose message is in
 * neither table is dropped, as the inner join dropped it before.
 */
export function withRecentHits(statements: { selectMessageAtPosition: SqliteStatementLike }, hits: SearchRow[]): SearchRow[] {
  // The row type says string: the LEFT JOIN is what makes null possible.
  const elsewhere = (hit: SearchRow) => (hit.id as string | null) === null;
  if (!hits.some(elsewhere)) return hits;
  return hits.filter((hit) => {
    if (!elsewhere(hit)) return true;
    const row = statements.selectMessageAtPosition.get({ position: hit.message_key }) as
      | { id: string; created_at: number; run_id: string | null; body: string }
      | undefined;
    if (row === undefined) return false;
    hit.id = row.id;
    hit.created_at = row.created_at;
    hit.run_id = row.run_id;
    hit.body = row.body;
    return true;
  });
}

/** What a settle's move left in the recent table: each segment's newest position there. */
export type RecentLeft = ReadonlyMap<number, number>;

/**
 * The settle's move (settle.ts), inside its write transaction. A segment's recent rows, any
 * connection's, go into `messages` when they complete a pack (those that do, packed on the way in:
 * message-packs.ts), and all of them when the segment is idle: its newest recent row is the one it
 * had after the previous settle (`previous`), or `previous` is 'everything' (a connection closing).
 * The others wait for their pack, so a row is written into `messages` once, small, instead of whole
 * and then again to pack it (measured with 16 writers, whose segments bring ~32 rows per settle).
 * Returns what is left, for the next settle, and the segments that had recent rows.
 */
export function moveRecentMessages(
  statements: Record<keyof typeof recentMessageStatementSources | keyof typeof messagePackStatementSources, SqliteStatementLike>,
  previous: RecentLeft | 'everything',
): { left: RecentLeft; segments: number[] } {
  const segments = statements.selectRecentSegments.all() as Array<{ segment: number; last: number }>;
  const left = new Map<number, number>();
  /** Per segment, the newest position moved when not all of its rows were. */
  const partly: Array<[number, number]> = [];
  for (const { segment: number, last } of segments) {
    const base = segmentBase(number);
    const rows = statements.selectRecentRows.all(base, base + SEGMENT_SPAN - 1) as RowToPack[];
    const idle = previous === 'everything' || previous.get(number) === last;
    const taken = packSegment(statements, number, rows, { keepLeftover: !idle });
    if (taken === rows.length) continue;
    left.set(number, last);
    if (taken > 0) partly.push([base, rows[taken - 1]!.position]);
  }
  // Moved rows keep their search entries (same positions): the plain delete, not deleteRecentBetween.
  if (left.size === 0 && segments.length > 0) statements.forgetMovedMessages.run();
  else {
    for (const { segment: number } of segments) {
      if (!left.has(number)) statements.deleteRecentBetween.run(segmentBase(number), segmentBase(number) + SEGMENT_SPAN - 1);
    }
    for (const [base, lastMoved] of partly) statements.deleteRecentBetween.run(base, lastMoved);
  }
  return { left, segments: segments.map((row) => row.segment) };
}

/** A trim's or a segment's deletion of recent rows (message-transactions.ts): their search entries, then the rows. */
export function deleteRecentBetween(
  statements: Record<keyof typeof recentMessageStatementSources, SqliteStatementLike>,
  low: number,
  high: number,
): number {
  for (const { position } of statements.selectIndexedRecentPositions.all(low, high) as Array<{ position: number }>) {
    statements.deleteSearchEntry.run(position);
  }
  return statements.deleteRecentBetween.run(low, high).changes;
}
