/**
 * The PostgreSQL driver's own concerns, below the core, against the server test/global-setup.ts
 * starts: options and identifiers (schema, table prefix), pool ownership, migrations (concurrent
 * included), what a commit sends and how it fails on a bug, appends from several pools, the whole
 * driver conformance suite again in a database with ICU collation, the ORDER BY whitelist, and
 * which failures become StoreUnavailableError. What every driver must do is tested by the driver
 * conformance suite (test/driver-conformance-postgres.test.ts). Each group works under its own
 * random table prefix.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { WriteConflict, type SessionRecord, type WriteBatch } from '../src/driver/driver.js';
import { PostgresDriver, type PgPoolLike } from '../src/drivers/postgres/driver.js';
import { isUnavailableError } from '../src/drivers/postgres/errors.js';
import { tableNames } from '../src/drivers/postgres/identifiers.js';
import { migrations } from '../src/drivers/postgres/migrations.js';
import { InvalidArgumentError, StoreUnavailableError } from '../src/errors.js';
import { runDriverConformance } from '../src/testing/index.js';
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
        `DROP TABLE IF EXISTS ${names.messageSearch}, ${names.sessions}, ${names.segments}, ${names.messages}, ${names.operations}, ${names.migrations}`,
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

describeWithServer('commits', () => {
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
      // BEGIN, lock, upsert, messages, their search index, operations, COMMIT: whatever the number of messages.
      expect(counting.statements, `${size} messages`).toHaveLength(7);
    }
    expect((await counted.getSession(created.id))?.messageCount).toBe(2_001);
    expect(await counted.readMessages(created.headSegmentId, { fromSeq: 1, toSeq: 3_000, order: 'desc', limit: 1 })).toEqual([
      messageRecord(id('bulk-2001'), created.headSegmentId, 2_001),
    ]);
    await counted.close();
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

if (url !== undefined) {
  // The whole suite once more where the database's default collation is ICU's en-US: ids must still
  // come back in JavaScript's order, page after page (the driver's id columns use "C").
  let database: Promise<{ connectionString: string; drop(): Promise<void> }> | undefined;
  afterAll(async () => {
    await (await database)?.drop();
  });
  runDriverConformance({
    name: 'postgres (ICU en-US collation)',
    createDriver: async () => {
      database ??= createLocaleDatabase();
      return PostgresDriver.connect({ connectionString: (await database).connectionString });
    },
  });
}

describeWithServer('listSessions', () => {
  it('refuses an ORDER BY or direction outside the whitelist, and unknown states', async () => {
    const driver = await PostgresDriver.connect({ connectionString, tablePrefix: newPrefix('whitelist') });
    await createSession(driver, sessionRecord({ id: 'listed' }));
    await expect(
      driver.listSessions({ orderBy: 'id; DROP TABLE sessions' as SessionOrderBy, order: 'asc', limit: 1 }),
    ).rejects.toThrow(/order sessions by/);
    await expect(driver.listSessions({ orderBy: 'toString' as SessionOrderBy, order: 'asc', limit: 1 })).rejects.toThrow(/order sessions by/);
    await expect(
      driver.listSessions({ orderBy: 'createdAt', order: 'asc; DROP TABLE sessions' as 'asc', limit: 1 }),
    ).rejects.toThrow(/order must be/);
    await expect(
      driver.listSessions({ orderBy: 'createdAt', order: 'asc', states: [`active' OR 1=1 --` as 'active'], limit: 1 }),
    ).rejects.toThrow(/unknown session state/);
    expect(await driver.listSessions({ orderBy: 'createdAt', order: 'asc', limit: 100 })).toHaveLength(1);
    await driver.close();
  });

  it('keeps every table whole after filters that try to drop them', async () => {
    const prefix = newPrefix('hostile');
    const driver = await PostgresDriver.connect({ connectionString, tablePrefix: prefix });
    await createSession(driver, sessionRecord({ id: 'survivor', metadata: { k: 'v' }, tags: ['t'] }));
    const names = tableNames('public', prefix);
    const hostile = [`x'); DROP TABLE sessionloom_sessions; --`, `x'); DROP TABLE ${names.sessions}; --`, `'; DROP TABLE ${names.messages}; --`, '$1', '$2::jsonb'];
    for (const text of hostile) {
      const query = { orderBy: 'createdAt' as const, order: 'asc' as const, limit: 10 };
      expect(await driver.listSessions({ ...query, filter: { [text]: text }, tags: [text], surfaceId: text, userId: text })).toEqual([]);
      expect(await driver.listSessions({ ...query, filter: { k: text } })).toEqual([]);
    }
    expect((await driver.listSessions({ orderBy: 'createdAt', order: 'asc', limit: 10 })).map((session) => session.id)).toEqual(['survivor']);
    for (const table of [names.sessions, names.segments, names.messages, names.operations, names.migrations]) {
      expect(await tableExists(table), table).toBe(true);
    }
    await driver.close();
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
