/**
 * The PostgreSQL driver tested directly, below the core, against the server test/global-setup.ts
 * starts: options and identifiers, migrations (concurrent included), atomic commits and their
 * conflicts, list queries against query-match.ts (hostile filters included), pool ownership, and
 * which failures become StoreUnavailableError. Each group works under its own random table prefix.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import {
  WriteConflict,
  type MessageRecord,
  type SegmentRecord,
  type SessionQuery,
  type SessionRecord,
  type WriteBatch,
  type WriteConflictReason,
} from '../src/driver/driver.js';
import { compareForQuery, isAfterCursor, matchesQuery } from '../src/driver/query-match.js';
import { PostgresDriver, type PgPoolLike } from '../src/drivers/postgres/driver.js';
import { isUnavailableError } from '../src/drivers/postgres/errors.js';
import { tableNames } from '../src/drivers/postgres/identifiers.js';
import { migrations } from '../src/drivers/postgres/migrations.js';
import { InvalidArgumentError, StoreUnavailableError } from '../src/errors.js';
import type { SessionOrderBy } from '../src/types.js';
import { messageRecord, segmentRecord, sessionRecord } from './fixtures/driver-records.js';

const url = inject('postgresUrl');

/** Prefixes and schemas made by this file, dropped at the end. */
const madePrefixes: string[] = [];
const madeSchemas: string[] = [];

function newPrefix(label: string): string {
  const prefix = `t_${label}_${randomBytes(5).toString('hex')}_`;
  madePrefixes.push(prefix);
  return prefix;
}

/** A plain pg client for looking at the database from outside the driver. */
async function withClient<Result>(work: (client: pg.Client) => Promise<Result>): Promise<Result> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function tableExists(name: string): Promise<boolean> {
  return withClient(async (client) => (await client.query('SELECT to_regclass($1) IS NOT NULL AS present', [name])).rows[0].present);
}

/** What the promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected the call to fail'),
    (error: unknown) => error,
  );
}

/** The reason of the WriteConflict the promise rejects with (fails the test on anything else). */
async function conflictReason(promise: Promise<unknown>): Promise<WriteConflictReason> {
  const error = await rejection(promise);
  expect(WriteConflict.is(error), `expected a WriteConflict, got ${String(error)}`).toBe(true);
  return (error as WriteConflict).reason;
}

/** A session with its first segment, created in one batch as the core does. */
async function createSession(driver: PostgresDriver, record: SessionRecord): Promise<void> {
  await driver.commit({
    sessions: [{ record, expectedVersion: 0 }],
    segments: [segmentRecord(record.headSegmentId, record.id)],
  });
}

/** Appends one message by compare-and-set, retrying on version conflicts, as the core does. */
async function appendWithRetry(driver: PostgresDriver, sessionId: string, messageId: string): Promise<void> {
  for (;;) {
    const session = await driver.getSession(sessionId);
    if (session === undefined) throw new Error(`no session ${sessionId}`);
    const seq = session.messageCount + 1;
    try {
      await driver.commit({
        sessions: [{ record: { ...session, messageCount: seq, version: session.version + 1 }, expectedVersion: session.version }],
        messages: [messageRecord(messageId, session.headSegmentId, seq)],
      });
      return;
    } catch (error) {
      if (!WriteConflict.is(error) || error.reason.kind !== 'version') throw error;
    }
  }
}

/** A pool that counts the statements sent through it (directly or on checked-out clients). */
function countingPool(inner: pg.Pool): PgPoolLike & { statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    query: (text, values) => {
      statements.push(text);
      return inner.query(text, values);
    },
    connect: async () => {
      const client = await inner.connect();
      return {
        query: (text: string, values?: unknown[]) => {
          statements.push(text);
          return client.query(text, values);
        },
        release: (destroy?: Error | boolean) => client.release(destroy),
        on: (event: 'error', listener: (error: Error) => void) => client.on(event, listener),
        removeListener: (event: 'error', listener: (error: Error) => void) => client.removeListener(event, listener),
      };
    },
  };
}

const describeWithServer = url === undefined ? describe.skip : describe;
if (url === undefined) {
  describe.skip('postgres driver (SKIPPED: no PostgreSQL server; apt-get install -y postgresql, or set SESSIONLOOM_TEST_POSTGRES_URL)', () => {
    it('needs a PostgreSQL server', () => {});
  });
}
const connectionString = url ?? 'postgres://unused';

