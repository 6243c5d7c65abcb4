/**
 * The SQLite driver tested directly, below the core: schema migrations, connection settings,
 * atomic commits, conflicts, list queries (including hostile metadata filters) and lifecycle.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  WriteConflict,
  type MessageRecord,
  type SegmentRecord,
  type SessionQuery,
  type SessionRecord,
  type WriteBatch,
  type WriteConflictReason,
} from '../src/driver/driver.js';
import { SqliteDriver } from '../src/drivers/sqlite/driver.js';
import { latestSchemaVersion, migrate, migrations } from '../src/drivers/sqlite/migrations.js';
import type { SessionOrderBy } from '../src/types.js';
import { messageRecord, segmentRecord, sessionRecord } from './fixtures/driver-records.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-sqlite-'));
let fileCounter = 0;
const newPath = (): string => join(directory, `test-${++fileCounter}.db`);

afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** The reason of the WriteConflict the promise rejects with (fails the test on anything else). */
async function conflictReason(promise: Promise<unknown>): Promise<WriteConflictReason> {
  const error: unknown = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(WriteConflict.is(error), `expected a WriteConflict, got ${String(error)}`).toBe(true);
  return (error as WriteConflict).reason;
}

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
    const seqs = (raw.prepare('SELECT seq FROM messages ORDER BY seq').all() as Array<{ seq: number }>).map(
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

describe('records and commits', () => {
  let driver: SqliteDriver;
  beforeEach(() => {
    driver = new SqliteDriver({ path: ':memory:' });
  });
  afterEach(async () => {
    await driver.close();
  });

  it('round-trips a session exactly, optional fields present or absent', async () => {
    const full = sessionRecord({
      id: 'full',
      userId: 'user-1',
      agentId: 'agent-1',
      workspaceId: 'workspace-1',
      parentId: 'parent-1',
      forkedFrom: { sessionId: 'parent-1', messageId: 'message-9' },
      metadata: { text: 'x', number: 1.5, flag: false, nothing: null, nested: { list: [1, 'two', { three: 3 }] } },
      tags: ['b', 'a'],
      attachedSurfaces: ['web', 'cli'],
      usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3, cachedInputTokens: 4, reasoningTokens: 5, costUsd: 0.25 },
      messageCount: 7,
      state: 'suspended',
    });
    const minimal = sessionRecord({ id: 'minimal' });
    await createSession(driver, full);
    await createSession(driver, minimal);

    expect(await driver.getSession('full')).toStrictEqual(full);
    const readMinimal = await driver.getSession('minimal');
    expect(readMinimal).toStrictEqual(minimal);
    for (const key of ['userId', 'agentId', 'workspaceId', 'parentId', 'forkedFrom']) {
      expect(Object.hasOwn(readMinimal ?? {}, key), key).toBe(false);
    }
    expect(await driver.getSession('missing')).toBeUndefined();

    // Records handed out are copies.
    const copy = await driver.getSession('full');
    copy?.tags.push('changed');
    expect((await driver.getSession('full'))?.tags).toEqual(['b', 'a']);
  });

  it('round-trips segments, messages and operations', async () => {
    await createSession(driver, sessionRecord({ id: 's1' }));
    const child = segmentRecord('child', 's1', { parentId: 's1-segment', baseSeq: 2, createdAt: 2_000 });
    const withRun = messageRecord('m1', 's1-segment', 1, { runId: 'run-1' });
    const withoutRun = messageRecord('m2', 's1-segment', 2);
    await driver.commit({
      segments: [child],
      messages: [withRun, withoutRun],
      operations: [{ sessionId: 's1', operationId: 'op-1', messageIds: ['m1', 'm2'], createdAt: 5 }],
    });
    expect(await driver.getSegment('child')).toStrictEqual(child);
    expect(await driver.getSegment('s1-segment')).toStrictEqual(segmentRecord('s1-segment', 's1'));
    expect(await driver.getSegment('missing')).toBeUndefined();
    expect(await driver.readMessages('s1-segment', { fromSeq: 1, toSeq: 2, order: 'asc' })).toStrictEqual([
      withRun,
      withoutRun,
    ]);
    expect(await driver.locateMessage('m2')).toEqual({ segmentId: 's1-segment', seq: 2 });
    expect(await driver.locateMessage('missing')).toBeUndefined();
    expect(await driver.getOperation('s1', 'op-1')).toStrictEqual({
      sessionId: 's1',
      operationId: 'op-1',
      messageIds: ['m1', 'm2'],
      createdAt: 5,
    });
    expect(await driver.getOperation('s2', 'op-1')).toBeUndefined();
  });

  it('applies nothing of a batch whose version check fails', async () => {
    await createSession(driver, sessionRecord({ id: 'source', version: 3 }));
    const batch: WriteBatch = {
      checks: [{ id: 'source', version: 2 }],
      sessions: [{ record: sessionRecord({ id: 'fork' }), expectedVersion: 0 }],
      segments: [segmentRecord('fork-segment', 'fork')],
      messages: [messageRecord('fork-message', 'fork-segment', 1)],
      operations: [{ sessionId: 'fork', operationId: 'op', messageIds: ['fork-message'], createdAt: 1 }],
    };
    expect(await conflictReason(driver.commit(batch))).toEqual({ kind: 'version', sessionId: 'source', actualVersion: 3 });
    expect(await driver.getSession('fork')).toBeUndefined();
    expect(await driver.getSegment('fork-segment')).toBeUndefined();
    expect(await driver.locateMessage('fork-message')).toBeUndefined();
    expect(await driver.getOperation('fork', 'op')).toBeUndefined();

    // The same batch at the right version goes through whole.
    await driver.commit({ ...batch, checks: [{ id: 'source', version: 3 }] });
    expect(await driver.getSession('fork')).toBeDefined();
    expect(await driver.locateMessage('fork-message')).toEqual({ segmentId: 'fork-segment', seq: 1 });
  });

  it('reports the actual version, or undefined for a missing session', async () => {
    await createSession(driver, sessionRecord({ id: 'present', version: 4 }));
    const stale = { record: sessionRecord({ id: 'present', version: 4 }), expectedVersion: 3 };
    expect(await conflictReason(driver.commit({ sessions: [stale] }))).toEqual({
      kind: 'version',
      sessionId: 'present',
      actualVersion: 4,
    });
    const recreate = { record: sessionRecord({ id: 'present' }), expectedVersion: 0 };
    expect(await conflictReason(driver.commit({ sessions: [recreate] }))).toEqual({
      kind: 'version',
      sessionId: 'present',
      actualVersion: 4,
    });
    const missing = { record: sessionRecord({ id: 'absent', version: 2 }), expectedVersion: 1 };
    const reason = await conflictReason(driver.commit({ sessions: [missing] }));
    expect(reason).toEqual({ kind: 'version', sessionId: 'absent', actualVersion: undefined });
    expect(await conflictReason(driver.commit({ deleteSessions: [{ id: 'present', expectedVersion: 1 }] }))).toEqual({
      kind: 'version',
      sessionId: 'present',
      actualVersion: 4,
    });
    expect((await driver.getSession('present'))?.version).toBe(4);
  });

  it('moves a head with a compare-and-set on its version', async () => {
    const created = sessionRecord({ id: 'head' });
    await createSession(driver, created);
    const appended = { ...created, version: 2, messageCount: 1, updatedAt: 2_000 };
    await driver.commit({
      sessions: [{ record: appended, expectedVersion: 1 }],
      messages: [messageRecord('head-1', created.headSegmentId, 1)],
    });
    expect(await driver.getSession('head')).toStrictEqual(appended);
  });

  it('writes a record whose user, parent or creation time changed in full, indexes included', async () => {
    // Appends take a narrower UPDATE that leaves those indexed columns alone; a record that changes
    // one of them must still land whole, and be found by the columns' new values.
    const created = sessionRecord({ id: 'moved', userId: 'ada' });
    await createSession(driver, created);
    const changes: Array<Partial<SessionRecord>> = [{ userId: 'grace' }, { parentId: 'root' }, { createdAt: 500 }];
    let current = created;
    for (const change of changes) {
      const next = { ...current, ...change, version: current.version + 1 };
      await driver.commit({ sessions: [{ record: next, expectedVersion: current.version }] });
      expect(await driver.getSession('moved')).toStrictEqual(next);
      current = next;
    }
    const query = (extra: Partial<SessionQuery>): SessionQuery => ({ orderBy: 'createdAt', order: 'asc', limit: 10, ...extra });
    const ids = async (extra: Partial<SessionQuery>) => (await driver.listSessions(query(extra))).map((record) => record.id);
    expect(await ids({ userId: 'grace' })).toEqual(['moved']);
    expect(await ids({ userId: 'ada' })).toEqual([]);
    expect(await ids({ parentId: 'root' })).toEqual(['moved']);
    expect(await ids({ after: { value: 499, id: '' } })).toEqual(['moved']);
    expect(await ids({ after: { value: 500, id: 'moved' } })).toEqual([]);
  });

  it('fails a batch with a duplicate message id, naming it, and applies nothing', async () => {
    const created = sessionRecord({ id: 'dup' });
    await createSession(driver, created);
    await driver.commit({ messages: [messageRecord('taken', created.headSegmentId, 1)] });

    const appended = { ...created, version: 2, messageCount: 3 };
    const reason = await conflictReason(
      driver.commit({
        sessions: [{ record: appended, expectedVersion: 1 }],
        segments: [segmentRecord('other-segment', 'dup')],
        messages: [messageRecord('fresh', created.headSegmentId, 2), messageRecord('taken', created.headSegmentId, 3)],
      }),
    );
    expect(reason).toEqual({ kind: 'duplicate-message', messageId: 'taken' });
    expect(await driver.getSession('dup')).toStrictEqual(created);
    expect(await driver.getSegment('other-segment')).toBeUndefined();
    expect(await driver.locateMessage('fresh')).toBeUndefined();
    expect(await driver.locateMessage('taken')).toEqual({ segmentId: created.headSegmentId, seq: 1 });

    // Two messages of one batch with the same id are a duplicate too.
    const twice = await conflictReason(
      driver.commit({
        messages: [messageRecord('twin', created.headSegmentId, 2), messageRecord('twin', created.headSegmentId, 3)],
      }),
    );
    expect(twice).toEqual({ kind: 'duplicate-message', messageId: 'twin' });
    expect(await driver.locateMessage('twin')).toBeUndefined();
  });

  it('fails a batch with a duplicate operation, naming it, and applies nothing', async () => {
    const created = sessionRecord({ id: 'ops' });
    await createSession(driver, created);
    await driver.commit({ operations: [{ sessionId: 'ops', operationId: 'op-1', messageIds: ['a'], createdAt: 1 }] });

    const reason = await conflictReason(
      driver.commit({
        sessions: [{ record: { ...created, version: 2, messageCount: 1 }, expectedVersion: 1 }],
        messages: [messageRecord('retry', created.headSegmentId, 1)],
        operations: [{ sessionId: 'ops', operationId: 'op-1', messageIds: ['retry'], createdAt: 2 }],
      }),
    );
    expect(reason).toEqual({ kind: 'duplicate-operation', sessionId: 'ops', operationId: 'op-1' });
    expect((await driver.getSession('ops'))?.version).toBe(1);
    expect(await driver.locateMessage('retry')).toBeUndefined();
    expect((await driver.getOperation('ops', 'op-1'))?.messageIds).toEqual(['a']);

    // The same operation id on another session is not a duplicate.
    await driver.commit({ operations: [{ sessionId: 'other', operationId: 'op-1', messageIds: [], createdAt: 3 }] });
  });

  it('deletes a session with its operations, and not its segments', async () => {
    const created = sessionRecord({ id: 'doomed' });
    await createSession(driver, created);
    await driver.commit({ operations: [{ sessionId: 'doomed', operationId: 'op', messageIds: [], createdAt: 1 }] });
    await driver.commit({ deleteSessions: [{ id: 'doomed', expectedVersion: 1 }] });
    expect(await driver.getSession('doomed')).toBeUndefined();
    expect(await driver.getOperation('doomed', 'op')).toBeUndefined();
    expect(await driver.getSegment(created.headSegmentId)).toBeDefined();
  });

  it('deletes before it puts, so one batch may delete and re-create an id', async () => {
    await createSession(driver, sessionRecord({ id: 'phoenix', version: 2, metadata: { life: 1 } }));
    const reborn = sessionRecord({ id: 'phoenix', version: 3, metadata: { life: 2 } });
    await driver.commit({
      deleteSessions: [{ id: 'phoenix', expectedVersion: 2 }],
      sessions: [{ record: reborn, expectedVersion: 2 }],
    });
    expect(await driver.getSession('phoenix')).toStrictEqual(reborn);
  });

  it('reads message ranges by position, in either order, with a limit', async () => {
    await createSession(driver, sessionRecord({ id: 'reader' }));
    const messages = Array.from({ length: 10 }, (_, index) => messageRecord(`r${index + 1}`, 'reader-segment', index + 1));
    await driver.commit({ messages, segments: [segmentRecord('neighbour', 'reader')] });
    await driver.commit({ messages: [messageRecord('n1', 'neighbour', 1)] });

    const ids = (records: MessageRecord[]): string[] => records.map((record) => record.id);
    expect(ids(await driver.readMessages('reader-segment', { fromSeq: 3, toSeq: 6, order: 'asc' }))).toEqual([
      'r3',
      'r4',
      'r5',
      'r6',
    ]);
    expect(ids(await driver.readMessages('reader-segment', { fromSeq: 3, toSeq: 6, order: 'desc', limit: 2 }))).toEqual([
      'r6',
      'r5',
    ]);
    expect(ids(await driver.readMessages('reader-segment', { fromSeq: 1, toSeq: 100, order: 'asc', limit: 3 }))).toEqual([
      'r1',
      'r2',
      'r3',
    ]);
    expect(await driver.readMessages('reader-segment', { fromSeq: 1, toSeq: 10, order: 'asc', limit: 0 })).toEqual([]);
    expect(await driver.readMessages('reader-segment', { fromSeq: 7, toSeq: 6, order: 'asc' })).toEqual([]);
    expect(await driver.readMessages('missing', { fromSeq: 1, toSeq: 10, order: 'asc' })).toEqual([]);
  });

  it('deletes message tails and segments, returning counts, idempotently', async () => {
    await createSession(driver, sessionRecord({ id: 'trim' }));
    await driver.commit({
      segments: [segmentRecord('trim-other', 'trim')],
      messages: [
        ...Array.from({ length: 5 }, (_, index) => messageRecord(`t${index + 1}`, 'trim-segment', index + 1)),
        messageRecord('o1', 'trim-other', 1),
        messageRecord('o2', 'trim-other', 2),
      ],
    });
    expect(await driver.deleteMessagesAfter('trim-segment', 2)).toBe(3);
    expect(await driver.deleteMessagesAfter('trim-segment', 2)).toBe(0);
    expect(await driver.locateMessage('t3')).toBeUndefined();
    expect(await driver.locateMessage('t2')).toBeDefined();

    expect(await driver.deleteSegment('trim-other')).toBe(2);
    expect(await driver.deleteSegment('trim-other')).toBe(0);
    expect(await driver.getSegment('trim-other')).toBeUndefined();
    expect(await driver.locateMessage('o1')).toBeUndefined();
    expect(await driver.getSegment('trim-segment')).toBeDefined();
  });

  it('lists segments by owner or by parent, in creation order', async () => {
    await createSession(driver, sessionRecord({ id: 'tree' }));
    await driver.commit({
      segments: [
        segmentRecord('z-late', 'tree', { parentId: 'tree-segment', baseSeq: 1, createdAt: 3_000 }),
        segmentRecord('y-tie-first', 'tree', { parentId: 'tree-segment', baseSeq: 1, createdAt: 2_000 }),
        segmentRecord('a-tie-second', 'tree', { createdAt: 2_000 }),
        segmentRecord('elsewhere', 'other', { parentId: 'tree-segment', baseSeq: 0, createdAt: 2_500 }),
      ],
    });
    const ids = (records: SegmentRecord[]): string[] => records.map((record) => record.id);
    expect(ids(await driver.listSegments({ sessionId: 'tree' }))).toEqual([
      'tree-segment',
      'y-tie-first',
      'a-tie-second',
      'z-late',
    ]);
    expect(ids(await driver.listSegments({ parentId: 'tree-segment' }))).toEqual(['y-tie-first', 'elsewhere', 'z-late']);
    expect(await driver.listSegments({ parentId: 'nobody' })).toEqual([]);
  });
});

