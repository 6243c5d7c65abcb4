/**
 * A Redis that goes away mid-test, on a private server (stopping the shared one would break the
 * other suites): while it is stopped, or killed with SIGKILL, every store call fails with
 * `StoreUnavailableError` within the deadline instead of hanging; once it is back, the same store
 * object works again and every append that was acknowledged is there.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadlineExceededError } from '../src/driver/deadline.js';
import { RedisDriver } from '../src/drivers/redis/driver.js';
import { SessionStore, StoreUnavailableError, type StoredMessage } from '../src/index.js';
import { redisAvailable, startRedis, type RedisServer } from './servers/redis.js';

const DEADLINE_MS = 1_500;
/** A correctness bound, not a benchmark: a call must settle, and soon after its deadline at worst. */
const MARGIN_MS = 1_000;

const describeWithRedis = redisAvailable() ? describe : describe.skip;

describeWithRedis('redis outage (private server)', () => {
  let server: RedisServer;

  beforeAll(async () => {
    server = await startRedis();
  });

  afterAll(async () => {
    await server?.destroy();
  });

  async function openStore(): Promise<SessionStore> {
    const driver = await RedisDriver.connect({ url: server.url, keyPrefix: `outage-${randomUUID()}:` });
    return SessionStore.fromDriver(driver, { deadlineMs: DEADLINE_MS });
  }

  async function expectUnavailable(what: string, call: () => Promise<unknown>): Promise<void> {
    const started = performance.now();
    const error = await call().then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    const elapsed = performance.now() - started;
    expect(StoreUnavailableError.isInstance(error), `${what}: ${String(error)}`).toBe(true);
    // The client's own error: it failed fast rather than queueing until the store's deadline gave up.
    expect((error as Error).cause, what).toBeInstanceOf(Error);
    expect((error as Error).cause, what).not.toBeInstanceOf(DeadlineExceededError);
    expect(elapsed, what).toBeLessThan(DEADLINE_MS + MARGIN_MS);
  }

  /** Polls until the store answers again (the client reconnects by itself, at most 2 s apart). */
  async function untilAvailable(store: SessionStore, sessionId: string): Promise<void> {
    const giveUp = Date.now() + 20_000;
    for (;;) {
      try {
        await store.get(sessionId);
        return;
      } catch (error) {
        if (!StoreUnavailableError.isInstance(error) || Date.now() > giveUp) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  const interruptions: Array<[string, (target: RedisServer) => Promise<void>]> = [
    ['stopped', (target) => target.stop()],
    ['killed with SIGKILL', (target) => target.kill()],
  ];

  for (const [how, interrupt] of interruptions) {
    it(`fails every call fast while the server is ${how}, then works again with every acknowledged append`, async () => {
      const store = await openStore();
      try {
        const session = await store.create({ userId: 'outage-user' });
        const source = await store.create({ messages: [{ role: 'user', content: 'fork me' }] });
        const acknowledged: StoredMessage[] = [];
        // A writer appending until the server disappears under it.
        let writing = true;
        const writer = (async () => {
          for (let index = 0; writing; index += 1) {
            try {
              acknowledged.push(...(await store.append(session.id, { role: 'user', content: `message ${index}` })));
            } catch (error) {
              if (!StoreUnavailableError.isInstance(error)) throw error;
              return;
            }
          }
        })();
        while (acknowledged.length < 20) await new Promise((resolve) => setTimeout(resolve, 5));
        await interrupt(server);
        writing = false;
        await writer;

        await expectUnavailable('get', () => store.get(session.id));
        await expectUnavailable('append', () => store.append(session.id, { role: 'user', content: 'lost?' }));
        await expectUnavailable('getMessages', () => store.getMessages(session.id, { last: 5 }));
        await expectUnavailable('list', () => store.list({ userId: 'outage-user' }));
        await expectUnavailable('create', () => store.create());
        await expectUnavailable('fork', () => store.fork(source.id));
        await expectUnavailable('updateMetadata', () => store.updateMetadata(session.id, { during: 'outage' }));
        await expectUnavailable('delete', () => store.delete(source.id));

        await server.start();
        await untilAvailable(store, session.id);
        const stored = await store.getMessages(session.id);
        const storedIds = new Set(stored.map((message) => message.id));
        for (const message of acknowledged) expect(storedIds.has(message.id), message.id).toBe(true);
        const [after] = await store.append(session.id, { role: 'user', content: 'after the outage' });
        expect((await store.getMessages(session.id, { last: 1 }))[0]?.id).toBe(after?.id);
        expect((await store.list({ userId: 'outage-user' })).sessions.map((item) => item.id)).toEqual([session.id]);
      } finally {
        await store.close();
      }
    });
  }
});