afterAll(async () => {
  if (url === undefined) return;
  await withClient(async (client) => {
    for (const schema of madeSchemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    for (const prefix of madePrefixes) {
      const names = tableNames('public', prefix);
      await client.query(
        `DROP TABLE IF EXISTS ${names.sessions}, ${names.segments}, ${names.messages}, ${names.operations}, ${names.migrations}`,
      );
    }
  });
});

describeWithServer('options and identifiers', () => {
  const hostileNames = [
    `x'); DROP TABLE sessionloom_sessions; --`,
    `' OR '1'='1`,
    '$1',
    '"',
    '\\',
    '{}',
    'a.b',
    'séance',
    'Public',
    '1starts_with_digit',
    'has space',
    'dash-ed',
    '',
    'a'.repeat(42),
  ];

  /** A pool that must never be used: refusing bad options happens before any query. */
  const untouchablePool = (): PgPoolLike & { used: number } => {
    const pool = {
      used: 0,
      query: async () => {
        pool.used += 1;
        throw new Error('the pool was used');
      },
      connect: async () => {
        pool.used += 1;
        throw new Error('the pool was used');
      },
    };
    return pool;
  };

  it('refuses a hostile schema or table prefix before sending anything', async () => {
    for (const name of hostileNames) {
      const pool = untouchablePool();
      await expect(PostgresDriver.connect({ pool, tablePrefix: name }), JSON.stringify(name)).rejects.toSatisfy(
        InvalidArgumentError.isInstance,
      );
      await expect(PostgresDriver.connect({ pool, schema: name }), JSON.stringify(name)).rejects.toSatisfy(
        InvalidArgumentError.isInstance,
      );
      expect(pool.used).toBe(0);
    }
  });

  it('needs exactly one of connectionString and pool, and timeouts only for its own pool', async () => {
    const pool = untouchablePool();
    await expect(PostgresDriver.connect({})).rejects.toThrow(/exactly one of connectionString and pool/);
    await expect(PostgresDriver.connect({ connectionString, pool })).rejects.toThrow(/exactly one/);
    await expect(PostgresDriver.connect({ connectionString: '' })).rejects.toSatisfy(InvalidArgumentError.isInstance);
    await expect(PostgresDriver.connect({ pool, statementTimeoutMs: 1_000 })).rejects.toThrow(/your own pool/);
    await expect(PostgresDriver.connect({ connectionString, statementTimeoutMs: 0 })).rejects.toThrow(/statementTimeoutMs/);
    await expect(PostgresDriver.connect({ connectionString, connectionTimeoutMs: 1.5 })).rejects.toThrow(/connectionTimeoutMs/);
    expect(pool.used).toBe(0);
  });

  it('keeps its tables in the configured schema, creating the schema', async () => {
    const schema = `sl_schema_${randomBytes(5).toString('hex')}`;
    madeSchemas.push(schema);
    const driver = await PostgresDriver.connect({ connectionString, schema, tablePrefix: 'custom_' });
    await createSession(driver, sessionRecord({ id: 'in-schema' }));
    expect((await driver.getSession('in-schema'))?.id).toBe('in-schema');
    await driver.close();
    expect(await tableExists(`"${schema}"."custom_sessions"`)).toBe(true);
    expect(await tableExists('public.custom_sessions')).toBe(false);
  });
});

describeWithServer('pool ownership', () => {
  it('uses a pool passed in and leaves it open on close', async () => {
    const pool = new pg.Pool({ connectionString, max: 2 });
    // A pg.Pool is a PgPoolLike without any cast.
    const poolLike: PgPoolLike = pool;
    const driver = await PostgresDriver.connect({ pool: poolLike, tablePrefix: newPrefix('given') });
    await createSession(driver, sessionRecord({ id: 'given-pool' }));
    await driver.close();
    await driver.close();
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    expect(pool.ending).toBe(false);
    await expect(driver.getSession('given-pool')).rejects.toThrow(/closed/);
    await pool.end();
  });

  it('ends the pool it made on close, and fails clearly afterwards', async () => {
    const applicationName = `sl_owned_${randomBytes(5).toString('hex')}`;
    const driver = await PostgresDriver.connect({
      connectionString: `${connectionString}?application_name=${applicationName}`,
      tablePrefix: newPrefix('owned'),
    });
    await Promise.all(Array.from({ length: 3 }, (_, index) => driver.getSession(`any-${index}`)));
    const connections = (): Promise<number> =>
      withClient(async (client) =>
        Number(
          (await client.query('SELECT count(*) AS count FROM pg_stat_activity WHERE application_name = $1', [applicationName])).rows[0]
            .count,
        ),
      );
    expect(await connections()).toBeGreaterThan(0);
    await driver.close();
    await driver.close();
    // The server notices a closed connection a moment after the client closes it.
    for (let attempt = 0; attempt < 50 && (await connections()) > 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await connections()).toBe(0);
    await expect(driver.getSession('any')).rejects.toThrow(/closed/);
    await expect(driver.commit({})).rejects.toThrow(/closed/);
    await expect(driver.listSessions({ orderBy: 'createdAt', order: 'asc', limit: 1 })).rejects.toThrow(/closed/);
  });
});

describeWithServer('migrations', () => {
  const migrationRows = (prefix: string): Promise<Array<{ version: number; applied_at: number }>> =>
    withClient(
      async (client) =>
        (await client.query(`SELECT version, applied_at FROM ${tableNames('public', prefix).migrations} ORDER BY version`)).rows,
    );

  it('creates the tables on first connect, records the version once, and keeps data across reconnects', async () => {
    const prefix = newPrefix('fresh');
    const first = await PostgresDriver.connect({ connectionString, tablePrefix: prefix });
    await createSession(first, sessionRecord({ id: 'kept' }));
    await first.close();
    const second = await PostgresDriver.connect({ connectionString, tablePrefix: prefix });
    expect(await second.getSession('kept')).toStrictEqual(sessionRecord({ id: 'kept' }));
    await second.close();

    const rows = await migrationRows(prefix);
    expect(rows.map((row) => row.version)).toEqual(migrations.map((migration) => migration.version));
    for (const row of rows) expect(row.applied_at).toBeGreaterThan(1_600_000_000_000);
  });

  it('migrates once when 8 processes connect to a fresh prefix at the same moment', async () => {
    const prefix = newPrefix('race');
    const drivers = await Promise.all(
      Array.from({ length: 8 }, () => PostgresDriver.connect({ connectionString, tablePrefix: prefix })),
    );
    // Every driver works on the one set of tables.
    await Promise.all(drivers.map((driver, index) => createSession(driver, sessionRecord({ id: `racer-${index}` }))));
    expect(await drivers[0]?.listSessions({ orderBy: 'createdAt', order: 'asc', limit: 100 })).toHaveLength(8);
    await Promise.all(drivers.map((driver) => driver.close()));
    expect((await migrationRows(prefix)).map((row) => row.version)).toEqual(migrations.map((migration) => migration.version));
  });

  it('refuses tables whose schema is newer than the code, and leaves them untouched', async () => {
    const prefix = newPrefix('newer');
    await (await PostgresDriver.connect({ connectionString, tablePrefix: prefix })).close();
    const names = tableNames('public', prefix);
    await withClient((client) => client.query(`INSERT INTO ${names.migrations} (version, applied_at) VALUES (999, $1)`, [Date.now()]));

    await expect(PostgresDriver.connect({ connectionString, tablePrefix: prefix })).rejects.toThrow(
      /schema version 999.*upgrade sessionloom/i,
    );
    expect((await migrationRows(prefix)).map((row) => row.version)).toEqual([
      ...migrations.map((migration) => migration.version),
      999,
    ]);
  });
});

describeWithServer('records and commits', () => {
  let driver: PostgresDriver;
  let prefix: string;
  beforeAll(async () => {
    prefix = newPrefix('records');
    driver = await PostgresDriver.connect({ connectionString, tablePrefix: prefix });
  });
  afterAll(async () => {
    await driver?.close();
  });
  /** Ids unique to one test, as every test shares the tables. */
  let testNumber = 0;
  let id: (name: string) => string;
  beforeEach(() => {
    const test = ++testNumber;
    id = (name) => `t${test}-${name}`;
  });

  it('round-trips a session exactly, optional fields present or absent', async () => {
    const full = sessionRecord({
      id: id('full'),
      userId: 'user-1',
      agentId: 'agent-1',
      workspaceId: 'workspace-1',
      parentId: 'parent-1',
      forkedFrom: { sessionId: 'parent-1', messageId: 'message-9' },
      metadata: {
        text: 'x',
        number: 1.5,
        big: 1e300,
        tiny: 5e-324,
        flag: false,
        nothing: null,
        nested: { list: [1, 'two', { three: 3 }] },
        zeroWidth: 'a\u200bb',
        emoji: '🔑',
      },
      tags: ['b', 'a'],
      attachedSurfaces: ['web', 'cli'],
      usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3, cachedInputTokens: 4, reasoningTokens: 5, costUsd: 0.25 },
      messageCount: 7,
      state: 'suspended',
      createdAt: 1_700_000_000_123,
      updatedAt: 1_700_000_000_456.5,
    });
    const minimal = sessionRecord({ id: id('minimal') });
    await createSession(driver, full);
    await createSession(driver, minimal);

    expect(await driver.getSession(full.id)).toStrictEqual(full);
    const readMinimal = await driver.getSession(minimal.id);
    expect(readMinimal).toStrictEqual(minimal);
    for (const key of ['userId', 'agentId', 'workspaceId', 'parentId', 'forkedFrom']) {
      expect(Object.hasOwn(readMinimal ?? {}, key), key).toBe(false);
    }
    expect(await driver.getSession(id('missing'))).toBeUndefined();
  });

  it('stores and finds strings PostgreSQL cannot hold as they are (NUL, lone surrogates)', async () => {
    const awkward = ['nul\u0000inside', 'lone \ud800 high', 'lone \udc00 low', 'escape \ue000 char', '\ue0000000'];
    const record = sessionRecord({
      id: id('awkward'),
      metadata: Object.fromEntries(awkward.map((text) => [`${text}-key`, text])),
      tags: awkward,
      attachedSurfaces: awkward,
    });
    await createSession(driver, record);
    expect(await driver.getSession(record.id)).toStrictEqual(record);
    const ids = async (query: Partial<SessionQuery>): Promise<string[]> =>
      (await driver.listSessions({ orderBy: 'createdAt', order: 'asc', limit: 1000, ...query }))
        .map((session) => session.id)
        .filter((found) => found === record.id);
    for (const text of awkward) {
      expect(await ids({ filter: { [`${text}-key`]: text } }), JSON.stringify(text)).toEqual([record.id]);
      expect(await ids({ tags: [text] }), JSON.stringify(text)).toEqual([record.id]);
      expect(await ids({ surfaceId: text }), JSON.stringify(text)).toEqual([record.id]);
    }
    // The escaped form of a string is not the string: '\u0000' and its escape never match each other.
    expect(await ids({ tags: ['nul\ue0000000inside'] })).toEqual([]);
    expect(await ids({ tags: ['\u0000'] })).toEqual([]);
    expect(await ids({ filter: { 'nul\u0000inside-key': 'nul\ue0000000inside' } })).toEqual([]);
  });

  it('round-trips segments, messages and operations', async () => {
    const owner = sessionRecord({ id: id('s1') });
    await createSession(driver, owner);
    const child = segmentRecord(id('child'), owner.id, { parentId: owner.headSegmentId, baseSeq: 2, createdAt: 2_000 });
    const withRun = messageRecord(id('m1'), owner.headSegmentId, 1, { runId: 'run-1' });
    const withoutRun = messageRecord(id('m2'), owner.headSegmentId, 2, { body: JSON.stringify({ text: 'nul \u0000 and \ud800' }) });
    await driver.commit({
      segments: [child],
      messages: [withRun, withoutRun],
      operations: [{ sessionId: owner.id, operationId: 'op-1', messageIds: [withRun.id, withoutRun.id], createdAt: 5 }],
    });
    expect(await driver.getSegment(child.id)).toStrictEqual(child);
    expect(await driver.getSegment(owner.headSegmentId)).toStrictEqual(segmentRecord(owner.headSegmentId, owner.id));
    expect(await driver.getSegment(id('missing'))).toBeUndefined();
    expect(await driver.readMessages(owner.headSegmentId, { fromSeq: 1, toSeq: 2, order: 'asc' })).toStrictEqual([
      withRun,
      withoutRun,
    ]);
    expect(await driver.locateMessage(withoutRun.id)).toEqual({ segmentId: owner.headSegmentId, seq: 2 });
    expect(await driver.locateMessage(id('missing'))).toBeUndefined();
    expect(await driver.getOperation(owner.id, 'op-1')).toStrictEqual({
      sessionId: owner.id,
      operationId: 'op-1',
      messageIds: [withRun.id, withoutRun.id],
      createdAt: 5,
    });
    expect(await driver.getOperation(id('other'), 'op-1')).toBeUndefined();
  });

  it('applies nothing of a batch whose check fails', async () => {
    const source = sessionRecord({ id: id('source'), version: 3 });
    await createSession(driver, source);
    const fork = sessionRecord({ id: id('fork') });
    const batch: WriteBatch = {
      checks: [{ id: source.id, version: 2 }],
      sessions: [{ record: fork, expectedVersion: 0 }],
      segments: [segmentRecord(fork.headSegmentId, fork.id)],
      messages: [messageRecord(id('fork-message'), fork.headSegmentId, 1)],
      operations: [{ sessionId: fork.id, operationId: 'op', messageIds: [id('fork-message')], createdAt: 1 }],
    };
    expect(await conflictReason(driver.commit(batch))).toEqual({ kind: 'version', sessionId: source.id, actualVersion: 3 });
    expect(await driver.getSession(fork.id)).toBeUndefined();
    expect(await driver.getSegment(fork.headSegmentId)).toBeUndefined();
    expect(await driver.locateMessage(id('fork-message'))).toBeUndefined();
    expect(await driver.getOperation(fork.id, 'op')).toBeUndefined();

    // The same batch at the right version goes through whole.
    await driver.commit({ ...batch, checks: [{ id: source.id, version: 3 }] });
    expect(await driver.getSession(fork.id)).toStrictEqual(fork);
    expect(await driver.locateMessage(id('fork-message'))).toEqual({ segmentId: fork.headSegmentId, seq: 1 });
    expect(await driver.getOperation(fork.id, 'op')).toBeDefined();
  });

  it('reports the actual version, or undefined for a missing session', async () => {
    const present = sessionRecord({ id: id('present'), version: 4 });
    await createSession(driver, present);
    expect(await conflictReason(driver.commit({ sessions: [{ record: present, expectedVersion: 3 }] }))).toEqual({
      kind: 'version',
      sessionId: present.id,
      actualVersion: 4,
    });
    expect(await conflictReason(driver.commit({ sessions: [{ record: sessionRecord({ id: present.id }), expectedVersion: 0 }] }))).toEqual({
      kind: 'version',
      sessionId: present.id,
      actualVersion: 4,
    });
    const absent = sessionRecord({ id: id('absent'), version: 2 });
    expect(await conflictReason(driver.commit({ sessions: [{ record: absent, expectedVersion: 1 }] }))).toEqual({
      kind: 'version',
      sessionId: absent.id,
      actualVersion: undefined,
    });
    expect(await conflictReason(driver.commit({ deleteSessions: [{ id: present.id, expectedVersion: 1 }] }))).toEqual({
      kind: 'version',
      sessionId: present.id,
      actualVersion: 4,
    });
    expect(await conflictReason(driver.commit({ checks: [{ id: absent.id, version: 1 }] }))).toEqual({
      kind: 'version',
      sessionId: absent.id,
      actualVersion: undefined,
    });
    expect(await driver.getSession(present.id)).toStrictEqual(present);
  });

  it('moves a head with a compare-and-set on its version', async () => {
    const created = sessionRecord({ id: id('head') });
    await createSession(driver, created);
    const appended = { ...created, version: 2, messageCount: 1, updatedAt: 2_000 };
    await driver.commit({
      sessions: [{ record: appended, expectedVersion: 1 }],
      messages: [messageRecord(id('head-1'), created.headSegmentId, 1)],
    });
    expect(await driver.getSession(created.id)).toStrictEqual(appended);
  });

  it('fails a batch with a duplicate message id, naming it, and applies nothing', async () => {
    const created = sessionRecord({ id: id('dup') });
    await createSession(driver, created);
    await driver.commit({ messages: [messageRecord(id('taken'), created.headSegmentId, 1)] });

    const appended = { ...created, version: 2, messageCount: 3 };
    const batch: WriteBatch = {
      sessions: [{ record: appended, expectedVersion: 1 }],
      segments: [segmentRecord(id('other-segment'), created.id)],
      messages: [messageRecord(id('fresh'), created.headSegmentId, 2), messageRecord(id('taken'), created.headSegmentId, 3)],
    };
    expect(await conflictReason(driver.commit(batch))).toEqual({ kind: 'duplicate-message', messageId: id('taken') });
    expect(await driver.getSession(created.id)).toStrictEqual(created);
    expect(await driver.getSegment(id('other-segment'))).toBeUndefined();
    expect(await driver.locateMessage(id('fresh'))).toBeUndefined();

    // A message id repeated inside one batch is a duplicate too.
    const repeated = await conflictReason(
      driver.commit({
        messages: [messageRecord(id('twice'), created.headSegmentId, 2), messageRecord(id('twice'), created.headSegmentId, 3)],
      }),
    );
    expect(repeated).toEqual({ kind: 'duplicate-message', messageId: id('twice') });
    expect(await driver.locateMessage(id('twice'))).toBeUndefined();

    // A message id taken in another segment (another session) is still a duplicate.
    const other = sessionRecord({ id: id('dup-other') });
    await createSession(driver, other);
    expect(await conflictReason(driver.commit({ messages: [messageRecord(id('taken'), other.headSegmentId, 1)] }))).toEqual({
      kind: 'duplicate-message',
      messageId: id('taken'),
    });
  });

  it('fails a batch with a duplicate operation, naming it, and applies nothing', async () => {
    const created = sessionRecord({ id: id('op') });
    await createSession(driver, created);
    await driver.commit({ operations: [{ sessionId: created.id, operationId: 'retry', messageIds: ['a'], createdAt: 1 }] });

    const appended = { ...created, version: 2, messageCount: 1 };
    const reason = await conflictReason(
      driver.commit({
        sessions: [{ record: appended, expectedVersion: 1 }],
        messages: [messageRecord(id('op-message'), created.headSegmentId, 1)],
        operations: [
          { sessionId: created.id, operationId: 'new', messageIds: [id('op-message')], createdAt: 2 },
          { sessionId: created.id, operationId: 'retry', messageIds: [id('op-message')], createdAt: 2 },
        ],
      }),
    );
    expect(reason).toEqual({ kind: 'duplicate-operation', sessionId: created.id, operationId: 'retry' });
    expect(await driver.getSession(created.id)).toStrictEqual(created);
    expect(await driver.locateMessage(id('op-message'))).toBeUndefined();
    expect(await driver.getOperation(created.id, 'new')).toBeUndefined();
    expect((await driver.getOperation(created.id, 'retry'))?.messageIds).toEqual(['a']);
    // The same operation id on another session is no duplicate.
    await driver.commit({ operations: [{ sessionId: id('elsewhere'), operationId: 'retry', messageIds: [], createdAt: 3 }] });
    expect((await driver.getOperation(id('elsewhere'), 'retry'))?.messageIds).toEqual([]);
  });

  it('reports a version conflict before a duplicate when a batch has both', async () => {
    const created = sessionRecord({ id: id('both') });
    await createSession(driver, created);
    await driver.commit({ messages: [messageRecord(id('both-taken'), created.headSegmentId, 1)] });
    const reason = await conflictReason(
      driver.commit({
        sessions: [{ record: { ...created, version: 3 }, expectedVersion: 2 }],
        messages: [messageRecord(id('both-taken'), created.headSegmentId, 2)],
      }),
    );
    expect(reason).toEqual({ kind: 'version', sessionId: created.id, actualVersion: 1 });
  });

  it('deletes a session and its operations, keeping its segments and messages', async () => {
    const created = sessionRecord({ id: id('doomed'), version: 2 });
    await createSession(driver, created);
    await driver.commit({
      messages: [messageRecord(id('doomed-1'), created.headSegmentId, 1)],
      operations: [{ sessionId: created.id, operationId: 'op', messageIds: [id('doomed-1')], createdAt: 1 }],
    });
    await driver.commit({ deleteSessions: [{ id: created.id, expectedVersion: 2 }] });
    expect(await driver.getSession(created.id)).toBeUndefined();
    expect(await driver.getOperation(created.id, 'op')).toBeUndefined();
    expect(await driver.getSegment(created.headSegmentId)).toBeDefined();
    expect(await driver.locateMessage(id('doomed-1'))).toBeDefined();
  });

  it('deletes before it puts, so one batch may delete and re-create an id', async () => {
    await createSession(driver, sessionRecord({ id: id('phoenix'), version: 2, metadata: { life: 1 } }));
    const reborn = sessionRecord({ id: id('phoenix'), version: 3, metadata: { life: 2 } });
    await driver.commit({
      deleteSessions: [{ id: reborn.id, expectedVersion: 2 }],
      sessions: [{ record: reborn, expectedVersion: 2 }],
    });
    expect(await driver.getSession(reborn.id)).toStrictEqual(reborn);
    expect(
      (await driver.listSessions({ orderBy: 'createdAt', order: 'asc', filter: { life: 2 }, limit: 100 })).map((session) => session.id),
    ).toContain(reborn.id);
  });

  it('keeps a bug a bug: an existing segment id fails the batch with the pg error, applying nothing', async () => {
    const created = sessionRecord({ id: id('bug') });
    await createSession(driver, created);
    const error = await rejection(
      driver.commit({
        sessions: [{ record: { ...created, version: 2, messageCount: 1 }, expectedVersion: 1 }],
        messages: [messageRecord(id('bug-1'), created.headSegmentId, 1)],
        segments: [segmentRecord(created.headSegmentId, created.id)],
      }),
    );
    expect(WriteConflict.is(error)).toBe(false);
    expect(StoreUnavailableError.isInstance(error)).toBe(false);
    expect((error as { code?: string }).code).toBe('23505');
    expect(await driver.getSession(created.id)).toStrictEqual(created);
    expect(await driver.locateMessage(id('bug-1'))).toBeUndefined();
  });

  it('lets exactly one of several concurrent creators of one id win', async () => {
    const contested = id('contested');
    const drivers = await Promise.all(
      Array.from({ length: 6 }, () => PostgresDriver.connect({ connectionString, tablePrefix: prefix })),
    );
    // Some drivers find no row to lock and race on the insert itself.
    const outcomes = await Promise.allSettled(
      drivers.map((racer, index) =>
        racer.commit({
          sessions: [{ record: sessionRecord({ id: contested, metadata: { winner: index } }), expectedVersion: 0 }],
        }),
      ),
    );
    await Promise.all(drivers.map((racer) => racer.close()));
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') continue;
      expect(WriteConflict.is(outcome.reason) && outcome.reason.reason).toEqual({ kind: 'version', sessionId: contested, actualVersion: 1 });
    }
    const winner = outcomes.indexOf(won[0] as PromiseSettledResult<void>);
    expect((await driver.getSession(contested))?.metadata).toEqual({ winner });
  });

  it('serializes concurrent appends from several pools: none lost, none duplicated', async () => {
    const shared = sessionRecord({ id: id('shared') });
    await createSession(driver, shared);
    const writers = await Promise.all(
      Array.from({ length: 4 }, () => PostgresDriver.connect({ connectionString, tablePrefix: prefix })),
    );
    const perWriter = 15;
    await Promise.all(
      writers.map(async (writer, index) => {
        for (let count = 0; count < perWriter; count++) await appendWithRetry(writer, shared.id, id(`w${index}-${count}`));
      }),
    );
    await Promise.all(writers.map((writer) => writer.close()));
    const total = writers.length * perWriter;
    const session = await driver.getSession(shared.id);
    expect(session?.messageCount).toBe(total);
    expect(session?.version).toBe(total + 1);
    const messages = await driver.readMessages(shared.headSegmentId, { fromSeq: 1, toSeq: total + 10, order: 'asc' });
    expect(messages.map((message) => message.seq)).toEqual(Array.from({ length: total }, (_, index) => index + 1));
    expect(new Set(messages.map((message) => message.id)).size).toBe(total);
  });

  it('writes a batch of many messages with a fixed number of statements', async () => {
    const counting = countingPool(new pg.Pool({ connectionString, max: 2 }));
    const counted = await PostgresDriver.connect({ pool: counting, tablePrefix: prefix });
    const created = sessionRecord({ id: id('bulk') });
    await createSession(counted, created);
    for (const size of [1, 2_000]) {
      const session = await counted.getSession(created.id);
      if (session === undefined) throw new Error('no session');
      counting.statements.length = 0;
      const first = session.messageCount + 1;
      await counted.commit({
        sessions: [{ record: { ...session, messageCount: session.messageCount + size, version: session.version + 1 }, expectedVersion: session.version }],
        messages: Array.from({ length: size }, (_, index) => messageRecord(id(`bulk-${first + index}`), created.headSegmentId, first + index)),
        operations: [{ sessionId: created.id, operationId: `bulk-${size}`, messageIds: [id(`bulk-${first}`)], createdAt: 1 }],
      });
      // BEGIN, lock, upsert, messages, operations, COMMIT: whatever the number of messages.
      expect(counting.statements, `${size} messages`).toHaveLength(6);
    }
    expect((await counted.getSession(created.id))?.messageCount).toBe(2_001);
    expect(await counted.readMessages(created.headSegmentId, { fromSeq: 1, toSeq: 3_000, order: 'desc', limit: 1 })).toEqual([
      messageRecord(id('bulk-2001'), created.headSegmentId, 2_001),
    ]);
    await counted.close();
  });

  it('reads message ranges by position, in either order, with a limit', async () => {
    const reader = sessionRecord({ id: id('reader') });
    await createSession(driver, reader);
    const messages = Array.from({ length: 10 }, (_, index) => messageRecord(id(`r${index + 1}`), reader.headSegmentId, index + 1));
    await driver.commit({ messages, segments: [segmentRecord(id('neighbour'), reader.id)] });
    await driver.commit({ messages: [messageRecord(id('n1'), id('neighbour'), 1)] });

    const names = (records: MessageRecord[]): string[] => records.map((record) => record.id.replace(/^t\d+-/, ''));
    expect(names(await driver.readMessages(reader.headSegmentId, { fromSeq: 3, toSeq: 6, order: 'asc' }))).toEqual(['r3', 'r4', 'r5', 'r6']);
    expect(names(await driver.readMessages(reader.headSegmentId, { fromSeq: 3, toSeq: 6, order: 'desc', limit: 2 }))).toEqual(['r6', 'r5']);
    expect(names(await driver.readMessages(reader.headSegmentId, { fromSeq: 1, toSeq: 100, order: 'asc', limit: 3 }))).toEqual([
      'r1',
      'r2',
      'r3',
    ]);
    expect(await driver.readMessages(reader.headSegmentId, { fromSeq: 1, toSeq: 10, order: 'asc', limit: 0 })).toEqual([]);
    // Unbounded ranges, as the memory driver accepts them.
    expect(
      names(await driver.readMessages(reader.headSegmentId, { fromSeq: -Infinity, toSeq: Infinity, order: 'desc', limit: 2 })),
    ).toEqual(['r10', 'r9']);
    expect(names(await driver.readMessages(reader.headSegmentId, { fromSeq: 9, toSeq: Number.MAX_SAFE_INTEGER, order: 'asc' }))).toEqual([
      'r9',
      'r10',
    ]);
    expect(await driver.readMessages(reader.headSegmentId, { fromSeq: 7, toSeq: 6, order: 'asc' })).toEqual([]);
    expect(await driver.readMessages(id('missing'), { fromSeq: 1, toSeq: 10, order: 'asc' })).toEqual([]);
  });

  it('deletes message tails and segments, returning counts, idempotently', async () => {
    const trim = sessionRecord({ id: id('trim') });
    await createSession(driver, trim);
    await driver.commit({
      segments: [segmentRecord(id('trim-other'), trim.id)],
      messages: [
        ...Array.from({ length: 5 }, (_, index) => messageRecord(id(`t${index + 1}`), trim.headSegmentId, index + 1)),
        messageRecord(id('o1'), id('trim-other'), 1),
        messageRecord(id('o2'), id('trim-other'), 2),
      ],
    });
    expect(await driver.deleteMessagesAfter(trim.headSegmentId, 2)).toBe(3);
    expect(await driver.deleteMessagesAfter(trim.headSegmentId, 2)).toBe(0);
    expect(await driver.locateMessage(id('t3'))).toBeUndefined();
    expect(await driver.locateMessage(id('t2'))).toBeDefined();

    expect(await driver.deleteSegment(id('trim-other'))).toBe(2);
    expect(await driver.deleteSegment(id('trim-other'))).toBe(0);
    expect(await driver.getSegment(id('trim-other'))).toBeUndefined();
    expect(await driver.locateMessage(id('o1'))).toBeUndefined();
    expect(await driver.getSegment(trim.headSegmentId)).toBeDefined();
    // A deleted message id may be written again.
    await driver.commit({ messages: [messageRecord(id('o1'), trim.headSegmentId, 3)] });
    expect(await driver.locateMessage(id('o1'))).toEqual({ segmentId: trim.headSegmentId, seq: 3 });
  });

  it('lists segments by owner or by parent, in creation order', async () => {
    const tree = sessionRecord({ id: id('tree') });
    await createSession(driver, tree);
    await driver.commit({
      segments: [
        segmentRecord(id('z-late'), tree.id, { parentId: tree.headSegmentId, baseSeq: 1, createdAt: 3_000 }),
        segmentRecord(id('y-tie-first'), tree.id, { parentId: tree.headSegmentId, baseSeq: 1, createdAt: 2_000 }),
        segmentRecord(id('a-tie-second'), tree.id, { createdAt: 2_000 }),
        segmentRecord(id('elsewhere'), id('other'), { parentId: tree.headSegmentId, baseSeq: 0, createdAt: 2_500 }),
      ],
    });
    const names = (records: SegmentRecord[]): string[] => records.map((record) => record.id.replace(/^t\d+-/, ''));
    expect(names(await driver.listSegments({ sessionId: tree.id }))).toEqual(['tree-segment', 'y-tie-first', 'a-tie-second', 'z-late']);
    expect(names(await driver.listSegments({ parentId: tree.headSegmentId }))).toEqual(['y-tie-first', 'elsewhere', 'z-late']);
    expect(await driver.listSegments({ parentId: id('nobody') })).toEqual([]);
  });
});

