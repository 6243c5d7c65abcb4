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
import { sqliteDialect } from '../src/drivers/sqlite/dialect.js';
import { SqliteDriver } from '../src/drivers/sqlite/driver.js';
import { SessionStore } from '../src/index.js';
import { onPostgres, PostgresPrefixes } from './fixtures/postgres-tables.js';
import { rewindToSchema7 } from './fixtures/sqlite-schema-7.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-user-index-'));
const url = inject('postgresUrl');
const prefixes = new PostgresPrefixes('userindex');
afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
  if (url !== undefined) await prefixes.dropAll(url);
});

const byUser: SessionQuery = { userId: 'ada', orderBy: 'updatedAt', order: 'desc', limit: 20 };

/** The entries the index itself holds (its b-tree's leaf cells), whatever it is declared to hold. */
function indexEntries(path: string): number {
  const raw = new Database(path, { readonly: true });
  try {
    return (raw.prepare("SELECT sum(ncell) AS entries FROM dbstat WHERE name = 'sessions_by_user_updated' AND pagetype = 'leaf'").get() as { entries: number }).entries;
  } finally {
    raw.close();
  }
}

describe('SQLite sessions_by_user_updated (schema 9: only sessions with a user)', () => {
  it('still answers a list by user from the index, newest first, without a sort', async () => {
    const path = join(directory, 'plan.db');
    await new SqliteDriver({ path }).close();
    const raw = new Database(path, { readonly: true });
    const built = compile(listSessionsStatement(sqliteDialect, byUser), sqliteDialect);
    const plan = (raw.prepare(`EXPLAIN QUERY PLAN ${built.text}`).all(...built.values) as Array<{ detail: string }>).map((step) => step.detail).join('\n');
    raw.close();
    expect(plan).toMatch(/USING INDEX sessions_by_user_updated \(user_id=\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it('holds only sessions with a user, and lists each user exactly', async () => {
    const path = join(directory, 'entries.db');
    const store = SessionStore.fromDriver(new SqliteDriver({ path }));
    try {
      const ada = [await store.create({ userId: 'ada' }), await store.create({ userId: 'ada' })];
      await store.create({ userId: 'grace' });
      const anonymous = await store.create();
      await store.append(anonymous.id, { role: 'user', content: 'no user here' });
      await store.append(ada[0]!.id, { role: 'user', content: 'newest for ada' });
      expect(indexEntries(path)).toBe(3);
      const listed = await store.list({ userId: 'ada', orderBy: 'updatedAt', order: 'desc' });
      expect(listed.sessions.map((session) => session.id)).toEqual([ada[0]!.id, ada[1]!.id]);
      const everyone = await store.list({ orderBy: 'updatedAt', order: 'desc' });
      expect(everyone.sessions).toHaveLength(4);
    } finally {
      await store.close();
    }
  });

  it('is rebuilt partial when an older file is opened, keeping every listing', async () => {
    const path = join(directory, 'upgrade.db');
    const store = SessionStore.fromDriver(new SqliteDriver({ path }));
    const ada = await store.create({ userId: 'ada' });
    await store.create();
    await store.close();
    // Back to schema 7 (the full index), so migrations 8 and later run again.
    const raw = new Database(path);
    rewindToSchema7(raw);
    expect((raw.prepare("SELECT sql FROM sqlite_master WHERE name = 'sessions_by_user_updated'").get() as { sql: string }).sql).not.toContain('WHERE');
    raw.close();

    const reopened = SessionStore.fromDriver(new SqliteDriver({ path }));
    try {
      expect((await reopened.list({ userId: 'ada' })).sessions.map((session) => session.id)).toEqual([ada.id]);
    } finally {
      await reopened.close();
    }
    const check = new Database(path, { readonly: true });
    expect((check.prepare("SELECT sql FROM sqlite_master WHERE name = 'sessions_by_user_updated'").get() as { sql: string }).sql).toContain('WHERE user_id IS NOT NULL');
    check.close();
    expect(indexEntries(path)).toBe(1);
  });
});

describe.skipIf(url === undefined)('PostgreSQL sessions_user (migration 7: only sessions with a user)', () => {
  it('is made partial by the migration, holds only sessions with a user, and still serves a list by user', async () => {
    const tablePrefix = prefixes.next();
    const store = SessionStore.fromDriver(await PostgresDriver.connect({ connectionString: url!, tablePrefix }));
    const names = tableNames('public', tablePrefix);
    let ada: { id: string };
    try {
      ada = await store.create({ userId: 'ada' });
      await store.create();
      // Back to schema 6 (the full index), then the migration again.
      await onPostgres(url!, [
        `DROP INDEX "${tablePrefix}sessions_user"`,
        `CREATE INDEX "${tablePrefix}sessions_user" ON ${names.sessions} (user_id, updated_at, id)`,
        `DELETE FROM ${names.migrations} WHERE version >= 7`,
      ]);
    } finally {
      await store.close();
    }
    const reopened = SessionStore.fromDriver(await PostgresDriver.connect({ connectionString: url!, tablePrefix }));
    try {
      expect((await reopened.list({ userId: 'ada' })).sessions.map((session) => session.id)).toEqual([ada.id]);
    } finally {
      await reopened.close();
    }
    const [definition] = await onPostgres<{ indexdef: string }>(url!, [`SELECT indexdef FROM pg_indexes WHERE indexname = '${tablePrefix}sessions_user'`]);
    expect(definition?.indexdef).toContain('WHERE (user_id IS NOT NULL)');
    await onPostgres(url!, [
      `INSERT INTO ${names.sessions} (id, user_id, state, created_at, updated_at, last_active_at, suspend_at, expires_at, version, metadata, tags, surfaces, record)
       SELECT 'session_' || n, CASE WHEN n % 2 = 0 THEN 'user_' || (n % 500) END, 'active', n, n, n, n, n, 1, '{}', '{}', '{}', '{}' FROM generate_series(1, 20000) AS n`,
      `ANALYZE ${names.sessions}`,
    ]);
    const dialect = postgresDialect(names);
    const built = compile(listSessionsStatement(dialect, { ...byUser, userId: 'user_42' }), dialect);
    const plan = await onPostgres<{ 'QUERY PLAN': string }>(url!, [`EXPLAIN ${built.text}`], built.values);
    expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain(`${tablePrefix}sessions_user`);
  });
});
