/**
 * What the record-adapter driver promises beyond the conformance suites: a commit stopped at any
 * point is finished (past its commit point) or undone (before it) by the next process that meets
 * its lock once the lease is over; a stalled writer can never apply a commit another process
 * aborted; adapters that compare only `stamp` are enough; odd ids survive the key encoding; adapter
 * failures are outages, and a non-adapter is a configuration error.
 */
import { describe, expect, it } from 'vitest';
import {
  AdapterDriver,
  ConfigurationError,
  MapRecordAdapter,
  SessionStore,
  StoreUnavailableError,
  WriteConflict,
  type JsonValue,
  type RecordAdapter,
} from '../src/index.js';

type Call = { method: 'get' | 'put' | 'delete' | 'list' | 'compareAndSet'; key: string; value?: JsonValue | undefined };

/**
 * An adapter over a shared map that stops (every call fails, as if its process had died) at the
 * first call `stopAt` matches, or holds that call until `release` is called (a stalled process).
 */
class ProcessAdapter implements RecordAdapter {
  stopped = false;
  private held: Array<() => void> = [];
  constructor(
    private readonly shared: MapRecordAdapter,
    private readonly options: { stopAt?: (call: Call) => boolean; holdAt?: (call: Call) => boolean } = {},
  ) {}
  release(): void {
    for (const resume of this.held.splice(0)) resume();
  }
  private async enter(call: Call): Promise<void> {
    if (this.stopped) throw new Error('process is gone');
    if (this.options.stopAt?.(call)) {
      this.stopped = true;
      throw new Error('process is gone');
    }
    if (this.options.holdAt?.(call)) {
      this.options.holdAt = undefined;
      await new Promise<void>((resume) => this.held.push(resume));
    }
  }
  async get(key: string) {
    await this.enter({ method: 'get', key });
    return this.shared.get(key);
  }
  async put(key: string, value: JsonValue) {
    await this.enter({ method: 'put', key, value });
    return this.shared.put(key, value);
  }
  async delete(key: string) {
    await this.enter({ method: 'delete', key });
    return this.shared.delete(key);
  }
  async list(prefix: string) {
    await this.enter({ method: 'list', key: prefix });
    return this.shared.list(prefix);
  }
  async compareAndSet(key: string, expected: JsonValue | undefined, value: JsonValue | undefined) {
    await this.enter({ method: 'compareAndSet', key, value });
    return this.shared.compareAndSet!(key, expected, value);
  }
}

const LEASE_MS = 80;
const isCommitPoint = (call: Call) => call.method === 'compareAndSet' && call.key.startsWith('tx~') && (call.value as { state?: string })?.state === 'committed';
const after = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sessionWithOneMessage(shared: MapRecordAdapter) {
  const store = SessionStore.fromAdapter(shared, { lockLeaseMs: LEASE_MS });
  const session = await store.create({ messages: [{ role: 'user', content: 'first' }] });
  return { store, session };
}

describe('adapter driver: a commit stopped part way', () => {
  it('is finished by the next reader once its lease is over, when it passed its commit point', async () => {
    const shared = new MapRecordAdapter();
    const { store, session } = await sessionWithOneMessage(shared);
    // The process dies right after its commit point, before it wrote a single position.
    const dying = new ProcessAdapter(shared, { stopAt: (call) => call.method === 'put' && call.key.startsWith('at~') });
    const doomed = SessionStore.fromAdapter(dying, { lockLeaseMs: LEASE_MS });
    await expect(doomed.append(session.id, { role: 'user', content: 'second', id: 'msg-committed' })).rejects.toThrow(StoreUnavailableError);

    // Within the lease a reader sees the session as it was before that commit.
    expect((await store.get(session.id))?.messageCount).toBe(1);
    await after(LEASE_MS + 20);
    const messages = await store.getMessages(session.id);
    expect(messages.map((message) => message.content)).toEqual(['first', 'second']);
    expect((await store.get(session.id))?.version).toBe(session.version + 1);
    expect(await shared.list('tx~')).toEqual([]);
  });

  it('is undone by the next writer once its lease is over, when it stopped before its commit point, and its message id is free again', async () => {
    const shared = new MapRecordAdapter();
    const { store, session } = await sessionWithOneMessage(shared);
    const dying = new ProcessAdapter(shared, { stopAt: isCommitPoint });
    const doomed = SessionStore.fromAdapter(dying, { lockLeaseMs: LEASE_MS });
    await expect(doomed.append(session.id, { role: 'user', content: 'lost', id: 'msg-reused' })).rejects.toThrow(StoreUnavailableError);

    const [stored] = await store.append(session.id, { role: 'user', content: 'kept', id: 'msg-reused' });
    expect(stored?.id).toBe('msg-reused');
    expect((await store.getMessages(session.id)).map((message) => message.content)).toEqual(['first', 'kept']);
    expect((await store.get(session.id))?.version).toBe(session.version + 1);
  });

  it('never applies a commit another process aborted while its writer stalled past the lease', async () => {
    const shared = new MapRecordAdapter();
    const { store, session } = await sessionWithOneMessage(shared);
    const stalling = new ProcessAdapter(shared, { holdAt: isCommitPoint });
    const slowDriver = new AdapterDriver(stalling, { lockLeaseMs: LEASE_MS });
    const record = (await slowDriver.getSession(session.id))!;
    const slow = slowDriver.commit({
      sessions: [{ record: { ...record, version: record.version + 1, messageCount: 2 }, expectedVersion: record.version }],
      messages: [{ id: 'msg-stalled', segmentId: record.headSegmentId, seq: 2, createdAt: 1, body: JSON.stringify({ role: 'user', content: 'stalled' }) }],
    });
    await after(LEASE_MS + 20);
    // Another process meets the expired lock: it aborts the stalled commit and writes its own.
    await store.append(session.id, { role: 'user', content: 'meanwhile' });
    stalling.release();
    const outcome = await slow.then(() => 'committed', (error: unknown) => error);
    expect(WriteConflict.is(outcome)).toBe(true);
    expect((await store.getMessages(session.id)).map((message) => message.content)).toEqual(['first', 'meanwhile']);
    expect(await store.getMessages(session.id).then((messages) => messages.some((message) => message.id === 'msg-stalled'))).toBe(false);
  });
});

