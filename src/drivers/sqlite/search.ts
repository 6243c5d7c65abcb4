/**
 * Full-text search on SQLite: an FTS5 index over each message's terms (`src/common/search-text.ts`).
 *
 * The index is brought up to date in batches, not by each append. Profiled, writing two messages'
 * terms inside the append's transaction cost about 0.85 ms of CPU per append (FTS5 writes a new
 * segment, its structure record, doc sizes and content rows at every commit, then merges those tiny
 * segments) and 8.5 of the 19 pages the commit wrote: more than the two message rows themselves. So
 * an append only notes, in `search_backlog`, the lowest position it wrote in each segment, and the
 * index catches up in one transaction per batch: before every search (so a message is found once
 * its append has returned, whichever process appended it), and once a connection has committed
 * `CATCH_UP_BATCH` messages since (settle.ts, which packs settled messages in the same
 * transaction), so the backlog stays small without searches.
 *
 * The backlog holds one row per segment with messages waiting (schema: migration 10), so an append
 * to a segment already waiting writes nothing there (the upsert changes no row, and so no page),
 * and catching up reads each such segment's messages from that position on, in key order, then
 * forgets the row. Before, each message was marked waiting in its own row, which a partial index
 * found: one index page more in every commit, and a second write of every message row once indexed.
 * A message is in the index exactly when it has searchable text and its position is below its
 * segment's backlog row (or the segment has none); the trigger that removes an entry with its
 * message asks that. Ranked by BM25.
 *
 * A file may not keep the index at all (option `searchIndex`, search-setting.ts): then nothing is
 * indexed, and a search answers undefined so the core scans.
 */
import { indexedTerms } from '../../common/search-text.js';
import type { MessageSearchQuery } from '../../driver/driver.js';
import { searchStatement } from '../sql/search.js';
import { arg, named, sql, value, type Sql } from '../sql/sql.js';
import type { BetterSqliteDatabaseLike, SqliteStatementLike, SqliteTransactionLike } from './database.js';
import { sqliteDialect } from './dialect.js';
import { fillPackedBodies, type messagePackStatementSources } from './message-packs.js';
import { fileKeepsSearchIndex, type searchSettingStatementSources } from './search-setting.js';

/** Messages indexed per statement page while catching up (each page is read, then indexed). */
const CATCH_UP_PAGE = 500;
/** A process that committed this many messages since the index last caught up indexes them at once. */
export const CATCH_UP_BATCH = 512;

export const searchStatementSources = {
  // An entry's rowid is its message's position (migration 8), so a match leads to its message with
  // no column stored beside the postings.
  insertSearchEntry: sql`INSERT INTO message_search (rowid, terms) VALUES (${arg(1, 'integer')}, ${arg(2, 'text')})`,
  // The append's note (message-writes.ts): a segment already waiting from a lower position is left
  // as it is, and the upsert then writes nothing.
  noteSearchBacklog: sql`
    INSERT INTO search_backlog (segment_number, from_position) VALUES (${arg(1, 'integer')}, ${arg(2, 'integer')})
    ON CONFLICT (segment_number) DO UPDATE SET from_position = excluded.from_position
    WHERE excluded.from_position < search_backlog.from_position`,
  selectSearchBacklog: sql`SELECT segment_number, from_position FROM search_backlog LIMIT ${arg(1)}`,
  // One page of a waiting segment's messages, in key order, from both tables (recent-messages.ts).
  selectWaitingMessages: sql`
    SELECT position, body FROM messages
    WHERE position >= ${named('from')} AND position < (${named('segment')} + 1) * 4294967296
    UNION ALL
    SELECT position, body FROM recent_messages
    WHERE position >= ${named('from')} AND position < (${named('segment')} + 1) * 4294967296
    ORDER BY position LIMIT ${named('limit')}`,
  forgetSearchBacklog: sql`DELETE FROM search_backlog WHERE segment_number = ${arg(1, 'integer')}`,
  anyAwaitingIndex: sql`SELECT 1 AS waiting FROM search_backlog LIMIT 1`,
  clearSearchBacklog: sql`DELETE FROM search_backlog`,
};

export type SearchStatements = Record<
  keyof typeof searchStatementSources | keyof typeof searchSettingStatementSources | keyof typeof messagePackStatementSources,
  SqliteStatementLike
>;

/** Indexes one message (a message without searchable text takes no room in the index). */
function indexMessage(statements: SearchStatements, message: { position: number; body: string }): void {
  const terms = indexedTerms(message.body);
  if (terms !== '') statements.insertSearchEntry.run(message.position, terms);
}

/**
 * Indexes every message waiting; run inside a write transaction (`BEGIN IMMEDIATE`), so two
 * processes catching up at once index each message once. Returns how many it indexed.
 */
