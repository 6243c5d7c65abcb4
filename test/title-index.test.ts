/**
 * Titles filtered by prefix in SQLite and PostgreSQL, below the store: the migration that adds the
 * title column fills it from the sessions already stored, and the prefix is asked as a range the
 * title index answers (read from the query plan). What every store must list is in the conformance
 * suite (src/testing/title-prefix.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { SessionQuery } from '../src/driver/driver.js';
import { postgresDialect } from '../src/drivers/postgres/dialect.js';
import { PostgresDriver } from '../src/drivers/postgres/driver.js';
import { tableNames } from '../src/drivers/postgres/identifiers.js';
import { compile } from '../src/drivers/sql/compile.js';
import { listSessionsStatement } from '../src/drivers/sql/list-sessions.js';
import { prefixRange } from '../src/drivers/sql/prefix-range.js';
import { sqliteDialect } from '../src/drivers/sqlite/dialect.js';
import { SqliteDriver } from '../src/drivers/sqlite/driver.js';
import { SessionStore } from '../src/index.js';
import { onPostgres as queryPostgres, PostgresPrefixes } from './fixtures/postgres-tables.js';
import { rewindToSchema7 } from './fixtures/sqlite-schema-7.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-title-index-'));
const url = inject('postgresUrl');
const prefixes = new PostgresPrefixes('titles');

afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
  if (url !== undefined) await prefixes.dropAll(url);
});

const byPrefix = (titlePrefix: string): SessionQuery => ({ titlePrefix, orderBy: 'updatedAt', order: 'desc', limit: 51 });

/** Sessions titled before the title column existed: one given, one taken from a message, one untitled. */
async function writeTitled(store: SessionStore): Promise<void> {
  await store.create({ title: 'Harbour of Porto' });
  await store.create({ messages: [{ role: 'user', content: 'Harbour lights of Lisbon' }] });
  await store.create({ title: 'Budget' });
  await store.create();
}

async function expectTitledFound(store: SessionStore): Promise<void> {
  const listed = await store.list({ titlePrefix: 'Harbour ' });
  expect(listed.sessions.map((session) => session.title).sort()).toEqual(['Harbour lights of Lisbon', 'Harbour of Porto']);
}

describe('prefixRange', () => {
  it('bounds exactly the texts that start with the prefix, in code point order', () => {
    expect(prefixRange('abc')).toEqual({ from: 'abc', below: 'abd' });
    expect(prefixRange('a%_')).toEqual({ from: 'a%_', below: 'a%`' });
    expect(prefixRange('\uD7FF')).toEqual({ from: '\uD7FF', below: '\uE000' });
    expect(prefixRange('a\u{10FFFF}')).toEqual({ from: 'a\u{10FFFF}', below: 'b' });
    expect(prefixRange('🚀')).toEqual({ from: '🚀', below: '🚁' });
    expect(prefixRange('\u{10FFFF}\u{10FFFF}')).toEqual({ from: '\u{10FFFF}\u{10FFFF}' });
  });
});

describe('SQLite title column', () => {
  it('is filled by the migration from the sessions already stored', async () => {
    const path = join(directory, 'before-titles.db');
    const before = SessionStore.fromDriver(new SqliteDriver({ path }));
    await writeTitled(before);
    await before.close();
    const raw = new Database(path);
    rewindToSchema7(raw);
    // And without the later migration (the live-runs column, 7), applied again on opening.
    raw.exec('DROP INDEX sessions_with_live_runs; DROP INDEX sessions_with_live_runs_by_user; ALTER TABLE sessions DROP COLUMN live_runs;');
    raw.exec('DROP INDEX sessions_by_title; ALTER TABLE sessions DROP COLUMN title; DELETE FROM schema_migrations WHERE version >= 6;');
    raw.close();

    const store = SessionStore.fromDriver(new SqliteDriver({ path }));
    try {
      await expectTitledFound(store);
    } finally {
      await store.close();
    }
    const check = new Database(path, { readonly: true });
    expect(check.prepare('SELECT count(*) AS rows FROM sessions WHERE title IS NOT NULL').get()).toEqual({ rows: 3 });
    check.close();
  });

  it('answers a prefix with a range on the title index', async () => {
    const path = join(directory, 'plan.db');
    const driver = new SqliteDriver({ path });
    await driver.close();
    const raw = new Database(path, { readonly: true });
    const built = compile(listSessionsStatement(sqliteDialect, byPrefix("Trip%_' to")), sqliteDialect);
    const plan = raw.prepare(`EXPLAIN QUERY PLAN ${built.text}`).all(...built.values) as Array<{ detail: string }>;
    raw.close();
    expect(plan.map((step) => step.detail).join('\n')).toMatch(/USING INDEX sessions_by_title \(title>\? AND title<\?\)/);
    expect(built.text).not.toContain('Trip');
  });
});

describe.skipIf(url === undefined)('PostgreSQL title column', () => {
  const onPostgres = <Row>(statements: string[], values: unknown[] = []): Promise<Row[]> => queryPostgres<Row>(url!, statements, values);

  it('is filled by the migration from the sessions already stored', async () => {
    const tablePrefix = prefixes.next();
    const before = SessionStore.fromDriver(await PostgresDriver.connect({ connectionString: url!, tablePrefix }));
    await writeTitled(before);
    await before.close();
    const names = tableNames('public', tablePrefix);
    // Back to schema version 4: the title column (5) and the live-runs column (6, its indexes with it) gone.
    await onPostgres([
      `ALTER TABLE ${names.sessions} DROP COLUMN title`,
      `ALTER TABLE ${names.sessions} DROP COLUMN live_runs`,
      `DELETE FROM ${names.migrations} WHERE version >= 5`,
    ]);

    const store = SessionStore.fromDriver(await PostgresDriver.connect({ connectionString: url!, tablePrefix }));
    try {
      await expectTitledFound(store);
    } finally {
      await store.close();
    }
    expect(await onPostgres([`SELECT count(*)::integer AS rows FROM ${names.sessions} WHERE title IS NOT NULL`])).toEqual([{ rows: 3 }]);
  });

  it('answers a prefix with a range on the title index', async () => {
    const tablePrefix = prefixes.next();
    const driver = await PostgresDriver.connect({ connectionString: url!, tablePrefix });
    await driver.close();
    const names = tableNames('public', tablePrefix);
    // Enough titled rows, with statistics, for the planner to weigh the index against a scan.
    await onPostgres([
      `INSERT INTO ${names.sessions} (id, state, created_at, updated_at, last_active_at, suspend_at, expires_at, version, metadata, tags, surfaces, record, title)
       SELECT 'session_' || n, 'active', n, n, n, n, n, 1, '{}', '{}', '{}', '{}', 'Title number ' || n FROM generate_series(1, 20000) AS n`,
      `ANALYZE ${names.sessions}`,
    ]);
    const dialect = postgresDialect(names);
    const built = compile(listSessionsStatement(dialect, byPrefix('Title number 1234')), dialect);
    expect(built.text).not.toContain('Title number');
    const plan = await onPostgres<{ 'QUERY PLAN': string }>([`EXPLAIN ${built.text}`], built.values);
    expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain(`${tablePrefix}sessions_title`);
  });
});
