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
  it('is built by the migration from the messages already stored', async () => {
    const path = join(directory, 'before-search.db');
    const before = SessionStore.fromDriver(new SqliteDriver({ path }));
    const { ids } = await writeHistory(before);
    await before.close();
    // The database as sessionloom left it before search existed: schema version 3.
    const raw = new Database(path);
    // SQLite leaves a contentless_unindexed index's content table behind when the index is dropped,
    // and defensive mode (better-sqlite3's default) forbids dropping it: allowed here, for this setup only.
    raw.unsafeMode(true);
    raw.exec('DROP TRIGGER message_search_forget; DROP INDEX messages_awaiting_index; DROP TABLE message_search; DROP TABLE IF EXISTS message_search_content; ALTER TABLE messages DROP COLUMN search_row;');
    // And without the later migrations (the title column, 6; the live-runs column, 7), which are applied again on opening.
    raw.exec('DROP INDEX sessions_with_live_runs; DROP INDEX sessions_with_live_runs_by_user; ALTER TABLE sessions DROP COLUMN live_runs;');
    raw.exec('DROP INDEX sessions_by_title; ALTER TABLE sessions DROP COLUMN title; DELETE FROM schema_migrations WHERE version >= 4;');
    raw.close();

    const store = SessionStore.fromDriver(new SqliteDriver({ path }));
    try {
      await expectHistoryFound(store, ids);
    } finally {
      await store.close();
    }
    const check = new Database(path, { readonly: true });
    expect(check.prepare('SELECT count(*) AS rows FROM messages WHERE search_row IS NOT NULL').get()).toEqual({ rows: 3 });
    expect(check.prepare('SELECT count(*) AS rows FROM message_search').get()).toEqual({ rows: 3 });
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
    const waiting = (): unknown => raw.prepare('SELECT count(*) AS rows FROM messages WHERE search_row IS NULL').get();
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
    const counts = () => raw.prepare('SELECT (SELECT count(*) FROM messages WHERE search_row IS NULL) AS waiting, (SELECT count(*) FROM message_search) AS entries').get();
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
