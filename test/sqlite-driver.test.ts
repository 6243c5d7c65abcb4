/**
 * The SQLite driver's own concerns, below the core: schema migrations (several processes opening a
 * new file at once included), connection settings (WAL, synchronous, busy timeout), the ORDER BY
 * whitelist, and calls after close. What every driver must do is tested by the driver conformance
 * suite (test/driver-conformance-sqlite.test.ts), on a file and in `:memory:`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { SessionRecord } from '../src/driver/driver.js';
import { SqliteDriver } from '../src/drivers/sqlite/driver.js';
import { latestSchemaVersion, migrate, migrations } from '../src/drivers/sqlite/migrations.js';
import type { SessionOrderBy } from '../src/types.js';
import { messageRecord, segmentRecord, sessionRecord } from './fixtures/driver-records.js';
import { rewindToSchema7 } from './fixtures/sqlite-schema-7.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-sqlite-'));
let fileCounter = 0;
const newPath = (): string => join(directory, `test-${++fileCounter}.db`);

afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A session with its first segment, created in one batch as the core does. */
async function createSession(driver: SqliteDriver, record: SessionRecord): Promise<void> {
  await driver.commit({
    sessions: [{ record, expectedVersion: 0 }],
    segments: [segmentRecord(record.headSegmentId, record.id)],
  });
}

