/**
 * The Redis driver's own concerns, below the core, against the Redis the global setup started:
 * options and connections, no key written by a refused batch, index entries kept in step with
 * records, ids refused before any key is built, the query planner (checked against query-match.ts
 * over hundreds of random queries with ties), hostile strings that must never reach Lua or the
 * command line, and native expiry with `ttlSeconds`. What every driver must do is tested by the
 * driver conformance suite (test/driver-conformance-redis.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, inject, it, vi } from 'vitest';
import { WriteConflict, type MessageRecord, type SessionQuery, type SessionRecord, type WriteBatch, type WriteConflictReason } from '../src/driver/driver.js';
import { MemoryDriver } from '../src/drivers/memory.js';
import { RedisConnection } from '../src/drivers/redis/connection.js';
import { RedisDriver, type RedisDriverOptions } from '../src/drivers/redis/driver.js';
import { toStoreError } from '../src/drivers/redis/errors.js';
import { choosePlan } from '../src/drivers/redis/query-plan.js';
import { InvalidArgumentError, SessionStore, StoreUnavailableError } from '../src/index.js';
import type { SessionOrderBy, SessionState } from '../src/types.js';
import { freePort } from './servers/ports.js';
import { messageRecord, segmentRecord, sessionRecord } from './fixtures/driver-records.js';

const url = inject('redisUrl');
const describeRedis = url === undefined ? describe.skip : describe;

const openDrivers: RedisDriver[] = [];
let rawClient: Redis | undefined;

/** A plain ioredis client to look at what the driver wrote. */
function raw(): Redis {
  rawClient ??= new Redis(url as string);
  return rawClient;
}

afterEach(async () => {
  await Promise.all(openDrivers.splice(0).map((driver) => driver.close()));
});

afterAll(async () => {
  rawClient?.disconnect();
});

function newPrefix(): string {
  return `driver-test-${randomUUID()}:`;
}

async function newDriver(options: Omit<RedisDriverOptions, 'url' | 'client'> = {}): Promise<{ driver: RedisDriver; prefix: string }> {
  const prefix = options.keyPrefix ?? newPrefix();
  const driver = await RedisDriver.connect({ url: url as string, ...options, keyPrefix: prefix });
  openDrivers.push(driver);
  return { driver, prefix };
}

/** Every key under the prefix (SCAN is fine in a test; the driver never scans for queries). */
async function keysUnder(prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await raw().scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found.sort();
}

/** Every key under the prefix with its serialized value: equal snapshots mean nothing was written. */
async function snapshot(prefix: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const key of await keysUnder(prefix)) result[key] = (await raw().dumpBuffer(key))?.toString('hex') ?? '';
  return result;
}

async function createSession(driver: RedisDriver, record: SessionRecord, messages: MessageRecord[] = []): Promise<void> {
  await driver.commit({
    sessions: [{ record, expectedVersion: 0 }],
    segments: [segmentRecord(record.headSegmentId, record.id)],
    messages,
  });
}

async function conflictReason(promise: Promise<unknown>): Promise<WriteConflictReason> {
  const error: unknown = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(WriteConflict.is(error), `expected a WriteConflict, got ${String(error)}`).toBe(true);
  return (error as WriteConflict).reason;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the promise to reject');
    },
    (error: unknown) => error,
  );
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe('options', () => {
  it('wants exactly one of url and client, and a printable key prefix', async () => {
    const unused = new Redis({ lazyConnect: true });
    for (const options of [{}, { url: 'redis://127.0.0.1:1', client: unused }, { url: 'http://127.0.0.1' }, { url: 'not a url' }]) {
      expect(InvalidArgumentError.isInstance(await rejectionOf(RedisDriver.connect(options as RedisDriverOptions)))).toBe(true);
    }
    unused.disconnect();
    for (const keyPrefix of ['has space:', 'ünï:', 'x'.repeat(101), 'line\nbreak']) {
      expect(InvalidArgumentError.isInstance(await rejectionOf(RedisDriver.connect({ url: 'redis://127.0.0.1:1', keyPrefix })))).toBe(true);
    }
    for (const ttlSeconds of [0, -1, 1.5, Number.NaN]) {
      expect(InvalidArgumentError.isInstance(await rejectionOf(RedisDriver.connect({ url: 'redis://127.0.0.1:1', ttlSeconds })))).toBe(true);
    }
  });

  it('refuses an ioredis client with its own keyPrefix, which would prefix only some keys', async () => {
    const prefixed = new Redis({ lazyConnect: true, keyPrefix: 'theirs:' });
    const error = await rejectionOf(RedisDriver.connect({ client: prefixed }));
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(String((error as Error).message)).toContain('keyPrefix');
    prefixed.disconnect();
  });

  it('fails to connect to a port nobody listens on with StoreUnavailableError, and the process carries on', async () => {
    const port = await freePort();
    const error = await rejectionOf(RedisDriver.connect({ url: `redis://127.0.0.1:${port}` }));
    expect(StoreUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).cause).toBeInstanceOf(Error);
  });
});

