/**
 * The full-text indexes of SQLite and PostgreSQL below the store: the migration that adds them
 * indexes the messages already stored (a database written before search existed is searchable
 * once opened), and what an index holds, message for message. What every store must do is in the
 * conformance suites (src/testing/search.ts, src/testing/driver/search.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { PostgresDriver } from '../src/drivers/postgres/driver.js';
import { tableNames } from '../src/drivers/postgres/identifiers.js';
import { SqliteDriver } from '../src/drivers/sqlite/driver.js';
import { indexedTerms } from '../src/common/search-text.js';
import { compile } from '../src/drivers/sql/compile.js';
import { messageValues, segmentValues } from '../src/drivers/sql/rows.js';
import type { Sql } from '../src/drivers/sql/sql.js';
import { historyStatements, sessionStatements } from '../src/drivers/sql/statements.js';
import { sqliteDialect } from '../src/drivers/sqlite/dialect.js';
import { latestSchemaVersion, migrate, migrations } from '../src/drivers/sqlite/migrations.js';
import { sessionParameters } from '../src/drivers/sqlite/rows.js';
import { CATCH_UP_BATCH } from '../src/drivers/sqlite/search.js';
import { SessionStore } from '../src/index.js';
import { PostgresPrefixes } from './fixtures/postgres-tables.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-search-index-'));
const url = inject('postgresUrl');
const prefixes = new PostgresPrefixes('search');

afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
  if (url !== undefined) await prefixes.dropAll(url);
});

/** Runs statements on PostgreSQL from outside the driver, returning the last one's rows. */
async function onPostgres(...statements: string[]): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    let rows: unknown[] = [];
    for (const statement of statements) rows = (await client.query(statement)).rows;
    return rows;
  } finally {
    await client.end();
  }
}

/** Two sessions' worth of messages, one of them rewound off its path, written before the index existed. */
async function writeHistory(store: SessionStore): Promise<{ ids: string[] }> {
  const first = await store.create({ userId: 'ana' });
  const [question, answer] = await store.append(first.id, [
    { role: 'user', content: 'Where is the harbour of Porto?' },
    { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'find_harbour', input: { city: 'Porto' } }] },
  ]);
  await store.rewind(first.id, { toMessage: question!.id });
  const second = await store.create({ userId: 'rui' });
  const [other] = await store.append(second.id, { role: 'user', content: 'The harbour lights of Lisbon.' });
  return { ids: [question!.id, answer!.id, other!.id] };
}

/** What writeHistory wrote is found: by a word, by a tool's name and input, and within one user's sessions. */
async function expectHistoryFound(store: SessionStore, ids: string[]): Promise<void> {
  expect(new Set((await store.search('harbour')).hits.map((hit) => hit.messageId))).toEqual(new Set(ids));
  expect((await store.search('find_harbour porto')).hits.map((hit) => hit.messageId)).toEqual([ids[1]]);
  expect((await store.search('harbour', { userId: 'rui' })).hits.map((hit) => hit.messageId)).toEqual([ids[2]]);
}

