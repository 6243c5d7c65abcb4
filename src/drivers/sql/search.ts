/**
 * The statement behind `searchMessages`, written once around each database's own full-text part
 * (SQLite's FTS5 in `sqlite/search.ts`, PostgreSQL's text search in `postgres/search.ts`): the index
 * as a FROM item named `indexed` exposing each match's `segment_id` and `seq`, the condition that
 * matches the query, and a score (higher is better). Every value is a bound parameter; the query's
 * terms reach the database only inside the bound full-text query.
 */
import type { MessageSearchHit, MessageSearchQuery } from '../../driver/driver.js';
import type { SqlDialect } from './dialect.js';
import { messageFromRow, type MessageRow } from './rows.js';
import { join, sql, value, type Sql } from './sql.js';

export interface FullTextPart {
  /** A FROM item named `indexed`, with columns `segment_id` and `seq` (unless `locate` says otherwise). */
  source: Sql;
  matches: Sql;
  score: Sql;
  /**
   * How a match leads to its segment and message when the index does not hold `segment_id` and
   * `seq` (SQLite's holds one integer key, the message's position): the ON condition joining
   * `segment`, the match's seq, the key selected into `ranked` and the ON condition joining `message`.
   */
  locate?: { segmentJoin: Sql; seq: Sql; key: Sql; messageJoin: Sql };
  /**
   * The message table is joined with LEFT JOIN: a match whose message is not there comes with null
   * message columns for the driver to fill (SQLite keeps recent messages in a table of their own).
   */
  messagesMayBeElsewhere?: boolean;
}

const byColumns = {
  segmentJoin: sql`segment.id = indexed.segment_id`,
  seq: sql`indexed.seq`,
  key: sql`NULL`,
  messageJoin: sql`message.segment_id = ranked.segment_id AND message.seq = ranked.seq`,
};

/** The columns read for each match: a message row, its segment's owner and the score. */
export interface SearchRow extends MessageRow {
  owner_id: string;
  score: number;
  /** The index's own key of the match when it has one (SQLite: the message's position), else null. */
  message_key: number | null;
}

export function searchHitFromRow(row: SearchRow): MessageSearchHit {
  return { message: messageFromRow(row), sessionId: row.owner_id, score: Number(row.score) };
}

export function searchStatement(dialect: SqlDialect, query: MessageSearchQuery, fullText: FullTextPart): Sql {
  // The index drives: it is the selective part, and each match is then joined by primary key.
  const then = dialect.orderedJoin;
  const conditions: Sql[] = [fullText.matches];
  const locate = fullText.locate ?? byColumns;
  let owners = sql``;
  if (query.within !== undefined) {
    const spans = query.within.map(
      (span) =>
        sql`(segment.id = ${value(span.segmentId, 'text')} AND ${locate.seq} BETWEEN ${value(dialect.seqBound(span.fromSeq), 'integer')} AND ${value(dialect.seqBound(span.toSeq), 'integer')})`,
    );
    conditions.push(spans.length === 0 ? sql`FALSE` : sql`(${join(spans, sql` OR `)})`);
  } else {
    // Only messages of sessions that still exist (history a deleted session leaves to its forks is
    // found through the forks, with `within`).
    owners = sql`${then} ${dialect.table('sessions')} AS owner ON owner.id = segment.session_id`;
    if (query.userId !== undefined) conditions.push(sql`owner.user_id = ${value(dialect.searchable(query.userId), 'text')}`);
    if (query.agentId !== undefined) conditions.push(sql`owner.agent_id = ${value(dialect.searchable(query.agentId), 'text')}`);
  }
  // Ranked first on the index alone (positions, owners, scores), and only the page's messages read:
  // a word in 10,000 messages sorts 10,000 small rows, not 10,000 message bodies.
  return sql`
    SELECT ranked.segment_id, ranked.seq, message.id, message.created_at, message.run_id, message.body, ranked.owner_id, ranked.score, ranked.message_key
    FROM (
      SELECT segment.id AS segment_id, ${locate.seq} AS seq, ${locate.key} AS message_key, segment.session_id AS owner_id, ${fullText.score} AS score
      FROM ${fullText.source}
      ${then} ${dialect.table('segments')} AS segment ON ${locate.segmentJoin}
      ${owners}
      WHERE ${join(conditions, sql` AND `)}
      ORDER BY score DESC, segment.id DESC, seq DESC
      LIMIT ${value(query.limit, 'integer')} OFFSET ${value(query.offset, 'integer')}
    ) AS ranked
    ${fullText.messagesMayBeElsewhere === true ? sql`LEFT JOIN` : then} ${dialect.table('messages')} AS message ON ${locate.messageJoin}
    ORDER BY ranked.score DESC, ranked.segment_id DESC, ranked.seq DESC`;
}