/**
 * A database whose default collation is ICU's en-US, where 'S' sorts beside 's' and punctuation is
 * nearly ignored: ids must still come back in JavaScript's order (the driver's id columns use "C").
 */
async function createLocaleDatabase(): Promise<{ connectionString: string; drop(): Promise<void> }> {
  const name = `sl_icu_${randomBytes(5).toString('hex')}`;
  await withClient((client) =>
    client.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`),
  );
  const address = new URL(connectionString);
  address.pathname = `/${name}`;
  return {
    connectionString: address.href,
    drop: () => withClient((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

for (const database of ['default', 'ICU en-US'] as const) {
  describeWithServer(`listSessions (${database} collation)`, () => {
    let driver: PostgresDriver;
    let dropDatabase: (() => Promise<void>) | undefined;
    const all: SessionRecord[] = [];
    const orderValue: Record<SessionOrderBy, (record: SessionRecord) => number> = {
      createdAt: (record) => record.createdAt,
      updatedAt: (record) => record.updatedAt,
      lastActiveAt: (record) => record.lastActiveAt,
    };

    beforeAll(async () => {
      if (database === 'default') {
        driver = await PostgresDriver.connect({ connectionString, tablePrefix: newPrefix('list') });
      } else {
        const created = await createLocaleDatabase();
        dropDatabase = created.drop;
        driver = await PostgresDriver.connect({ connectionString: created.connectionString });
      }
      const states = ['active', 'suspended', 'expired'] as const;
      for (let index = 0; index < 48; index++) {
        const record = sessionRecord({
          // Ids whose byte order differs from a locale's order ('-' and '_' and case), to catch a collation mismatch.
          id: `${['s-', 's_', 'S', 's.'][index % 4]}${String((index * 17) % 48).padStart(2, '0')}${index % 5 === 0 ? 'B' : 'a'}`,
          // Optional fields are left out (not set to undefined) when absent, as the core writes them.
          ...(index % 3 === 2 ? {} : { userId: `user-${index % 3}` }),
          agentId: `agent-${index % 2}`,
          ...(index % 4 === 0 ? { workspaceId: 'workspace' } : {}),
          ...(index % 5 === 0 ? { parentId: 'root' } : {}),
          state: states[index % 3] ?? 'active',
          // Few distinct values, so the id tie-break is exercised on every page.
          createdAt: 1_000 + (index % 7),
          updatedAt: 2_000 + ((index * 5) % 11) + (index % 8 === 0 ? 0.5 : 0),
          lastActiveAt: 3_000 + (index % 3),
          suspendAt: 4_000 + index,
          expiresAt: 5_000 + (index % 9),
          tags: index % 2 === 0 ? ['even', `mod3-${index % 3}`] : [`mod3-${index % 3}`],
          attachedSurfaces: index % 6 === 0 ? ['web', 'slack'] : [],
          metadata: {
            tier: index % 2 === 0 ? 'pro' : 'free',
            rank: index % 4,
            flag: index % 5 === 0,
            ...(index % 7 === 0 ? { optional: null } : {}),
            ...(index % 9 === 0 ? { rank: String(index % 4) } : {}),
            ...(index % 10 === 0 ? { list: [index % 4], nested: { rank: 1 } } : {}),
          },
        });
        all.push(record);
        await createSession(driver, record);
      }
    });
    afterAll(async () => {
      await driver?.close();
      await dropDatabase?.();
    });

    /** What query-match.ts says the query gives: the reference every driver must agree with. */
    function expected(query: SessionQuery): string[] {
      return all
        .filter((record) => matchesQuery(record, query) && isAfterCursor(record, query))
        .sort((left, right) => compareForQuery(left, right, query))
        .slice(0, query.limit)
        .map((record) => record.id);
    }

    /** Every page of the query, walked with keyset positions taken from each page's last row. */
    async function walk(query: SessionQuery): Promise<string[]> {
      const ids: string[] = [];
      let after: SessionQuery['after'];
      for (let page = 0; page < 100; page++) {
        const sessions = await driver.listSessions({ ...query, after });
        expect(sessions.map((session) => session.id)).toEqual(expected({ ...query, after }));
        ids.push(...sessions.map((session) => session.id));
        const last = sessions.at(-1);
        if (sessions.length < query.limit || last === undefined) return ids;
        after = { value: orderValue[query.orderBy](last), id: last.id };
      }
      throw new Error('pagination did not end');
    }

    const filters: Array<Partial<SessionQuery>> = [
      {},
      { userId: 'user-1' },
      { agentId: 'agent-0', workspaceId: 'workspace' },
      { states: ['active', 'suspended'] },
      { states: ['expired'] },
      { states: [] },
      { tags: ['even', 'mod3-1'] },
      { tags: ['mod3-2'], states: ['suspended', 'expired'] },
      { tags: [] },
      { tags: ['absent'] },
      { filter: { tier: 'pro', rank: 2 } },
      { filter: { rank: '0' } },
      { filter: { rank: 0 } },
      { filter: { flag: true } },
      { filter: { flag: false, tier: 'free' } },
      { filter: { optional: null } },
      { filter: { list: 0 } },
      { filter: { nested: 1 } },
      { filter: {} },
      { surfaceId: 'slack' },
      { surfaceId: 'sla' },
      { parentId: 'root' },
      { suspendAtBefore: 4_010 },
      { expiresAtBefore: 5_004, states: ['suspended'] },
      { updatedBefore: 2_005, userId: 'user-0' },
      { updatedBefore: 2_000.5 },
      { userId: 'user-0', tags: ['even'], filter: { tier: 'pro' }, states: ['active'], surfaceId: 'web' },
    ];

    it('matches query-match.ts for every filter, order and direction, page by page', async () => {
      for (const filter of filters) {
        for (const orderBy of ['createdAt', 'updatedAt', 'lastActiveAt'] as const) {
          for (const order of ['asc', 'desc'] as const) {
            const query: SessionQuery = { ...filter, orderBy, order, limit: 5 };
            const label = JSON.stringify({ ...filter, orderBy, order });
            expect(await walk(query), label).toEqual(expected({ ...query, limit: Infinity }));
          }
        }
      }
    });

    it('returns whole records, equal to what was written, with no limit too', async () => {
      const sessions = await driver.listSessions({ orderBy: 'createdAt', order: 'asc', limit: Infinity });
      const byId = new Map(all.map((record) => [record.id, record]));
      expect(sessions).toHaveLength(all.length);
      for (const session of sessions) expect(session).toStrictEqual(byId.get(session.id));
      expect(await driver.listSessions({ orderBy: 'createdAt', order: 'asc', limit: 0 })).toEqual([]);
    });

    it('treats keyset positions as strictly after (value, id), for positions between and beyond rows', async () => {
      for (const order of ['asc', 'desc'] as const) {
        const query: SessionQuery = { orderBy: 'lastActiveAt', order, limit: 100 };
        const full = expected(query);
        const pivot = all.find((record) => record.id === full[10]);
        if (pivot === undefined) throw new Error('no pivot');
        for (const after of [
          { value: pivot.lastActiveAt, id: pivot.id },
          { value: pivot.lastActiveAt, id: `${pivot.id}~` },
          { value: pivot.lastActiveAt + 0.5, id: '' },
          { value: -1, id: 'zzz' },
          { value: 1e15, id: '' },
        ]) {
          const rest = await driver.listSessions({ ...query, after });
          expect(rest.map((session) => session.id), JSON.stringify({ order, after })).toEqual(expected({ ...query, after }));
        }
      }
    });

    it('refuses an ORDER BY or direction outside the whitelist, and unknown states', async () => {
      await expect(
        driver.listSessions({ orderBy: 'id; DROP TABLE sessions' as SessionOrderBy, order: 'asc', limit: 1 }),
      ).rejects.toThrow(/order sessions by/);
      await expect(driver.listSessions({ orderBy: 'toString' as SessionOrderBy, order: 'asc', limit: 1 })).rejects.toThrow(
        /order sessions by/,
      );
      await expect(
        driver.listSessions({ orderBy: 'createdAt', order: 'asc; DROP TABLE sessions' as 'asc', limit: 1 }),
      ).rejects.toThrow(/order must be/);
      await expect(
        driver.listSessions({ orderBy: 'createdAt', order: 'asc', states: [`active' OR 1=1 --` as 'active'], limit: 1 }),
      ).rejects.toThrow(/unknown session state/);
      expect(await driver.listSessions({ orderBy: 'createdAt', order: 'asc', limit: 100 })).toHaveLength(all.length);
    });
  });
}