describe('migrations', () => {
  it('runs on a new file once, records the version, and reopening keeps the data', async () => {
    const path = newPath();
    const first = new SqliteDriver({ path });
    await createSession(first, sessionRecord({ id: 'kept' }));
    await first.close();

    const second = new SqliteDriver({ path });
    expect(await second.getSession('kept')).toEqual(sessionRecord({ id: 'kept' }));
    await second.close();

    const raw = new Database(path);
    const rows = raw.prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all() as Array<{
      version: number;
      applied_at: number;
    }>;
    raw.close();
    expect(rows.map((row) => row.version)).toEqual(migrations.map((migration) => migration.version));
    for (const row of rows) expect(row.applied_at).toBeGreaterThan(1_600_000_000_000);
  });

  it('applies only the migrations a database lacks', () => {
    const database = new Database(newPath());
    migrate(database);
    const next = latestSchemaVersion() + 1;
    const extended = [...migrations, { version: next, up: 'CREATE TABLE later_table (id TEXT PRIMARY KEY)' }];
    migrate(database, { migrations: extended });
    migrate(database, { migrations: extended });
    const versions = database.prepare('SELECT version FROM schema_migrations ORDER BY version').all();
    expect(versions).toEqual([...migrations.map((migration) => ({ version: migration.version })), { version: next }]);
    expect(database.prepare("SELECT name FROM sqlite_master WHERE name = 'later_table'").get()).toBeDefined();
    expect(() => migrate(database, { migrations: [...extended, { version: next, up: '' }] })).toThrow(/distinct/);
    database.close();
  });

  it('refuses a database whose schema is newer than the code, and leaves it untouched', async () => {
    const path = newPath();
    await new SqliteDriver({ path }).close();
    const raw = new Database(path);
    raw.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(999, Date.now());
    raw.close();

    expect(() => new SqliteDriver({ path })).toThrow(/schema version 999.*upgrade sessionloom/i);

    const check = new Database(path);
    expect(check.prepare('SELECT max(version) AS version FROM schema_migrations').get()).toEqual({ version: 999 });
    check.close();
  });

  it('names the file when it is not a database', () => {
    const path = newPath();
    writeFileSync(path, 'this is not a database, only some text that is long enough to have a header'.repeat(20));
    expect(() => new SqliteDriver({ path })).toThrow(/cannot open the database ".*test-\d+\.db": file is not a database/);
    expect(() => new SqliteDriver({ path: join(directory, 'missing', 'x.db') })).toThrow(/cannot open the database ".*missing/);
  });

  it('opens a new file from several processes at the same moment without SQLITE_BUSY, round after round', async () => {
    // Two connections switching a new file to WAL together make SQLite answer SQLITE_BUSY at once,
    // without waiting for the busy timeout; the driver must retry that instead of failing to open.
    const rounds = 20;
    const workers = 4;
    const paths = Array.from({ length: rounds }, () => newPath());
    const driverUrl = pathToFileURL(fileURLToPath(new URL('../src/drivers/sqlite/driver.ts', import.meta.url))).href;
    const script = join(directory, 'concurrent-opener.mts');
    writeFileSync(
      script,
      `
      import { SqliteDriver } from ${JSON.stringify(driverUrl)};
      const [startAtText, ...paths] = process.argv.slice(2);
      for (const [round, path] of paths.entries()) {
        const startAt = Number(startAtText) + round * 150;
        while (Date.now() < startAt) {}
        const driver = new SqliteDriver({ path });
        await driver.close();
      }
      `,
    );
    const startAt = Date.now() + 3_000;
    const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
    const exits = await Promise.all(
      Array.from(
        { length: workers },
        () =>
          new Promise<{ code: number | null; errors: string }>((resolve, reject) => {
            const child = spawn(process.execPath, ['--import', 'tsx', script, String(startAt), ...paths], {
              cwd: repositoryRoot,
            });
            let errors = '';
            child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
            child.on('error', reject);
            child.on('close', (code) => resolve({ code, errors }));
          }),
      ),
    );
    expect(exits.map((exit) => exit.errors.trim())).toEqual(Array.from({ length: workers }, () => ''));
    expect(exits.map((exit) => exit.code)).toEqual(Array.from({ length: workers }, () => 0));
    for (const path of paths) {
      const raw = new Database(path);
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.prepare('SELECT version FROM schema_migrations').all()).toEqual(
        migrations.map((migration) => ({ version: migration.version })),
      );
      raw.close();
    }
  }, 60_000);

  it('migrates a new file once when several processes open it at the same moment, and serializes their writes', async () => {
    const path = newPath();
    const driverUrl = pathToFileURL(fileURLToPath(new URL('../src/drivers/sqlite/driver.ts', import.meta.url))).href;
    const script = join(directory, 'concurrent-writer.mts');
    writeFileSync(
      script,
      `
      import { SqliteDriver } from ${JSON.stringify(driverUrl)};
      const [path, startAt, worker, writesText] = process.argv.slice(2);
      const writes = Number(writesText);
      while (Date.now() < Number(startAt)) await new Promise((resolve) => setTimeout(resolve, 2));
      const driver = new SqliteDriver({ path });
      let written = 0;
      let conflicts = 0;
      const base = { state: 'active', metadata: {}, tags: [], attachedSurfaces: [],
        usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 }, createdAt: 1, updatedAt: 1, lastActiveAt: 1,
        ttlMs: 1, suspendAt: 2, expiresAt: 3, headSegmentId: 'shared-segment', id: 'shared' };
      while (written < writes) {
        const session = await driver.getSession('shared');
        try {
          if (session === undefined) {
            await driver.commit({
              sessions: [{ record: { ...base, messageCount: 0, version: 1 }, expectedVersion: 0 }],
              segments: [{ id: 'shared-segment', sessionId: 'shared', baseSeq: 0, createdAt: 1 }],
            });
            continue;
          }
          const seq = session.messageCount + 1;
          await driver.commit({
            sessions: [{ record: { ...session, messageCount: seq, version: session.version + 1 }, expectedVersion: session.version }],
            messages: [{ id: worker + '-' + written, segmentId: 'shared-segment', seq, createdAt: seq, body: '{}' }],
          });
          written += 1;
        } catch (error) {
          if (error?.name !== 'WriteConflict') throw error;
          conflicts += 1;
        }
      }
      await driver.close();
      console.log(JSON.stringify({ conflicts }));
      `,
    );

    const workers = 4;
    const writesEach = 25;
    const startAt = Date.now() + 1_500;
    const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
    const outputs = await Promise.all(
      Array.from(
        { length: workers },
        (_, worker) =>
          new Promise<string>((resolve, reject) => {
            const child = spawn(
              process.execPath,
              ['--import', 'tsx', script, path, String(startAt), `worker${worker}`, String(writesEach)],
              { cwd: repositoryRoot },
            );
            let output = '';
            let errors = '';
            child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
            child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
            child.on('error', reject);
            child.on('close', (code) =>
              code === 0 ? resolve(output) : reject(new Error(`worker ${worker} exited ${code}: ${errors}`)),
            );
          }),
      ),
    );
    expect(outputs).toHaveLength(workers);

    const raw = new Database(path);
    expect(raw.prepare('SELECT version FROM schema_migrations').all()).toEqual(
      migrations.map((migration) => ({ version: migration.version })),
    );
    // Every message is in the one shared segment; a position is its segment's number * 2^32 + seq.
    const seqs = (raw.prepare('SELECT position & 4294967295 AS seq FROM messages ORDER BY position').all() as Array<{ seq: number }>).map(
      (row) => row.seq,
    );
    raw.close();
    const total = workers * writesEach;
    expect(seqs).toEqual(Array.from({ length: total }, (_, index) => index + 1));

    const driver = new SqliteDriver({ path });
    const session = await driver.getSession('shared');
    expect(session?.version).toBe(total + 1);
    expect(session?.messageCount).toBe(total);
    await driver.close();
  }, 60_000);
});

