/**
 * Full-text search on PostgreSQL: a `tsvector` of each message's terms (`src/common/search-text.ts`)
 * in `<prefix>message_search`, written by the commit that writes the message, in its transaction,
 * and deleted with the message row by its foreign key (schema: migration 4). GIN-indexed, ranked by
 * `ts_rank` (normalized by document length). The `simple` configuration does no stemming and knows
 * no stop words, so a term is matched as search-text.ts made it, as on every other store.
 */
import { indexedTerms } from '../../common/search-text.js';
import type { MessageRecord, MessageSearchQuery } from '../../driver/driver.js';
import { compile } from '../sql/compile.js';
import type { SqlDialect } from '../sql/dialect.js';
import { searchStatement } from '../sql/search.js';
import { arrayArg, sql, Sql, value } from '../sql/sql.js';
import type { TableNames } from './identifiers.js';
import type { PgPoolClientLike } from './pool.js';

function searchTable(names: TableNames): Sql {
  return Sql.identifier([names.schemaName, `${names.prefix}message_search`], 'double-quoted');
}

/** The text of the statement that indexes a batch of messages (one statement, whatever their number). */
export function insertSearchDocuments(dialect: SqlDialect, names: TableNames): string {
  return compile(
    sql`INSERT INTO ${searchTable(names)} (segment_id, seq, document)
      SELECT batch.segment_id, batch.seq, to_tsvector('simple', batch.terms)
      FROM unnest(${arrayArg(1, 'text')}, ${arrayArg(2, 'integer')}, ${arrayArg(3, 'text')}) AS batch (segment_id, seq, terms)`,
    dialect,
  ).text;
}

/** Indexes the messages of a commit, inside its transaction (messages without searchable text take no room). */
export async function indexMessages(client: Pick<PgPoolClientLike, 'query'>, statement: string, messages: readonly Pick<MessageRecord, 'segmentId' | 'seq' | 'body'>[]): Promise<void> {
  const segmentIds: string[] = [];
  const seqs: number[] = [];
  const terms: string[] = [];
  for (const message of messages) {
    const indexed = indexedTerms(message.body);
    if (indexed === '') continue;
    segmentIds.push(message.segmentId);
    seqs.push(message.seq);
    terms.push(indexed);
  }
  if (segmentIds.length > 0) await client.query(statement, [segmentIds, seqs, terms]);
}

export function postgresSearchStatement(dialect: SqlDialect, names: TableNames, query: MessageSearchQuery): Sql {
  const tsQuery = sql`to_tsquery('simple', ${value(textSearchQuery(query), 'text')})`;
  return searchStatement(dialect, query, {
    source: sql`${searchTable(names)} AS indexed`,
    matches: sql`indexed.document @@ ${tsQuery}`,
    score: sql`ts_rank(indexed.document, ${tsQuery}, 1)`,
  });
}

/**
 * The tsquery: each term single-quoted (a term is letters and digits only, so nothing in it is
 * tsquery syntax), all required (`&`), the last a prefix (`:*`) when asked.
 */
function textSearchQuery(query: MessageSearchQuery): string {
  return query.terms
    .map((term, index) => `'${term}'${query.lastTermIsPrefix && index === query.terms.length - 1 ? ':*' : ''}`)
    .join(' & ');
}

const BACKFILL_PAGE = 500;

/** Migration 4's backfill: indexes the messages already stored, a page at a time, in the migration's transaction. */
export async function indexExistingMessages(client: Pick<PgPoolClientLike, 'query'>, names: TableNames, dialect: SqlDialect): Promise<void> {
  const insert = insertSearchDocuments(dialect, names);
  let after: [string, number] = ['', 0];
  for (;;) {
    const page = await client.query(
      `SELECT segment_id, seq, body FROM ${names.messages} WHERE (segment_id, seq) > ($1::text, $2::bigint) ORDER BY segment_id, seq LIMIT ${BACKFILL_PAGE}`,
      after,
    );
    const rows = (page.rows as Array<{ segment_id: string; seq: unknown; body: string }>).map((row) => ({
      segmentId: row.segment_id,
      seq: Number(row.seq),
      body: row.body,
    }));
    await indexMessages(client, insert, rows);
    const last = rows[rows.length - 1];
    if (rows.length < BACKFILL_PAGE || !last) return;
    after = [last.segmentId, last.seq];
  }
}
