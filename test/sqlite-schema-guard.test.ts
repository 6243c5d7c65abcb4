/**
 * A newer version's upgrade seen by a process already open (schema-guard.ts): the file's schema
 * version is in its header (user_version, set by every migration), and a driver refuses to go on
 * once another process has moved it past what this version knows (a write at once, any call within
 * the read check's interval), instead of misreading what the newer version writes or writing what
 * it would not read. Commits by other processes that upgrade nothing leave it working.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteDriver } from '../src/drivers/sqlite/driver.js';
import { latestSchemaVersion } from '../src/drivers/sqlite/migrations.js';
import { SessionStore } from '../src/index.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-schema-guard-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/**
 * Another process holding the file open (as another version of sessionloom would), running each SQL
 * text it is sent and answering when it has committed: a round trip of a few milliseconds, so a
 * write right after it is checked inside its transaction, not by the calls' timed check.
 */
function anotherProcess(path: string): { run(sql: string): Promise<void>; stop(): void } {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
      db.exec(JSON.parse(line));
      process.stdout.write('done\\n');
    });`;
  const child = spawn(process.execPath, ['-e', script, path], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'] });
  const answers = createInterface({ input: child.stdout! });
  const waiting: Array<() => void> = [];
  answers.on('line', () => waiting.shift()?.());
  return {
    run: (sql) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        child.stdin!.write(`${JSON.stringify(sql)}\n`);
      }),
    stop: () => child.kill(),
  };
}

describe('SQLite schema guard', () => {
  it('records the schema version in the file header', () => {
    const path = join(directory, 'header.db');
    new SqliteDriver({ path }).close();
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma('user_version', { simple: true })).toBe(latestSchemaVersion());
    } finally {
      raw.close();
    }
  });

  it('keeps working through other processes\' commits, and refuses once one upgrades the file past this version', async () => {
    const path = join(directory, 'guard.db');
    const store = SessionStore.sqlite(path);
    const other = anotherProcess(path);
    try {
      const session = await store.create();
      await store.append(session.id, { role: 'user', content: 'before' });
      // Another process commits something that upgrades nothing: the driver goes on.
      await other.run('UPDATE store_settings SET search_index = search_index');
      await store.append(session.id, { role: 'user', content: 'after' });
      expect((await store.getMessages(session.id)).map((message) => message.content)).toEqual(['before', 'after']);
      // A newer version's upgrade (its migration writes the header): a write refuses at once (checked
      // inside its transaction), and every call once the calls' check interval has passed.
      const newer = latestSchemaVersion() + 1;
      await store.get(session.id);
      await other.run(`INSERT INTO schema_migrations (version, applied_at) VALUES (${newer}, 0); PRAGMA user_version = ${newer};`);
      const refusal = new RegExp(`upgraded to schema version ${newer} by a newer sessionloom since this process opened it; this version only knows versions up to ${latestSchemaVersion()}`);
      await expect(store.append(session.id, { role: 'user', content: 'refused' })).rejects.toThrow(refusal);
      await new Promise((resolve) => setTimeout(resolve, 150));
      await expect(store.get(session.id)).rejects.toThrow(refusal);
    } finally {
      other.stop();
      // Closing settles nothing into the newer schema, and closes.
      await store.close();
    }
    const raw = new Database(path, { readonly: true });
    try {
      // The two messages appended, still where this version put them: its close moved nothing into the newer schema.
      expect(raw.prepare('SELECT (SELECT count(*) FROM recent_messages) AS recent, (SELECT count(*) FROM messages) AS settled').get()).toEqual({ recent: 2, settled: 0 });
    } finally {
      raw.close();
    }
  });
});