describe('SQLite full-text index', () => {
  it('is rebuilt by migration 8 from a database of the schema before it (7), which reads and searches the same', async () => {
    // The history as this version writes it, and what reading and searching it gives.
    const current = new SqliteDriver({ path: join(directory, 'current.db') });
    const store = SessionStore.fromDriver(current);
    const { ids } = await writeHistory(store);
    const sessions = await current.listSessions({ limit: 10, orderBy: 'createdAt', order: 'asc' });
    const expected = await Promise.all(sessions.map(async (session) => store.getMessages(session.id)));
    const expectedHits = (await store.search('harbour')).hits;

    // The same records written into a database of schema 7 by that layout's statements (the shared
    // ones, which are what version 7 ran), its search index caught up as version 7 left it.
    const path = join(directory, 'schema-7.db');
    const old = new Database(path);
    old.pragma('journal_mode = WAL');
    migrate(old, { migrations: migrations.filter((migration) => migration.version <= 7) });
    const prepare = (source: Sql) => old.prepare(compile(source, sqliteDialect).text);
    const putSession = prepare(sessionStatements(sqliteDialect).putSession);
    const history = historyStatements(sqliteDialect);
    const [insertSegment, insertMessage] = [prepare(history.insertSegments), prepare(history.insertMessages)];
    const indexEntry = old.prepare('INSERT INTO message_search (terms, segment_id, seq) VALUES (?, ?, ?)');
    const link = old.prepare('UPDATE messages SET search_row = last_insert_rowid() WHERE segment_id = ? AND seq = ?');
    for (const session of sessions) {
      putSession.run(sessionParameters(session, 0));
      for (const segment of await current.listSegments({ sessionId: session.id })) {
        insertSegment.run(...segmentValues(segment));
        for (const message of await current.readMessages(segment.id, { fromSeq: 0, toSeq: Number.MAX_SAFE_INTEGER, order: 'asc' })) {
          insertMessage.run(...messageValues(message));
          indexEntry.run(indexedTerms(message.body), message.segmentId, message.seq);
          link.run(message.segmentId, message.seq);
        }
      }
    }
    expect(old.prepare('SELECT count(*) AS rows FROM message_search_content').get()).toEqual({ rows: 3 });
    old.close();
    await store.close();

    const upgraded = SessionStore.fromDriver(new SqliteDriver({ path }));
    try {
      expect(await Promise.all(sessions.map(async (session) => upgraded.getMessages(session.id)))).toEqual(expected);
      expect((await upgraded.search('harbour')).hits).toEqual(expectedHits);
      await expectHistoryFound(upgraded, ids);
    } finally {
      await upgraded.close();
    }
    const check = new Database(path, { readonly: true });
    expect(check.prepare('SELECT max(version) AS version FROM schema_migrations').get()).toEqual({ version: latestSchemaVersion() });
    // Every message moved (three, one of them off the path), each indexed once; the old index's content table is empty.
    expect(check.prepare('SELECT count(*) AS rows FROM search_backlog').get()).toEqual({ rows: 0 });
    expect(check.prepare('SELECT count(*) AS rows FROM message_search').get()).toEqual({ rows: 3 });
    expect(check.prepare('SELECT count(*) AS rows FROM message_search_content').get()).toEqual({ rows: 0 });
    check.close();
  });

  it('keeps one index row per message with text, and none after the message is gone', async () => {
    const path = join(directory, 'rows.db');
    const store = SessionStore.fromDriver(new SqliteDriver({ path }));
    const session = await store.create();
    const [first] = await store.append(session.id, [
      { role: 'user', content: 'one' },
      { role: 'user', content: [{ type: 'image', image: 'https://example.com/only-an-image.png' }] },
      { role: 'user', content: 'three' },
    ]);
    await store.rewind(session.id, { toMessage: first!.id });
    const raw = new Database(path, { readonly: true });
    const rows = (): unknown => raw.prepare('SELECT count(*) AS rows FROM message_search').get();
    const waiting = (): unknown => raw.prepare('SELECT (SELECT count(*) FROM (SELECT position FROM messages UNION ALL SELECT position FROM recent_messages) AS message JOIN search_backlog AS backlog ON backlog.segment_number = message.position >> 32 AND message.position >= backlog.from_position) AS rows').get();
    // An append leaves its rows for the index to catch up with; a search catches up first.
    expect(waiting()).toEqual({ rows: 3 });
    expect((await store.search('three')).hits).toHaveLength(1);
    expect(waiting()).toEqual({ rows: 0 });
    expect(rows()).toEqual({ rows: 2 });
    // Deleting the session deletes the history no fork reaches, and its index rows with it.
    await store.delete(session.id);
    expect(rows()).toEqual({ rows: 0 });
    expect(raw.prepare("SELECT count(*) AS rows FROM message_search WHERE message_search MATCH 'three'").get()).toEqual({ rows: 0 });
    raw.close();
    await store.close();
  });
});