export function indexAwaitingMessages(statements: SearchStatements): number {
  let indexed = 0;
  for (;;) {
    const waiting = statements.selectSearchBacklog.all(CATCH_UP_PAGE) as Array<{ segment_number: number; from_position: number }>;
    for (const { segment_number: segment, from_position: from } of waiting) {
      for (let next = from; ; ) {
        const rows = statements.selectWaitingMessages.all({ from: next, segment, limit: CATCH_UP_PAGE }) as Array<{ position: number; body: string }>;
        // Packed already (by another process, or before the file was switched to keep the index).
        fillPackedBodies(statements, rows, (row) => row.position, (row) => row.body, (row, body) => (row.body = body));
        for (const row of rows) indexMessage(statements, row);
        indexed += rows.length;
        if (rows.length < CATCH_UP_PAGE) break;
        next = rows[rows.length - 1]!.position + 1;
      }
      statements.forgetSearchBacklog.run(segment);
    }
    if (waiting.length < CATCH_UP_PAGE) return indexed;
  }
}

/**
 * The catch-up, inside a write transaction: indexes what waits when the file keeps the index;
 * when it does not (search-setting.ts), the backlog rows are strays a process that kept indexing
 * wrote after the file was switched off, and are cleared. False when the file does not keep it.
 */
export function catchUpUnderLock(statements: SearchStatements): boolean {
  if (fileKeepsSearchIndex(statements.selectSearchIndexSetting)) {
    indexAwaitingMessages(statements);
    return true;
  }
  statements.clearSearchBacklog.run();
  return false;
}

/** What one read of the index found: the answer, or why there is none yet. */
type SnapshotAnswer = { answered: true; result: unknown } | { answered: false; why: 'off' | 'behind' };

/** The search's read, with the index caught up first when it is behind (commits also settle it in batches: settle.ts). */
export class SearchIndexCatchUp {
  private readonly transaction: SqliteTransactionLike<[], boolean>;
  private readonly snapshotRead: SqliteTransactionLike<[() => unknown], SnapshotAnswer>;
  private readonly lockedRead: SqliteTransactionLike<[() => unknown], SnapshotAnswer>;

  constructor(database: BetterSqliteDatabaseLike, private readonly statements: SearchStatements) {
    this.transaction = database.transaction(() => catchUpUnderLock(statements));
    // A deferred transaction: one snapshot for the setting, the backlog and the index, and no lock.
    this.snapshotRead = database.transaction((read: () => unknown): SnapshotAnswer => {
      if (!fileKeepsSearchIndex(statements.selectSearchIndexSetting)) return { answered: false, why: 'off' };
      if (statements.anyAwaitingIndex.get() !== undefined) return { answered: false, why: 'behind' };
      return { answered: true, result: read() };
    });
    this.lockedRead = database.transaction((read: () => unknown): SnapshotAnswer => {
      if (!catchUpUnderLock(statements)) return { answered: false, why: 'off' };
      return { answered: true, result: read() };
    });
  }

  /**
   * `read` (a search statement) run against an index that holds every message committed before
   * the call, any process's: in one read snapshot when nothing waits (the common case takes no
   * lock), else under the write lock just after catching up, so no append or switch of the
   * setting can come between. Undefined when the file does not keep the index (search-setting.ts:
   * another process may have switched it off since this one opened it); the core then scans.
   */
  search<Result>(read: () => Result): Result | undefined {
    let answer = this.snapshotRead(read);
    if (!answer.answered && answer.why === 'behind') answer = this.lockedRead.immediate(read);
    return answer.answered ? (answer.result as Result) : undefined;
  }

  /** Indexes the messages waiting, any process's. The check is a read: the write lock is taken only when something waits. */
  catchUp(): void {
    if (this.statements.anyAwaitingIndex.get() === undefined) return;
    this.transaction.immediate();
  }
}

/** The search, for one query: its shape (filters, number of spans) varies, so it is compiled per call. */
export function sqliteSearchStatement(query: MessageSearchQuery): Sql {
  return searchStatement(sqliteDialect, query, {
    source: sql`message_search AS indexed`,
    // The entry's rowid is the message's position: segment number * 2^32 + seq (message-statements.ts).
    locate: {
      segmentJoin: sql`segment.number = indexed.rowid >> 32`,
      seq: sql`indexed.rowid - segment.number * 4294967296`,
      messageJoin: sql`message.position = ranked.message_key`,
      key: sql`indexed.rowid`,
    },
    matches: sql`indexed.message_search MATCH ${value(matchExpression(query))}`,
    // A match's message may still be in recent_messages (recent-messages.ts): the driver fills those.
    messagesMayBeElsewhere: true,
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