describe('listSessions', () => {
  let driver: SqliteDriver;
  const all: SessionRecord[] = [];
  const orderColumns: Record<SessionOrderBy, (record: SessionRecord) => number> = {
    createdAt: (record) => record.createdAt,
    updatedAt: (record) => record.updatedAt,
    lastActiveAt: (record) => record.lastActiveAt,
  };

  beforeEach(async () => {
    driver = new SqliteDriver({ path: ':memory:' });
    all.length = 0;
    const states = ['active', 'suspended', 'expired'] as const;
    for (let index = 0; index < 40; index++) {
      const record = sessionRecord({
        id: `session-${String((index * 17) % 40).padStart(2, '0')}`,
        // Optional fields are left out (not set to undefined) when absent, as the core writes them.
        ...(index % 3 === 2 ? {} : { userId: `user-${index % 3}` }),
        agentId: `agent-${index % 2}`,
        ...(index % 4 === 0 ? { workspaceId: 'workspace' } : {}),
        ...(index % 5 === 0 ? { parentId: 'root' } : {}),
        state: states[index % 3] ?? 'active',
        // Few distinct values, so the id tie-break is exercised on every page.
        createdAt: 1_000 + (index % 7),
        updatedAt: 2_000 + ((index * 5) % 11),
        lastActiveAt: 3_000 + (index % 3),
        suspendAt: 4_000 + index,
        expiresAt: 5_000 + (index % 9),
        tags: index % 2 === 0 ? ['even', `mod3-${index % 3}`] : [`mod3-${index % 3}`],
        attachedSurfaces: index % 6 === 0 ? ['web', 'slack'] : [],
        metadata: { tier: index % 2 === 0 ? 'pro' : 'free', rank: index % 4, flag: index % 5 === 0 },
      });
      all.push(record);
      await createSession(driver, record);
    }
  });
  afterEach(async () => {
    await driver.close();
  });

  /** The list the query should give, computed in JavaScript. */
  function expected(query: SessionQuery): string[] {
    const value = orderColumns[query.orderBy];
    const sign = query.order === 'asc' ? 1 : -1;
    const compare = (left: SessionRecord, right: SessionRecord): number =>
      sign * (value(left) - value(right) || (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
    return all
      .filter(
        (record) =>
          (query.userId === undefined || record.userId === query.userId) &&
          (query.agentId === undefined || record.agentId === query.agentId) &&
          (query.workspaceId === undefined || record.workspaceId === query.workspaceId) &&
          (query.parentId === undefined || record.parentId === query.parentId) &&
          (query.states === undefined || query.states.includes(record.state)) &&
          (query.tags ?? []).every((tag) => record.tags.includes(tag)) &&
          Object.entries(query.filter ?? {}).every(
            ([key, wanted]) => Object.hasOwn(record.metadata, key) && record.metadata[key] === wanted,
          ) &&
          (query.surfaceId === undefined || record.attachedSurfaces.includes(query.surfaceId)) &&
          (query.suspendAtBefore === undefined || record.suspendAt < query.suspendAtBefore) &&
          (query.expiresAtBefore === undefined || record.expiresAt < query.expiresAtBefore) &&
          (query.updatedBefore === undefined || record.updatedAt < query.updatedBefore),
      )
      .sort(compare)
      .map((record) => record.id);
  }

  /** Every page of the query, walked with keyset positions taken from each page's last row. */
  async function walk(query: SessionQuery): Promise<string[]> {
    const ids: string[] = [];
    let after: SessionQuery['after'];
    for (let page = 0; page < 100; page++) {
      const sessions = await driver.listSessions({ ...query, after });
      ids.push(...sessions.map((session) => session.id));
      const last = sessions.at(-1);
      if (sessions.length < query.limit || last === undefined) return ids;
      after = { value: orderColumns[query.orderBy](last), id: last.id };
    }
    throw new Error('pagination did not end');
  }

  const filters: Array<Partial<SessionQuery>> = [
    {},
    { userId: 'user-1' },
    { agentId: 'agent-0', workspaceId: 'workspace' },
    { states: ['active', 'suspended'] },
    { states: [] },
    { tags: ['even', 'mod3-1'] },
    { tags: [] },
    { filter: { tier: 'pro', rank: 2 } },
    { filter: { flag: true } },
    { filter: {} },
    { surfaceId: 'slack' },
    { parentId: 'root' },
    { suspendAtBefore: 4_010 },
    { expiresAtBefore: 5_004, states: ['suspended'] },
    { updatedBefore: 2_005, userId: 'user-0' },
  ];

  it('matches a reference implementation for every filter, order and direction, page by page', async () => {
    for (const filter of filters) {
      for (const orderBy of ['createdAt', 'updatedAt', 'lastActiveAt'] as const) {
        for (const order of ['asc', 'desc'] as const) {
          const query: SessionQuery = { ...filter, orderBy, order, limit: 4 };
          const label = JSON.stringify({ ...filter, orderBy, order });
          expect(await walk(query), label).toEqual(expected(query));
          const firstPage = await driver.listSessions({ ...query, limit: 3 });
          expect(firstPage.map((session) => session.id), label).toEqual(expected(query).slice(0, 3));
        }
      }
    }
  });

  it('returns whole records, equal to what was written', async () => {
    const sessions = await driver.listSessions({ orderBy: 'createdAt', order: 'asc', limit: 100 });
    const byId = new Map(all.map((record) => [record.id, record]));
    expect(sessions).toHaveLength(all.length);
    for (const session of sessions) expect(session).toStrictEqual(byId.get(session.id));
  });

  it('treats keyset positions as strictly after (value, id)', async () => {
    const query: SessionQuery = { orderBy: 'lastActiveAt', order: 'desc', limit: 100 };
    const full = expected(query);
    const pivot = all.find((record) => record.id === full[10]);
    if (pivot === undefined) throw new Error('no pivot');
    const rest = await driver.listSessions({ ...query, after: { value: pivot.lastActiveAt, id: pivot.id } });
    expect(rest.map((session) => session.id)).toEqual(full.slice(11));
  });

  it('refuses an ORDER BY outside the whitelist', async () => {
    await expect(
      driver.listSessions({ orderBy: 'id; DROP TABLE sessions' as SessionOrderBy, order: 'asc', limit: 1 }),
    ).rejects.toThrow(/order sessions by/);
    await expect(
      driver.listSessions({ orderBy: 'createdAt', order: 'asc; DROP TABLE sessions' as 'asc', limit: 1 }),
    ).rejects.toThrow(/order must be/);
    expect(await driver.listSessions({ orderBy: 'createdAt', order: 'asc', limit: 100 })).toHaveLength(40);
  });
});

describe('listSessions with hostile metadata filters', () => {
  const hostileKeys = [`x') OR 1=1 --`, '"', '$.a', 'a.b', '*', "'", '$', '[0]', 'a"b', '%', '_', ''];
  let driver: SqliteDriver;

  beforeEach(async () => {
    driver = new SqliteDriver({ path: ':memory:' });
    // One session per hostile key, carrying only that key; plus decoys for paths and types.
    for (const [index, key] of hostileKeys.entries()) {
      await createSession(driver, sessionRecord({ id: `hostile-${index}`, metadata: { [key]: 'v' } }));
    }
    await createSession(driver, sessionRecord({ id: 'nested-a', metadata: { a: { b: 'v' } } }));
    await createSession(driver, sessionRecord({ id: 'plain-a', metadata: { a: 'v' } }));
    await createSession(
      driver,
      sessionRecord({ id: 'types', metadata: { one: 1, text: '1', yes: true, none: null, half: 0.5, sql: `x') OR 1=1 --` } }),
    );
    await createSession(driver, sessionRecord({ id: 'tagged', tags: [`x') OR 1=1 --`, '%'] }));
  });
  afterEach(async () => {
    await driver.close();
  });

  const ids = async (query: Partial<SessionQuery>): Promise<string[]> =>
    (await driver.listSessions({ orderBy: 'createdAt', order: 'asc', limit: 100, ...query })).map((session) => session.id).sort();

  it('matches each hostile key exactly, as a plain key and never as a path or pattern', async () => {
    for (const [index, key] of hostileKeys.entries()) {
      expect(await ids({ filter: { [key]: 'v' } }), JSON.stringify(key)).toEqual([`hostile-${index}`]);
    }
    // `a.b` is a key, not the path to the nested `a.b`; `$.a` is a key, not the path to `a`.
    expect(await ids({ filter: { 'a.b': 'v' } })).toEqual([`hostile-${hostileKeys.indexOf('a.b')}`]);
    expect(await ids({ filter: { '$.a': 'v' } })).toEqual([`hostile-${hostileKeys.indexOf('$.a')}`]);
    expect(await ids({ filter: { a: 'v' } })).toEqual(['plain-a']);
  });

  it('matches hostile values exactly', async () => {
    expect(await ids({ filter: { sql: `x') OR 1=1 --` } })).toEqual(['types']);
    expect(await ids({ filter: { sql: `' OR '1'='1` } })).toEqual([]);
    expect(await ids({ filter: { [`x') OR 1=1 --`]: `v' OR 1=1 --` } })).toEqual([]);
    expect(await ids({ tags: [`x') OR 1=1 --`] })).toEqual(['tagged']);
    expect(await ids({ tags: ['%'] })).toEqual(['tagged']);
    expect(await ids({ tags: ['_'] })).toEqual([]);
    expect(await ids({ surfaceId: `' OR 1=1 --` })).toEqual([]);
    expect(await ids({ userId: `' OR 1=1 --` })).toEqual([]);
  });

  it('breaks nothing: every table is intact afterwards', async () => {
    for (const key of hostileKeys) await ids({ filter: { [key]: key }, tags: [key], surfaceId: key });
    expect(await ids({})).toHaveLength(hostileKeys.length + 4);
    expect(await driver.getSession('types')).toBeDefined();
  });
});

describe('closing', () => {
  it('is idempotent, and calls after it fail clearly', async () => {
    const driver = new SqliteDriver({ path: newPath() });
    await driver.close();
    await driver.close();
    await expect(driver.getSession('any')).rejects.toThrow(/closed/);
    await expect(driver.commit({})).rejects.toThrow(/closed/);
    await expect(driver.listSessions({ orderBy: 'createdAt', order: 'asc', limit: 1 })).rejects.toThrow(/closed/);
    await expect(driver.deleteSegment('any')).rejects.toThrow(/closed/);
  });
});
