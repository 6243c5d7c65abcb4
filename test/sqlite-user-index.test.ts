import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { SessionQuery } from '../src/driver/driver.js';
import { compile } from '../src/drivers/sql/compile.js';
import { listSessionsStatement } from '../src/drivers/sql/list-sessions.js';
import { sqliteDialect } from '../src/drivers/sqlite/dialect.js';
import { SqliteDriver } from '../src/drivers/sqlite/driver.js';
import { SessionStore } from '../src/index.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-user-index-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const byUser: SessionQuery = { userId: 'ada', orderBy: 'updatedAt', order: 'desc', limit: 20 };

function indexEntries(path: string): number {
  const raw = new Database(path, { readonly: true });
  try {
    return (raw.prepare('SELECT count(*) AS entries FROM sessions INDEXED BY sessions_by_user_updated WHERE user_id IS NOT NULL').get() as { entries: number }).entries;
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

  it('is rebuilt partial when a schema-8 file is opened, keeping every listing', async () => {
    const path = join(directory, 'upgrade.db');
    const store = SessionStore.fromDriver(new SqliteDriver({ path }));
    const ada = await store.create({ userId: 'ada' });
    await store.create();
    await store.close();
    // Back to schema 8: the full index, and migration 9 not yet recorded.
    const raw = new Database(path);
    raw.exec('DROP INDEX sessions_by_user_updated; CREATE INDEX sessions_by_user_updated ON sessions (user_id, updated_at, id); DELETE FROM schema_migrations WHERE version >= 9;');
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