describe('adapter driver: adapters', () => {
  it('works with an adapter whose compareAndSet compares only the stamp', async () => {
    const values = new Map<string, JsonValue>();
    const stampOf = (value: JsonValue | undefined) => (value as { stamp?: string } | undefined)?.stamp;
    const adapter: RecordAdapter = {
      get: async (key) => structuredClone(values.get(key)),
      put: async (key, value) => void values.set(key, structuredClone(value)),
      delete: async (key) => void values.delete(key),
      list: async (prefix) => [...values.keys()].filter((key) => key.startsWith(prefix)),
      compareAndSet: async (key, expected, value) => {
        const current = values.get(key);
        if (expected === undefined ? current !== undefined : stampOf(current) !== stampOf(expected) || stampOf(expected) === undefined) return false;
        if (value === undefined) values.delete(key);
        else values.set(key, structuredClone(value));
        return true;
      },
    };
    const first = SessionStore.fromAdapter(adapter);
    const second = SessionStore.fromAdapter(adapter);
    const session = await first.create();
    await Promise.all(Array.from({ length: 20 }, (_, index) => (index % 2 ? first : second).append(session.id, { role: 'user', content: `m${index}` })));
    expect(await first.getMessages(session.id)).toHaveLength(20);
    const fork = await second.fork(session.id);
    expect((await first.get(fork.id))?.messageCount).toBe(20);
  });

  it('keeps ids with characters keys cannot hold (encoded, decoded back)', async () => {
    const shared = new MapRecordAdapter();
    const driver = new AdapterDriver(shared);
    const store = SessionStore.fromDriver(driver);
    const session = await store.create({ id: 'tenant:a@b.c' });
    // The core allows only safe ids; a driver must still take any string it is handed.
    const odd = { sessionId: session.id, operationId: 'op/with~odd chars% é', messageIds: [], createdAt: 1 };
    await driver.commit({ operations: [odd] });
    expect(await driver.listOperations(session.id)).toEqual([odd]);
    expect(await driver.getOperation(session.id, odd.operationId)).toEqual(odd);
    for (const key of await shared.list('')) expect(key).toMatch(/^[A-Za-z0-9._:@~%-]+$/);
  });

  it('reports a failing adapter as StoreUnavailableError with its error as cause', async () => {
    const failure = new Error('connection refused');
    const adapter: RecordAdapter = { get: async () => Promise.reject(failure), put: async () => {}, delete: async () => {}, list: async () => [] };
    const error = await SessionStore.fromAdapter(adapter).get('some-session').catch((caught: unknown) => caught);
    expect(StoreUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).cause).toBe(failure);
  });

  it('refuses something that is not an adapter with a ConfigurationError naming what is missing', () => {
    expect(() => SessionStore.fromAdapter({ get: async () => undefined } as unknown as RecordAdapter)).toThrow(ConfigurationError);
    expect(() => SessionStore.fromAdapter({ get: async () => undefined } as unknown as RecordAdapter)).toThrow(/lacks put, delete, list/);
  });
});
