/**
 * The sessions with live runs in SQLite and PostgreSQL, below the store: the migration that adds the
 * live_runs column fills it from the sessions already stored, and `hasLiveRuns: true` is answered
 * from the partial indexes (read from the query plan). What every driver must list is in the driver
 * conformance suite (src/testing/driver/list-sessions.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { SessionQuery, StorageDriver } from '../src/driver/driver.js';
import { postgresDialect } from '../src/drivers/postgres/dialect.js';
import { PostgresDriver } from '../src/drivers/postgres/driver.js';
import { tableNames } from '../src/drivers/postgres/identifiers.js';
import { compile } from '../src/drivers/sql/compile.js';
import { listSessionsStatement } from '../src/drivers/sql/list-sessions.js';
import { sqliteDialect } from '../src/drivers/sqlite/dialect.js';
import { SqliteDriver } from '../src/drivers/sqlite/driver.js';
import { sessionRecord } from '../src/testing/driver/records.js';
import { onPostgres as queryPostgres, PostgresPrefixes } from './fixtures/postgres-tables.js';
import { rewindToSchema7 } from './fixtures/sqlite-schema-7.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-live-runs-index-'));
const url = inject('postgresUrl');
const prefixes = new PostgresPrefixes('liveruns');

afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
  if (url !== undefined) await prefixes.dropAll(url);
});

const live = (userId?: string): SessionQuery => ({
  hasLiveRuns: true,
  ...(userId === undefined ? {} : { userId }),
  orderBy: 'createdAt',
  order: 'asc',
  limit: 200,
});

/** Sessions written before the column existed: two with live runs (one of them with two), two idle. */
async function writeSessions(driver: StorageDriver): Promise<string[]> {
  const records = [
    sessionRecord({ id: 'live-one', userId: 'ada', createdAt: 1, liveRuns: [{ runId: 'run-1' }] }),
    sessionRecord({ id: 'idle-one', userId: 'ada', createdAt: 2 }),
    sessionRecord({ id: 'live-two', userId: 'grace', createdAt: 3, liveRuns: [{ runId: 'run-2' }, { runId: 'run-3', cancel: { at: 5 } }] }),
    sessionRecord({ id: 'idle-two', createdAt: 4, metadata: { note: '"liveRuns":[1]' } }),
  ];
  for (const record of records) await driver.commit({ sessions: [{ record, expectedVersion: 0 }] });
  return ['live-one', 'live-two'];
}

describe('SQLite live_runs column', () => {
  it('is filled by the migration from the sessions already stored', async () => {
    const path = join(directory, 'before-live-runs.db');
    const before = new SqliteDriver({ path });
    const expected = await writeSessions(before);
    await before.close();
    const raw = new Database(path);
    rewindToSchema7(raw);
    raw.exec('DROP INDEX sessions_with_live_runs; DROP INDEX sessions_with_live_runs_by_user; ALTER TABLE sessions DROP COLUMN live_runs;');
    raw.exec('DELETE FROM schema_migrations WHERE version = 7;');
    raw.close();

    const driver = new SqliteDriver({ path });
    try {
      expect((await driver.listSessions(live())).map((session) => session.id)).toEqual(expected);
      expect((await driver.listSessions(live('grace'))).map((session) => session.id)).toEqual(['live-two']);
    } finally {
      await driver.close();
    }
    const check = new Database(path, { readonly: true });
    expect(check.prepare('SELECT id, live_runs FROM sessions WHERE live_runs IS NOT NULL ORDER BY id').all()).toEqual([
      { id: 'live-one', live_runs: 1 },
      { id: 'live-two', live_runs: 2 },
    ]);
    check.close();
  });

  it('answers hasLiveRuns from the partial indexes, with and without a user', async () => {
    const path = join(directory, 'plan.db');
    const driver = new SqliteDriver({ path });
    await driver.close();
    const raw = new Database(path, { readonly: true });
    const planOf = (query: SessionQuery): string => {
      const built = compile(listSessionsStatement(sqliteDialect, query), sqliteDialect);
      const plan = raw.prepare(`EXPLAIN QUERY PLAN ${built.text}`).all(...built.values) as Array<{ detail: string }>;
      return plan.map((step) => step.detail).join('\n');
    };
    try {
      expect(planOf(live())).toMatch(/USING INDEX sessions_with_live_runs\b/);
      expect(planOf(live('ada'))).toMatch(/USING INDEX sessions_with_live_runs_by_user \(user_id=\?/);
      expect(planOf({ ...live(), after: { value: 3, id: 'x' } })).toMatch(/USING INDEX sessions_with_live_runs\b/);
    } finally {
      raw.close();
    }
  });
});

describe.skipIf(url === undefined)('PostgreSQL live_runs column', () => {
  const onPostgres = <Row>(statements: string[], values: unknown[] = []): Promise<Row[]> => queryPostgres<Row>(url!, statements, values);

  it('is filled by the migration from the sessions already stored', async () => {
    const tablePrefix = prefixes.next();
    const before = await PostgresDriver.connect({ connectionString: url!, tablePrefix });
    const expected = await writeSessions(before);
    await before.close();
    const names = tableNames('public', tablePrefix);
    await onPostgres([`ALTER TABLE ${names.sessions} DROP COLUMN live_runs`, `DELETE FROM ${names.migrations} WHERE version >= 6`]);

    const driver = await PostgresDriver.connect({ connectionString: url!, tablePrefix });
    try {
      expect((await driver.listSessions(live())).map((session) => session.id)).toEqual(expected);
      expect((await driver.listSessions(live('grace'))).map((session) => session.id)).toEqual(['live-two']);
    } finally {
      await driver.close();
    }
    expect(await onPostgres([`SELECT id, live_runs FROM ${names.sessions} WHERE live_runs IS NOT NULL ORDER BY id`])).toEqual([
      { id: 'live-one', live_runs: 1 },
      { id: 'live-two', live_runs: 2 },
    ]);
  });

  it('answers hasLiveRuns from the partial indexes', async () => {
    const tablePrefix = prefixes.next();
    const driver = await PostgresDriver.connect({ connectionString: url!, tablePrefix });
    await driver.close();
    const names = tableNames('public', tablePrefix);
    // Many idle sessions and a few live ones, with statistics, for the planner to weigh the index against a scan.
    await onPostgres([
      `INSERT INTO ${names.sessions} (id, user_id, state, created_at, updated_at, last_active_at, suspend_at, expires_at, version, metadata, tags, surfaces, record, live_runs)
       SELECT 'session_' || n, 'user_' || (n % 50), 'active', n, n, n, n, n, 1, '{}', '{}', '{}', '{}', CASE WHEN n % 2000 = 0 THEN 1 END
       FROM generate_series(1, 20000) AS n`,
      `ANALYZE ${names.sessions}`,
    ]);
    const dialect = postgresDialect(names);
    const planOf = async (query: SessionQuery): Promise<string> => {
      const built = compile(listSessionsStatement(dialect, query), dialect);
      const plan = await onPostgres<{ 'QUERY PLAN': string }>([`EXPLAIN ${built.text}`], built.values);
      return plan.map((row) => row['QUERY PLAN']).join('\n');
    };
    expect(await planOf(live())).toContain(`${tablePrefix}sessions_live`);
    expect(await planOf(live('user_0'))).toContain(`${tablePrefix}sessions_user_live`);
  });
});