describe('SQLite full-text index catching up', () => {
  it('keeps the index exact when a segment loses its tail and takes new messages at the same seqs, indexed or still waiting', async () => {
    const path = join(directory, 'truncate.db');
    const driver = new SqliteDriver({ path });
    const store = SessionStore.fromDriver(driver);
    const raw = new Database(path, { readonly: true });
    const entries = (): unknown => raw.prepare('SELECT count(*) AS rows FROM message_search').get();
    const found = async (word: string) => (await store.search(word)).hits.map((hit) => hit.messageId);
    try {
      const session = await store.create();
      const segment = (await driver.getSession(session.id))!.headSegmentId;
      const first = await store.append(session.id, [1, 2, 3, 4].map((index) => ({ role: 'user' as const, content: `indexed${index} common` })));
      expect(await found('common')).toHaveLength(4); // caught up: all four are in the index
      await store.append(session.id, [5, 6].map((index) => ({ role: 'user' as const, content: `waiting${index} common` })));
      // Seqs 3 to 6 go: two indexed (their entries must go) and two still waiting (nothing to remove).
      expect(await driver.deleteMessagesAfter(segment, 2)).toBe(4);
      expect(entries()).toEqual({ rows: 2 });
      await driver.commit({
        messages: [3, 4, 5].map((seq) => ({ id: `again${seq}`, segmentId: segment, seq, createdAt: Date.now(), body: JSON.stringify({ role: 'user', content: `again${seq} common` }) })),
      });
      expect((await found('common')).sort()).toEqual([first[0]!.id, first[1]!.id, 'again3', 'again4', 'again5'].sort());
      expect(await found('indexed3')).toEqual([]);
      expect(await found('waiting5')).toEqual([]);
      expect(entries()).toEqual({ rows: 5 });
      expect(raw.prepare('SELECT count(*) AS rows FROM search_backlog').get()).toEqual({ rows: 0 });
    } finally {
      raw.close();
      await store.close();
    }
  });

  it('finds what another connection appended, and indexes nothing a deletion removed first', async () => {
    const path = join(directory, 'catch-up.db');
    const writer = SessionStore.fromDriver(new SqliteDriver({ path }));
    const reader = SessionStore.fromDriver(new SqliteDriver({ path }));
    try {
      const kept = await writer.create();
      const removed = await writer.create();
      const [keptMessage] = await writer.append(kept.id, { role: 'user', content: 'lighthouse keeper' });
      await writer.append(removed.id, { role: 'user', content: 'lighthouse gone' });
      await writer.delete(removed.id);
      expect((await reader.search('lighthouse')).hits.map((hit) => hit.messageId)).toEqual([keptMessage!.id]);
      const raw = new Database(path, { readonly: true });
      expect(raw.prepare('SELECT count(*) AS rows FROM message_search').get()).toEqual({ rows: 1 });
      raw.close();
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  it('catches up after a commit leaves enough messages waiting, without a search', async () => {
    const path = join(directory, 'batch.db');
    const store = SessionStore.fromDriver(new SqliteDriver({ path }));
    const raw = new Database(path, { readonly: true });
    const counts = () => raw.prepare('SELECT (SELECT count(*) FROM (SELECT position FROM messages UNION ALL SELECT position FROM recent_messages) AS message JOIN search_backlog AS backlog ON backlog.segment_number = message.position >> 32 AND message.position >= backlog.from_position) AS waiting, (SELECT count(*) FROM message_search) AS entries').get();
    try {
      const session = await store.create();
      await store.append(session.id, Array.from({ length: CATCH_UP_BATCH - 1 }, (_, index) => ({ role: 'user' as const, content: `word${index}` })));
      expect(counts()).toEqual({ waiting: CATCH_UP_BATCH - 1, entries: 0 });
      await store.append(session.id, { role: 'user', content: 'last' });
      expect(counts()).toEqual({ waiting: 0, entries: CATCH_UP_BATCH });
    } finally {
      raw.close();
      await store.close();
    }
  });
});

describe.skipIf(url === undefined)('PostgreSQL full-text index', () => {
  it('is built by the migration from the messages already stored', async () => {
    const tablePrefix = prefixes.next();
    const before = SessionStore.fromDriver(await PostgresDriver.connect({ connectionString: url!, tablePrefix }));
    const { ids } = await writeHistory(before);
    await before.close();
    const names = tableNames('public', tablePrefix);
    // Back to schema version 3: the search table (4), the title column (5) and the live-runs column (6) gone.
    await onPostgres(
      `DROP TABLE ${names.messageSearch}`,
      `ALTER TABLE ${names.sessions} DROP COLUMN title`,
      `ALTER TABLE ${names.sessions} DROP COLUMN live_runs`,
      `DELETE FROM ${names.migrations} WHERE version >= 4`,
    );

    const store = SessionStore.fromDriver(await PostgresDriver.connect({ connectionString: url!, tablePrefix }));
    try {
      await expectHistoryFound(store, ids);
    } finally {
      await store.close();
    }
    expect(await onPostgres(`SELECT count(*)::integer AS rows FROM ${names.messageSearch}`)).toEqual([{ rows: 3 }]);
  });
});
