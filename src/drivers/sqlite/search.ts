/**
 * Full-text search on SQLite: an FTS5 index over each message's terms (`src/common/search-text.ts`),
 * written by the commit that writes the message, in its transaction; the message row keeps its
 * entry's id, and a trigger removes the entry with the row (schema: migration 4). Ranked by BM25.
 */
import { indexedTerms } from '../../common/search-text.js';
import type { MessageRecord, MessageSearchQuery } from '../../driver/driver.js';
import { compile } from '../sql/compile.js';
import { searchStatement } from '../sql/search.js';
import { arg, sql, value, type Sql } from '../sql/sql.js';
import type { BetterSqliteDatabaseLike, SqliteStatementLike } from './database.js';
import { sqliteDialect } from './dialect.js';

export const searchStatementSources = {
  insertSearchEntry: sql`INSERT INTO message_search (terms, segment_id, seq) VALUES (${arg(1)}, ${arg(2)}, ${arg(3)})`,
  // The entry inserted just before, on this connection, inside the same transaction: the message
  // row was written a moment ago, so this update rewrites a page already being written.
  linkSearchEntry: sql`UPDATE messages SET search_row = last_insert_rowid() WHERE segment_id = ${arg(1)} AND seq = ${arg(2)}`,
};

/** Indexes one message being committed (a message without searchable text takes no room). */
export function indexMessage(statements: Record<keyof typeof searchStatementSources, SqliteStatementLike>, message: Pick<MessageRecord, 'segmentId' | 'seq' | 'body'>): void {
  const terms = indexedTerms(message.body);
  if (terms === '') return;
  statements.insertSearchEntry.run(terms, message.segmentId, message.seq);
  statements.linkSearchEntry.run(message.segmentId, message.seq);
}

/** The search, for one query: its shape (filters, number of spans) varies, so it is compiled per call. */
export function sqliteSearchStatement(query: MessageSearchQuery): Sql {
  return searchStatement(sqliteDialect, query, {
    // The index's own table, named `indexed` by the shared statement's contract (segment_id, seq).
    source: sql`message_search AS indexed`,
    matches: sql`indexed.message_search MATCH ${value(matchExpression(query))}`,
    // bm25() is lower for better matches.
    score: sql`-bm25(indexed.message_search)`,
  });
}

/**
 * The FTS5 query: each term quoted (a term is letters and digits only, so nothing in it is FTS5
 * syntax), all required, the last one a prefix when asked.
 */
function matchExpression(query: MessageSearchQuery): string {
  return query.terms
    .map((term, index) => `"${term}"${query.lastTermIsPrefix && index === query.terms.length - 1 ? '*' : ''}`)
    .join(' ');
}

const BACKFILL_PAGE = 500;

/** Migration 4's backfill: indexes the messages already stored, a page at a time, in the migration's transaction. */
export function indexExistingMessages(database: BetterSqliteDatabaseLike): void {
  const page = database.prepare(
    'SELECT segment_id, seq, body FROM messages WHERE (segment_id, seq) > (?, ?) ORDER BY segment_id, seq LIMIT ?',
  );
  const statements = {
    insertSearchEntry: database.prepare(compile(searchStatementSources.insertSearchEntry, sqliteDialect).text),
    linkSearchEntry: database.prepare(compile(searchStatementSources.linkSearchEntry, sqliteDialect).text),
  };
  let after: [string, number] = ['', 0];
  for (;;) {
    const rows = page.all(after[0], after[1], BACKFILL_PAGE) as Array<{ segment_id: string; seq: number; body: string }>;
    for (const row of rows) indexMessage(statements, { segmentId: row.segment_id, seq: row.seq, body: row.body });
    const last = rows[rows.length - 1];
    if (rows.length < BACKFILL_PAGE || !last) return;
    after = [last.segment_id, last.seq];
  }
}