describeWithServer('listSessions with hostile filters', () => {
  const hostile = [
    `x'); DROP TABLE sessionloom_sessions; --`,
    `x'); DROP TABLE t_hostile_sessions; --`,
    `' OR '1'='1`,
    `") OR true --`,
    '$1',
    '$2::jsonb',
    '"',
    '\\',
    '\\"',
    '{}',
    '{"a":1}',
    '[]',
    'a.b',
    '$.a',
    'a->b',
    '%',
    '_',
    '*',
    "'",
    '',
    'ключ 🔑 键',
    'nul\u0000byte',
  ];
  let driver: PostgresDriver;
  let prefix: string;

  beforeAll(async () => {
    prefix = newPrefix('hostile');
    driver = await PostgresDriver.connect({ connectionString, tablePrefix: prefix });
    // One session per hostile string, carrying it only as a key, one only as a value, one only as a tag.
    for (const [index, text] of hostile.entries()) {
      await createSession(driver, sessionRecord({ id: `key-${index}`, metadata: { [text]: 'v' } }));
      await createSession(driver, sessionRecord({ id: `value-${index}`, metadata: { k: text } }));
      await createSession(driver, sessionRecord({ id: `tag-${index}`, tags: [text], attachedSurfaces: [text] }));
    }
    await createSession(driver, sessionRecord({ id: 'nested-a', metadata: { a: { b: 'v' } } }));
    await createSession(driver, sessionRecord({ id: 'plain-a', metadata: { a: 'v' } }));
    await createSession(driver, sessionRecord({ id: 'types', metadata: { one: 1, text: '1', yes: true, none: null, half: 0.5 } }));
  });
  afterAll(async () => {
    await driver?.close();
  });

  const ids = async (query: Partial<SessionQuery>): Promise<string[]> =>
    (await driver.listSessions({ orderBy: 'createdAt', order: 'asc', limit: 1000, ...query })).map((session) => session.id).sort();

  it('matches each hostile key, value and tag only with itself', async () => {
    for (const [index, text] of hostile.entries()) {
      const label = JSON.stringify(text);
      expect(await ids({ filter: { [text]: 'v' } }), label).toEqual([`key-${index}`]);
      expect(await ids({ filter: { k: text } }), label).toEqual([`value-${index}`]);
      expect(await ids({ tags: [text] }), label).toEqual([`tag-${index}`]);
      expect(await ids({ surfaceId: text }), label).toEqual([`tag-${index}`]);
      expect(await ids({ userId: text }), label).toEqual([]);
      expect(await ids({ parentId: text }), label).toEqual([]);
      expect(await ids({ filter: { [text]: text } }), label).toEqual([]);
    }
    // `a.b` and `a->b` are keys, not paths to the nested `a.b`; `$.a` is not the path to `a`.
    expect(await ids({ filter: { a: 'v' } })).toEqual(['plain-a']);
  });

  it('breaks nothing: every table is still there and whole afterwards', async () => {
    for (const text of hostile) await ids({ filter: { [text]: text }, tags: [text], surfaceId: text, userId: text });
    expect(await ids({})).toHaveLength(hostile.length * 3 + 3);
    const names = tableNames('public', prefix);
    for (const table of [names.sessions, names.segments, names.messages, names.operations, names.migrations]) {
      expect(await tableExists(table), table).toBe(true);
    }
  });
});