describe('connection settings', () => {
  it('uses WAL, synchronous=FULL and a 10 s busy timeout by default', async () => {
    const database = new Database(newPath());
    const driver = new SqliteDriver({ path: 'given', database });
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(database.pragma('synchronous', { simple: true })).toBe(2);
    expect(database.pragma('busy_timeout', { simple: true })).toBe(10_000);
    await driver.close();
    // The caller opened it, so the caller still owns it.
    expect(database.open).toBe(true);
    database.close();
  });

  it('uses synchronous=NORMAL when relaxed, and the given busy timeout', async () => {
    const database = new Database(newPath());
    const driver = new SqliteDriver({ path: 'given', database, durability: 'relaxed', busyTimeoutMs: 2_500 });
    expect(database.pragma('synchronous', { simple: true })).toBe(1);
    expect(database.pragma('busy_timeout', { simple: true })).toBe(2_500);
    await driver.close();
    database.close();
  });

  it('leaves a file it opened in WAL mode', async () => {
    const path = newPath();
    await new SqliteDriver({ path }).close();
    const raw = new Database(path);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('refuses settings it cannot put in a PRAGMA safely', () => {
    expect(() => new SqliteDriver({ path: ':memory:', busyTimeoutMs: 1.5 })).toThrow(/busyTimeoutMs/);
    expect(
      () => new SqliteDriver({ path: ':memory:', durability: 'OFF; DROP TABLE sessions' as 'relaxed' }),
    ).toThrow(/durability/);
  });
});
describe('message positions (schema 8: segment number * 2^32 + seq)', () => {
  it('refuses a seq outside 0 to 2^32 - 1 and a message of a segment that does not exist, writing nothing of the batch', async () => {
    const driver = new SqliteDriver({ path: newPath() });
    const record = sessionRecord({ id: 'positions' });
    await createSession(driver, record);
    const segment = record.headSegmentId;
    const kept = messageRecord('kept', segment, 1);
    for (const [message, reason] of [
      [messageRecord('too-far', segment, 2 ** 32), /seq 4294967296/],
      [messageRecord('negative', segment, -1), /seq -1/],
      [messageRecord('nowhere', 'missing-segment', 1), /segment "missing-segment", which does not exist/],
    ] as const) {
      await expect(driver.commit({ messages: [kept, message] })).rejects.toThrow(reason);
    }
    expect(await driver.readMessages(segment, { fromSeq: 0, toSeq: Number.MAX_SAFE_INTEGER, order: 'asc' })).toEqual([]);
    // The largest seq is stored and read back in its place, after the others.
    await driver.commit({ messages: [kept, messageRecord('last', segment, 2 ** 32 - 1)] });
    const read = await driver.readMessages(segment, { fromSeq: 0, toSeq: Number.MAX_SAFE_INTEGER, order: 'desc' });
    expect(read.map((message) => [message.id, message.seq])).toEqual([['last', 2 ** 32 - 1], ['kept', 1]]);
    expect(await driver.locateMessage('last')).toEqual({ segmentId: segment, seq: 2 ** 32 - 1 });
    await driver.close();
  });
});

describe('migration 8', () => {
  it('refuses to upgrade a file holding a message it cannot key (no segment), leaving the file at schema 7', async () => {
    const path = newPath();
    const driver = new SqliteDriver({ path });
    const record = sessionRecord({ id: 'upgrade' });
    await createSession(driver, record);
    await driver.commit({ messages: [messageRecord('kept', record.headSegmentId, 1)] });
    await driver.close();
    const raw = new Database(path);
    rewindToSchema7(raw);
    raw.prepare("INSERT INTO messages (segment_id, seq, id, created_at, run_id, body) VALUES ('gone', 1, 'orphan', 1, NULL, '{}')").run();
    raw.close();

    expect(() => new SqliteDriver({ path })).toThrow(/1 message\(s\) have no segment or a seq outside/);
    const check = new Database(path, { readonly: true });
    expect(check.prepare('SELECT max(version) AS version FROM schema_migrations').get()).toEqual({ version: 7 });
    expect(check.prepare('SELECT id FROM messages ORDER BY id').all()).toEqual([{ id: 'kept' }, { id: 'orphan' }]);
    check.close();
  });
});

describe('listSessions', () => {
  it('refuses an ORDER BY or direction outside the whitelist', async () => {
    const driver = new SqliteDriver({ path: ':memory:' });
    await createSession(driver, sessionRecord({ id: 'listed' }));
    await expect(
      driver.listSessions({ orderBy: 'id; DROP TABLE sessions' as SessionOrderBy, order: 'asc', limit: 1 }),
    ).rejects.toThrow(/order sessions by/);
    await expect(
      driver.listSessions({ orderBy: 'createdAt', order: 'asc; DROP TABLE sessions' as 'asc', limit: 1 }),
    ).rejects.toThrow(/order must be/);
    expect(await driver.listSessions({ orderBy: 'createdAt', order: 'asc', limit: 100 })).toHaveLength(1);
    await driver.close();
  });
});

describe('closing', () => {
  it('fails calls after it clearly (closing twice is in the conformance suite)', async () => {
    const driver = new SqliteDriver({ path: newPath() });
    await driver.close();
    await expect(driver.getSession('any')).rejects.toThrow(/closed/);
    await expect(driver.commit({})).rejects.toThrow(/closed/);
    await expect(driver.listSessions({ orderBy: 'createdAt', order: 'asc', limit: 1 })).rejects.toThrow(/closed/);
    await expect(driver.deleteSegment('any')).rejects.toThrow(/closed/);
  });
});