describeRedis('connections', () => {
  it('reads keyPrefix and ttlSeconds from the URL, and ioredis does not prefix anything itself', async () => {
    const prefix = newPrefix();
    const driver = await RedisDriver.connect({ url: `${url}?keyPrefix=${encodeURIComponent(prefix)}&ttlSeconds=60` });
    openDrivers.push(driver);
    await createSession(driver, sessionRecord({ id: 'from-url' }));
    expect(await raw().exists(`${prefix}session:from-url`)).toBe(1);
    const ttl = await raw().pttl(`${prefix}session:from-url`);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('leaves a client it was given open on close, and quits one it made', async () => {
    const client = new Redis(url as string);
    const given = await RedisDriver.connect({ client, keyPrefix: newPrefix() });
    await given.close();
    expect(await client.ping()).toBe('PONG');
    client.disconnect();

    const { driver } = await newDriver();
    await driver.close();
    const error = await rejectionOf(driver.getSession('anything'));
    expect(StoreUnavailableError.isInstance(error)).toBe(true);
  });

  it('maps connection failures to StoreUnavailableError and keeps reply errors as they are', () => {
    const closed = new Error('Connection is closed.');
    const mapped = toStoreError(closed, 'GET');
    expect(StoreUnavailableError.isInstance(mapped)).toBe(true);
    expect((mapped as Error).cause).toBe(closed);
    const loading = Object.assign(new Error('LOADING Redis is loading the dataset in memory'), { name: 'ReplyError' });
    expect(StoreUnavailableError.isInstance(toStoreError(loading, 'GET'))).toBe(true);
    const wrongType = Object.assign(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), { name: 'ReplyError' });
    expect(toStoreError(wrongType, 'GET')).toBe(wrongType);
  });
});

describeRedis('keys and indexes', () => {
  it('writes no key at all for a batch with a failed condition, whichever it is', async () => {
    const { driver, prefix } = await newDriver();
    const source = sessionRecord({ id: 'source', version: 3 });
    const target = sessionRecord({ id: 'target' });
    await createSession(driver, source, [messageRecord('taken', source.headSegmentId, 1)]);
    await createSession(driver, target);
    await driver.commit({ operations: [{ sessionId: 'target', operationId: 'done', messageIds: [], createdAt: 1 }] });
    const before = await snapshot(prefix);

    const moved = sessionRecord({ id: 'target', version: 2, messageCount: 1, updatedAt: 2_000, userId: 'user-9' });
    const fresh = messageRecord('fresh', target.headSegmentId, 1);
    const attempts: Array<{ batch: WriteBatch; reason: WriteConflictReason }> = [
      {
        batch: { checks: [{ id: 'source', version: 2 }], sessions: [{ record: moved, expectedVersion: 1 }], messages: [fresh] },
        reason: { kind: 'version', sessionId: 'source', actualVersion: 3 },
      },
      {
        batch: { sessions: [{ record: moved, expectedVersion: 1 }], messages: [fresh, messageRecord('taken', target.headSegmentId, 2)] },
        reason: { kind: 'duplicate-message', messageId: 'taken' },
      },
      {
        batch: { sessions: [{ record: moved, expectedVersion: 1 }], messages: [fresh, messageRecord('fresh', target.headSegmentId, 2)] },
        reason: { kind: 'duplicate-message', messageId: 'fresh' },
      },
      {
        batch: {
          sessions: [{ record: moved, expectedVersion: 1 }],
          messages: [fresh],
          operations: [{ sessionId: 'target', operationId: 'done', messageIds: ['fresh'], createdAt: 2 }],
        },
        reason: { kind: 'duplicate-operation', sessionId: 'target', operationId: 'done' },
      },
      {
        batch: {
          sessions: [{ record: moved, expectedVersion: 1 }],
          operations: [
            { sessionId: 'target', operationId: 'twice', messageIds: [], createdAt: 2 },
            { sessionId: 'target', operationId: 'twice', messageIds: [], createdAt: 2 },
          ],
        },
        reason: { kind: 'duplicate-operation', sessionId: 'target', operationId: 'twice' },
      },
      {
        batch: { sessions: [{ record: moved, expectedVersion: 1 }], deleteSessions: [{ id: 'source', expectedVersion: 1 }] },
        reason: { kind: 'version', sessionId: 'source', actualVersion: 3 },
      },
    ];
    for (const { batch, reason } of attempts) {
      expect(await conflictReason(driver.commit(batch))).toEqual(reason);
      expect(await snapshot(prefix)).toEqual(before);
    }
  });

  it('moves a session between indexes when its state changes, and a delete leaves no index entry', async () => {
    const { driver, prefix } = await newDriver();
    const record = sessionRecord({ id: 'moving', userId: 'user-1' });
    await createSession(driver, record);
    const moved = sessionRecord({ id: 'moving', userId: 'user-1', version: 2, state: 'suspended', messageCount: 1 });
    await driver.commit({ sessions: [{ record: moved, expectedVersion: 1 }], messages: [messageRecord('first', record.headSegmentId, 1)] });
    expect(await raw().zscore(`${prefix}index:state:active:createdAt`, 'moving')).toBeNull();
    expect(await raw().zscore(`${prefix}index:state:suspended:createdAt`, 'moving')).toBe('1000');

    await driver.commit({ deleteSessions: [{ id: 'moving', expectedVersion: 2 }] });
    const indexKeys = (await keysUnder(`${prefix}index:`)).filter((key) => !key.endsWith('index-memberships'));
    for (const key of indexKeys) expect(await raw().zscore(key, 'moving')).toBeNull();
    expect(await raw().hexists(`${prefix}index-memberships`, 'moving')).toBe(0);
  });

  it('refuses hostile ids before building any key, and reads them as absent', async () => {
    const { driver, prefix } = await newDriver();
    const hostile = ["x'); redis.call('FLUSHALL') --", '../x', '*', 'a b', '', 'ünï', 'x\r\nFLUSHALL\r\n', 'x'.repeat(201)];
    for (const id of hostile) {
      expect(await driver.getSession(id)).toBeUndefined();
      expect(await driver.getSegment(id)).toBeUndefined();
      expect(await driver.locateMessage(id)).toBeUndefined();
      expect(await driver.listSegments({ sessionId: id })).toEqual([]);
      expect(await driver.listSessions({ userId: id, orderBy: 'createdAt', order: 'asc', limit: 5 })).toEqual([]);
      expect(await driver.listSessions({ parentId: id, orderBy: 'createdAt', order: 'desc', limit: 5 })).toEqual([]);
      expect(InvalidArgumentError.isInstance(await rejectionOf(createSession(driver, sessionRecord({ id }))))).toBe(true);
      const hostileUser = sessionRecord({ id: 'fine', userId: id });
      expect(InvalidArgumentError.isInstance(await rejectionOf(createSession(driver, hostileUser)))).toBe(true);
      const hostileMessage = messageRecord(id, 'fine-segment', 1);
      expect(InvalidArgumentError.isInstance(await rejectionOf(createSession(driver, sessionRecord({ id: 'fine' }), [hostileMessage])))).toBe(true);
    }
    expect(await keysUnder(prefix)).toEqual([]);
  });
});

/** A small deterministic random generator, so a failing query can be reproduced. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const ORDERS: SessionOrderBy[] = ['createdAt', 'updatedAt', 'lastActiveAt'];
const STATES: SessionState[] = ['active', 'suspended', 'expired'];

/** Sessions with few distinct values, so equal scores (ties broken by id) are everywhere. */
function populationOf(random: () => number, size: number): SessionRecord[] {
  const pick = <Item>(items: readonly Item[]): Item => items[Math.floor(random() * items.length)] as Item;
  // Ids mixing every allowed character class, so byte order and JavaScript order must agree.
  const stems = ['a', 'A', 'z', 'Z', '0', '9', 'a.b', 'a-b', 'a_b', 'a:b', 'a@b', 'ab', 'b'];
  return Array.from({ length: size }, (_, index) => {
    const time = () => 1_000 + Math.floor(random() * 4);
    const lastActiveAt = time();
    const userId = pick(['user-1', 'user-2', undefined]);
    const parentId = pick(['parent-1', undefined, undefined]);
    return sessionRecord({
      id: `${pick(stems)}${index}`,
      state: pick(STATES),
      ...(userId === undefined ? {} : { userId }),
      ...(parentId === undefined ? {} : { parentId }),
      agentId: pick(['agent-1', 'agent-2']),
      metadata: { team: pick(['red', 'blue']), level: pick([1, 2, '1']), flag: pick([true, false, null]) },
      tags: [pick(['x', 'y']), pick(['y', 'z'])],
      attachedSurfaces: random() < 0.5 ? ['web'] : [],
      createdAt: time(),
      updatedAt: time(),
      lastActiveAt,
      suspendAt: lastActiveAt + Math.floor(random() * 5),
      expiresAt: lastActiveAt + 3 + Math.floor(random() * 5),
    });
  });
}

function randomQuery(random: () => number, population: SessionRecord[]): SessionQuery {
  const pick = <Item>(items: readonly Item[]): Item => items[Math.floor(random() * items.length)] as Item;
  const chance = (probability: number) => random() < probability;
  const orderBy = pick(ORDERS);
  const query: SessionQuery = { orderBy, order: pick(['asc', 'desc'] as const), limit: 1 + Math.floor(random() * 25) };
  if (chance(0.3)) query.userId = pick(['user-1', 'user-2', 'user-3']);
  if (chance(0.15)) query.agentId = pick(['agent-1', 'agent-2']);
  if (chance(0.2)) query.parentId = pick(['parent-1', 'parent-2']);
  if (chance(0.35)) query.states = STATES.filter(() => chance(0.5));
  if (chance(0.2)) query.tags = [pick(['x', 'y', 'z'])];
  if (chance(0.2)) query.filter = chance(0.5) ? { team: pick(['red', 'blue']) } : { level: pick([1, '1', 2]) };
  if (chance(0.1)) query.surfaceId = 'web';
  if (chance(0.25)) query.suspendAtBefore = 1_000 + Math.floor(random() * 9);
  if (chance(0.2)) query.expiresAtBefore = 1_000 + Math.floor(random() * 12);
  if (chance(0.2)) query.updatedBefore = 1_000 + Math.floor(random() * 5);
  if (chance(0.4)) {
    const anchor = pick(population);
    query.after = chance(0.8) ? { value: anchor[orderBy], id: anchor.id } : { value: 1_000 + Math.floor(random() * 5), id: pick(['', 'a', 'a:b', 'zz']) };
  }
  return query;
}

describeRedis('lists over indexes', () => {
  it('agree with query-match.ts on hundreds of random queries with ties, by walking and by reading deadlines', async () => {
    const random = randomSource(20_260_101);
    const population = populationOf(random, 120);
    const { driver } = await newDriver();
    const memory = new MemoryDriver();
    for (const record of population) {
      await createSession(driver, record);
      await memory.commit({ sessions: [{ record, expectedVersion: 0 }] });
    }
    const commands = vi.spyOn(RedisConnection.prototype, 'call');
    const scripts = vi.spyOn(RedisConnection.prototype, 'evaluate');
    try {
      for (let round = 0; round < 500; round += 1) {
        const query = randomQuery(random, population);
        const expected = (await memory.listSessions(query)).map((record) => record.id);
        const actual = (await driver.listSessions(query)).map((record) => record.id);
        expect(actual, JSON.stringify(query)).toEqual(expected);
      }
      // Both plans ran: reading a deadline index whole (ZRANGEBYSCORE) and walking an order index (the page script).
      expect(commands.mock.calls.map(([command]) => command)).toContain('ZRANGEBYSCORE');
      expect(scripts.mock.calls.map(([script]) => script.name)).toContain('page');
    } finally {
      commands.mockRestore();
      scripts.mockRestore();
    }
  });

  it('chooses reading a small deadline index over a long walk, and says "empty" without reading records', () => {
    const walk = { source: { keys: ['index:state:active:lastActiveAt'] }, count: 10_000 };
    const overdue = (count: number) => ({ source: { keys: ['index:state:active:suspendAt'], before: 5 }, count });
    expect(choosePlan([walk], [overdue(150)], 200).kind).toBe('deadline');
    expect(choosePlan([walk], [overdue(5_000)], 200).kind).toBe('walk');
    expect(choosePlan([walk], [overdue(0)], 200).kind).toBe('empty');
    expect(choosePlan([{ ...walk, count: 0 }], [], 20).kind).toBe('empty');
    expect(choosePlan([walk, { source: { keys: ['index:user:createdAt:u'] }, count: 3 }], [], 20)).toEqual({
      kind: 'walk',
      source: { keys: ['index:user:createdAt:u'] },
    });
  });

  it('never lists a session whose record is gone, and removes its index entries when it meets them', async () => {
    const { driver, prefix } = await newDriver();
    await createSession(driver, sessionRecord({ id: 'kept', userId: 'user-1' }));
    await createSession(driver, sessionRecord({ id: 'vanished', userId: 'user-1', parentId: 'kept' }));
    // What expiry does to a record, done by hand.
    await raw().del(`${prefix}session:vanished`);
    const listed = await driver.listSessions({ userId: 'user-1', orderBy: 'createdAt', order: 'desc', limit: 10 });
    expect(listed.map((record) => record.id)).toEqual(['kept']);
    for (const key of await keysUnder(`${prefix}index:`)) expect(await raw().zscore(key, 'vanished')).toBeNull();
    expect(await raw().hexists(`${prefix}index-memberships`, 'vanished')).toBe(0);
  });
});

describeRedis('hostile strings in filters, tags and surfaces', () => {
  const hostile = [
    `"); redis.call('FLUSHALL') --`,
    "'); redis.call('FLUSHALL') --",
    '*',
    '\r\nFLUSHALL\r\n',
    '{}',
    ']] .. redis.call("FLUSHDB") .. [[',
    '%s%d\\0',
    'ünï©ødé 🎉',
    'KEYS *',
  ];

  it('match only themselves and change nothing else in Redis', async () => {
    const { driver } = await newDriver();
    const sentinel = `sentinel-${randomUUID()}`;
    await raw().set(sentinel, 'still here');
    const sizeBefore = await raw().dbsize();
    const store = SessionStore.fromDriver(driver, { ownsDriver: false });
    const userId = `injection-${randomUUID()}`;
    const expected = new Map<string, string>();
    for (const text of hostile) {
      const session = await store.create({ userId, metadata: { [text]: text }, tags: [text], surfaceId: text });
      // Near misses that must not match.
      await store.create({ userId, metadata: { [text]: `${text} ` }, tags: [`${text} `], surfaceId: `${text} ` });
      expected.set(text, session.id);
    }
    for (const text of hostile) {
      const only = [expected.get(text)];
      expect((await store.list({ userId, filter: { [text]: text } })).sessions.map((session) => session.id), text).toEqual(only);
      expect((await store.list({ userId, tags: [text] })).sessions.map((session) => session.id), text).toEqual(only);
      expect((await store.list({ userId, surfaceId: text })).sessions.map((session) => session.id), text).toEqual(only);
    }
    expect(await raw().get(sentinel)).toBe('still here');
    expect(await raw().dbsize()).toBeGreaterThanOrEqual(sizeBefore);
    expect((await store.list({ userId, limit: 100 })).sessions).toHaveLength(hostile.length * 2);
    await raw().del(sentinel);
  });
});

describeRedis('native expiry (ttlSeconds)', () => {
  /** Keys shared by the whole store, which never expire (their entries are checked on read instead). */
  const isStoreWide = (prefix: string, key: string) =>
    key.startsWith(`${prefix}index:`) ||
    key.startsWith(`${prefix}scan-cursor:`) ||
    [
      `${prefix}message-locations`,
      `${prefix}run-locations`,
      `${prefix}index-memberships`,
      `${prefix}expiry-deadlines`,
      // Checkpoints: which blobs are referenced, and where each checkpoint lives (entries checked on read and collected).
      `${prefix}blob-references`,
      `${prefix}checkpoint-index`,
      `${prefix}unplaced-checkpoints`,
    ].includes(key) ||
    // Blobs are shared by every checkpoint with the same content: collected by reference, not expired.
    key.startsWith(`${prefix}blob:`);

  it('gives every key a session needs the same deadline, forks and runs included', async () => {
    const { driver, prefix } = await newDriver({ ttlSeconds: 30 });
    const store = SessionStore.fromDriver(driver, { ownsDriver: false });
    const source = await store.create({ messages: [{ role: 'user', content: 'one' }, { role: 'assistant', content: 'two' }] });
    await store.append(source.id, { role: 'user', content: 'three' }, { operationId: 'op-1' });
    const fork = await store.fork(source.id);
    await store.append(fork.id, { role: 'user', content: 'four' });
    const [first] = await store.getMessages(source.id);
    await store.rewind(source.id, { toMessage: first?.id as string });
    const run = await store.startRun(source.id);
    await store.recordRunEvents(run.id, [{ type: 'text', data: 'hello' }]);
    // A file checkpoint: its record and the blob it stored expire with the session too.
    const workspace = mkdtempSync(join(tmpdir(), 'sessionloom-redis-ttl-'));
    writeFileSync(join(workspace, 'notes.txt'), `content only this test writes: ${randomUUID()}`);
    const checkpoint = await store.checkpoint(source.id, { workspace });
    rmSync(workspace, { recursive: true, force: true });
    expect(checkpoint.bytesStored).toBeGreaterThan(0);

    const sessionKeys = (await keysUnder(prefix)).filter((key) => !isStoreWide(prefix, key));
    expect(sessionKeys.length).toBeGreaterThanOrEqual(12);
    for (const key of sessionKeys) {
      const ttl = await raw().pttl(key);
      expect(ttl, key).toBeGreaterThan(20_000);
      expect(ttl, key).toBeLessThanOrEqual(30_000);
    }
  });

  it('after expiry shows neither the session nor its messages, and collects what it leaves behind', async () => {
    const { driver, prefix } = await newDriver({ ttlSeconds: 1 });
    const store = SessionStore.fromDriver(driver, { ownsDriver: false });
    const userId = `ttl-${randomUUID()}`;
    const session = await store.create({ userId, messages: [{ role: 'user', content: 'soon gone' }] });
    const [message] = await store.getMessages(session.id);
    const record = await driver.getSession(session.id);
    await sleep(1_300);

    expect(await store.get(session.id)).toBeUndefined();
    expect((await store.list({ userId })).sessions).toEqual([]);
    expect(await driver.locateMessage(message?.id as string)).toBeUndefined();
    expect(await driver.getSegment(record?.headSegmentId as string)).toBeUndefined();
    expect(await driver.readMessages(record?.headSegmentId as string, { fromSeq: 1, toSeq: 10, order: 'asc' })).toEqual([]);
    // The expired message id is free again, even before anything collected its old location.
    expect(await raw().hexists(`${prefix}message-locations`, message?.id as string)).toBe(1);
    const reused = await store.create({ messages: [{ id: message?.id as string, role: 'user', content: 'new life' }] });
    expect((await store.getMessages(reused.id)).map((item) => item.content)).toEqual(['new life']);
    // That commit also collected the leftovers: the expired session's index entries.
    expect(await raw().zscore(`${prefix}index:all:createdAt`, session.id)).toBeNull();
    expect(await raw().hexists(`${prefix}index-memberships`, session.id)).toBe(0);
    expect(await raw().zscore(`${prefix}expiry-deadlines`, session.id)).toBeNull();
  });

  it('collects the blob of a checkpoint whose session expired, and keeps one another live checkpoint still uses', async () => {
    // Two seconds of life: the first session is gone at the check, the second has most of a second left.
    const { driver, prefix } = await newDriver({ ttlSeconds: 2 });
    const store = SessionStore.fromDriver(driver, { ownsDriver: false });
    const workspace = mkdtempSync(join(tmpdir(), 'sessionloom-redis-ttl-'));
    const write = (name: string, text: string) => writeFileSync(join(workspace, name), text);
    write('gone.txt', `only the expiring session has this: ${randomUUID()}`);
    write('kept.txt', `both sessions have this: ${randomUUID()}`);
    const expiring = await store.create({ messages: [{ role: 'user', content: 'expiring' }] });
    await store.checkpoint(expiring.id, { workspace });
    const blobKeys = async () => (await keysUnder(prefix)).filter((key) => key.startsWith(`${prefix}blob:`)).sort();
    const both = await blobKeys();
    expect(both).toHaveLength(2);

    rmSync(join(workspace, 'gone.txt'));
    await sleep(1_000);
    const living = await store.create({ messages: [{ role: 'user', content: 'living' }] });
    await store.checkpoint(living.id, { workspace });
    await sleep(1_300); // the first session is past its deadline now; the second is not
    expect(await store.get(expiring.id)).toBeUndefined();
    expect(await store.prune({ olderThan: 0 })).toMatchObject({ blobs: 1 });
    const left = await blobKeys();
    expect(left).toHaveLength(1);
    expect(both).toContain(left[0]);
    rmSync(workspace, { recursive: true, force: true });
  });

  it('collects the locations of expired messages a bounded step per commit', async () => {
    const { driver, prefix } = await newDriver({ ttlSeconds: 1 });
    const store = SessionStore.fromDriver(driver, { ownsDriver: false });
    const expiring = await store.create({ messages: Array.from({ length: 40 }, (_, index) => ({ role: 'user' as const, content: `m${index}` })) });
    const ids = (await store.getMessages(expiring.id)).map((message) => message.id);
    await sleep(1_300);
    for (let commit = 0; commit < 10; commit += 1) await store.create();
    for (const id of ids) expect(await raw().hexists(`${prefix}message-locations`, id)).toBe(0);
  });

  it('keeps a session alive by writes, with all of its history, shared with the session it was forked from', async () => {
    const { driver } = await newDriver({ ttlSeconds: 1 });
    const store = SessionStore.fromDriver(driver, { ownsDriver: false });
    const userId = `ttl-${randomUUID()}`;
    const source = await store.create({ userId, messages: [{ role: 'user', content: 'shared 1' }, { role: 'assistant', content: 'shared 2' }] });
    await store.append(source.id, { role: 'user', content: 'source only' });
    const [, second] = await store.getMessages(source.id);
    const fork = await store.fork(source.id, { fromMessage: second?.id as string });
    for (let write = 1; write <= 4; write += 1) {
      await sleep(400);
      await store.append(fork.id, { role: 'user', content: `fork ${write}` });
    }
    // The source was last written about 1.6 s ago: gone. The fork, written all along, has everything.
    expect(await store.get(source.id)).toBeUndefined();
    expect((await store.getMessages(fork.id)).map((message) => message.content)).toEqual([
      'shared 1',
      'shared 2',
      'fork 1',
      'fork 2',
      'fork 3',
      'fork 4',
    ]);
    expect((await store.list({ userId })).sessions.map((session) => session.id)).toEqual([fork.id]);
  });
});