describeWithServer('unavailability', () => {
  it('classifies errors: connection and timeout failures are unavailability, bugs are not', () => {
    const withCode = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });
    const unavailable = [
      withCode('ECONNREFUSED'),
      withCode('ECONNRESET'),
      withCode('08006'),
      withCode('08001'),
      withCode('57P01'),
      withCode('57P02'),
      withCode('57P03'),
      withCode('57014'),
      new Error('Connection terminated unexpectedly'),
      new Error('Connection terminated due to connection timeout'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Query read timeout'),
      new Error('Client has encountered a connection error and is not queryable'),
      new AggregateError([withCode('ECONNREFUSED')], 'all addresses failed'),
      new Error('wrapped', { cause: withCode('ECONNRESET') }),
    ];
    const bugs = [
      withCode('42601', 'syntax error'),
      withCode('23505', 'duplicate key'),
      withCode('42P01', 'relation does not exist'),
      withCode('22P02', 'invalid input syntax'),
      new TypeError('x is undefined'),
      new Error('PostgresDriver: cannot order sessions by "x".'),
      'a string',
      undefined,
    ];
    for (const error of unavailable) expect(isUnavailableError(error), String(error)).toBe(true);
    for (const error of bugs) expect(isUnavailableError(error), String(error)).toBe(false);
  });

  it('fails to connect to a port where nothing listens with StoreUnavailableError', async () => {
    const listener = createServer();
    const port = await new Promise<number>((resolve) =>
      listener.listen(0, '127.0.0.1', () => resolve((listener.address() as { port: number }).port)),
    );
    await new Promise((resolve) => listener.close(resolve));
    const error = await rejection(PostgresDriver.connect({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` }));
    expect(StoreUnavailableError.isInstance(error), String(error)).toBe(true);
    expect(isUnavailableError((error as Error).cause)).toBe(true);
  });

  describe('a server that accepts connections but never answers', () => {
    let silent: Server;
    const sockets: Socket[] = [];
    let port = 0;
    beforeAll(async () => {
      silent = createServer((socket) => sockets.push(socket));
      port = await new Promise<number>((resolve) => silent.listen(0, '127.0.0.1', () => resolve((silent.address() as { port: number }).port)));
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });

    it('fails with StoreUnavailableError once connectionTimeoutMs has passed', async () => {
      const error = await rejection(
        PostgresDriver.connect({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`, connectionTimeoutMs: 300 }),
      );
      expect(StoreUnavailableError.isInstance(error), String(error)).toBe(true);
      expect(String((error as Error).cause)).toMatch(/timeout/i);
    });
  });

  it('turns a statement timeout (a lock held too long elsewhere) into StoreUnavailableError, applying nothing', async () => {
    const prefix = newPrefix('timeout');
    const driver = await PostgresDriver.connect({ connectionString, tablePrefix: prefix, statementTimeoutMs: 400 });
    const created = sessionRecord({ id: 'locked' });
    await createSession(driver, created);
    const append: WriteBatch = {
      sessions: [{ record: { ...created, version: 2, messageCount: 1 }, expectedVersion: 1 }],
      messages: [messageRecord('locked-1', created.headSegmentId, 1)],
    };
    const holder = new pg.Client({ connectionString });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM ${tableNames('public', prefix).sessions} WHERE id = $1 FOR UPDATE`, ['locked']);
      const error = await rejection(driver.commit(append));
      expect(StoreUnavailableError.isInstance(error), String(error)).toBe(true);
      expect(((error as Error).cause as { code?: string }).code).toBe('57014');
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }
    expect(await driver.getSession(created.id)).toStrictEqual(created);
    expect(await driver.locateMessage('locked-1')).toBeUndefined();
    // The lock is gone: the same commit goes through on the same driver.
    await driver.commit(append);
    expect((await driver.getSession(created.id))?.version).toBe(2);
    await driver.close();
  });

  it('survives the server closing its idle connections, and works on without help', async () => {
    const applicationName = `sl_idle_${randomBytes(5).toString('hex')}`;
    const driver = await PostgresDriver.connect({
      connectionString: `${connectionString}?application_name=${applicationName}`,
      tablePrefix: newPrefix('idle'),
    });
    const created = sessionRecord({ id: 'idle' });
    await createSession(driver, created);
    await Promise.all(Array.from({ length: 4 }, () => driver.getSession(created.id)));
    const terminated = await withClient(
      async (client) =>
        (
          await client.query(
            'SELECT count(pg_terminate_backend(pid, 5000)) AS count FROM pg_stat_activity WHERE application_name = $1',
            [applicationName],
          )
        ).rows[0].count,
    );
    expect(Number(terminated)).toBeGreaterThan(0);
    // Let the driver's sockets deliver the server's goodbye; an unhandled 'error' would fail the run here.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await driver.getSession(created.id)).toStrictEqual(created);
    await driver.commit({ messages: [messageRecord('idle-1', created.headSegmentId, 1)] });
    expect(await driver.locateMessage('idle-1')).toEqual({ segmentId: created.headSegmentId, seq: 1 });
    await driver.close();
  });
});
