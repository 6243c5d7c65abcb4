/**
 * Seed 002 ("Sessions", a framework's session stores): every example as the document writes it,
 * with its import line changed (`from 'confused-ai'` to sessionloom/compat). Model ids such as
 * 'gpt-4o-mini' reach a scripted model through `setModelResolver` (offline); environment
 * variables the examples read (`REDIS_URL`, `DATABASE_URL`) point at the test servers; `logger`,
 * `metrics`, `req`, `orderId`, `userId` and `prompt` are the surroundings the examples assume.
 */
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import {
  createAgent,
  createFallbackSessionStore,
  createInMemoryStore,
  createRedisStore,
  createSqliteStore,
  DbSessionStore,
  FallbackSessionStore,
  PostgresAgentDb,
  setModelResolver,
  SqliteAgentDb,
  type SessionData,
  type SessionMessage,
} from '../src/compat/index.js';
import { conversationalModel, temporaryWorkingDirectory } from './fixtures/compat.js';

temporaryWorkingDirectory('002');
const redisUrl = inject('redisUrl');
const postgresUrl = inject('postgresUrl');
const environment = { ...process.env };

beforeAll(() => {
  setModelResolver(() => conversationalModel());
  if (redisUrl) process.env.REDIS_URL = redisUrl;
  if (postgresUrl) process.env.DATABASE_URL = postgresUrl;
});
afterAll(() => {
  setModelResolver(undefined);
  process.env = environment;
});

function captureLogs(): string[] {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...values: unknown[]) => void lines.push(values.map(String).join(' ')));
  return lines;
}

describe('seed 002: sessions, as the document writes them', () => {
  it('imports every store name the document lists', () => {
    for (const name of [createInMemoryStore, createSqliteStore, createRedisStore, DbSessionStore, FallbackSessionStore, createFallbackSessionStore]) {
      expect(typeof name).toBe('function');
    }
  });

  // Shared by the quick start and "Read conversation history".
  let sessionStore: ReturnType<typeof createInMemoryStore>;

  it('Quick start', async () => {
    const lines = captureLogs();
    // --- example ---
    sessionStore = createInMemoryStore();

    const agent = createAgent({
      name: 'chat',
      instructions: 'You are a helpful assistant.',
      model: 'gpt-4o-mini',
      apiKey: process.env.OPENAI_API_KEY!,
      sessionStore,
    });

    // Turn 1
    await agent.run('My name is Alice.', { sessionId: 'session-1' });

    // Turn 2 — agent remembers the name
    const result = await agent.run('What is my name?', { sessionId: 'session-1' });
    console.log(result.text); // "Your name is Alice."
    // --- end ---
    vi.restoreAllMocks();
    expect(lines).toEqual(['Your name is Alice.']);
  });

  it('Read conversation history', async () => {
    const lines = captureLogs();
    // --- example ---
    const messages = await sessionStore.getMessages('session-1');
    // [{ role: 'user', content: '...' }, { role: 'assistant', content: '...' }, ...]

    // Get the full session object (metadata + messages)
    const session = await sessionStore.get('session-1');
    console.log(session?.createdAt, session?.updatedAt);
    // --- end ---
    vi.restoreAllMocks();
    expect(messages.map(({ role, content }) => ({ role, content }))).toEqual([
      { role: 'user', content: 'My name is Alice.' },
      { role: 'assistant', content: 'Noted: "My name is Alice." (0 earlier messages from you).' },
      { role: 'user', content: 'What is my name?' },
      { role: 'assistant', content: 'Your name is Alice.' },
    ]);
    expect(session?.messages).toEqual(messages);
    expect(lines).toEqual([`${session?.createdAt} ${session?.updatedAt}`]);
  });

  it('InMemorySessionStore (development)', async () => {
    const lines = captureLogs();
    // --- example ---
    const store = createInMemoryStore({
      retentionDays: 7,  // evict sessions older than 7 days
    });

    // Direct store access
    const session = await store.create({ agentId: 'chat', userId: 'user-1' });
    await store.appendMessage(session.id, { role: 'user', content: 'Hello' });
    const messages = await store.getMessages(session.id);
    await store.delete(session.id);

    // Prune expired sessions manually
    const deleted = store.pruneExpired();
    console.log(`Pruned ${deleted} sessions`);
    // --- end ---
    vi.restoreAllMocks();
    expect(session).toMatchObject({ agentId: 'chat', userId: 'user-1', messages: [] });
    expect(messages).toMatchObject([{ role: 'user', content: 'Hello' }]);
    expect(await store.get(session.id)).toBeUndefined();
    expect(lines).toEqual(['Pruned 0 sessions']);
  });

  it('pruneExpired counts, at once, the sessions past retentionDays and deletes them', async () => {
    let now = Date.now() - 8 * 24 * 60 * 60 * 1000;
    const store = createInMemoryStore({ retentionDays: 7, clock: () => now });
    const old = await store.create('old-one');
    const alsoOld = await store.create({ userId: 'user-1' });
    now = Date.now();
    const fresh = await store.create('fresh-one');
    expect(store.size()).toBe(3);
    expect(store.pruneExpired()).toBe(2);
    // Every later call sees the pruning done.
    expect(await store.get(old.id)).toBeUndefined();
    expect(await store.get(alsoOld.id)).toBeUndefined();
    expect((await store.get(fresh.id))?.id).toBe('fresh-one');
    expect(store.size()).toBe(1);
  });

  it('SQLite (single-node production)', async () => {
    mkdirSync('./data', { recursive: true });
    // --- example ---
    const store = createSqliteStore({
      path: './data/sessions.db',  // defaults to ':memory:' if omitted
    });
    // --- end ---
    const created = await store.create('order-7');
    await store.appendMessage(created.id, { role: 'user', content: 'Where is my parcel?' });
    const again = createSqliteStore({ path: './data/sessions.db' });
    expect((await again.getMessages('order-7')).map((message) => message.content)).toEqual(['Where is my parcel?']);
    const inMemory = createSqliteStore();
    expect((await inMemory.create('only-here')).id).toBe('only-here');
    await Promise.all([store.close(), again.close(), inMemory.close()]);
  });

  it.skipIf(redisUrl === undefined)('Redis (distributed, horizontally scalable)', async () => {
    // --- example ---
    const store = createRedisStore({
      redis: process.env.REDIS_URL!,   // 'redis://localhost:6379' or ioredis options
      keyPrefix: 'myapp:session:',     // namespacing
      ttlSeconds: 86_400,              // 24-hour TTL
    });
    // --- end ---
    const created = await store.create({ userId: 'user-9', messages: [{ role: 'user', content: 'Hi from Redis' }] });
    expect((await store.get(created.id))?.messages.map((message) => message.content)).toEqual(['Hi from Redis']);
    // ioredis connection options work too.
    const { hostname, port } = new URL(process.env.REDIS_URL!);
    const byOptions = createRedisStore({ redis: { host: hostname, port: Number(port) }, keyPrefix: 'myapp:session:' });
    expect((await byOptions.get(created.id))?.id).toBe(created.id);
    await Promise.all([store.close(), byOptions.close()]);
  });

  it.skipIf(postgresUrl === undefined)('DbSessionStore (any AgentDb backend)', async () => {
    // --- example ---
    // SQLite
    const db = new SqliteAgentDb({ path: './agent.db' });
    const store = new DbSessionStore(db);

    // Postgres
    const pgDb = new PostgresAgentDb({ connectionString: process.env.DATABASE_URL! });
    const pgStore = new DbSessionStore(pgDb);
    // --- end ---
    for (const each of [store, pgStore]) {
      const created = await each.create({ agentId: 'chat', messages: [{ role: 'user', content: 'stored' }] });
      expect(await each.getMessages(created.id)).toMatchObject([{ role: 'user', content: 'stored' }]);
      await each.delete(created.id);
      await each.close();
    }
  });

  it('FallbackSessionStore (resilient), with Redis down', async () => {
    const logger = { warn: vi.fn(), info: vi.fn() };
    const metrics = { increment: vi.fn() };
    // Nothing listens here: the primary is down from the start.
    process.env.REDIS_URL = 'redis://127.0.0.1:9';
    try {
      // --- example ---
      const store = createFallbackSessionStore(
        createRedisStore({ redis: process.env.REDIS_URL! }),
        {
          fallback: 'in-memory',
          onFallback: (err) => logger.warn('Session store degraded, using fallback', err),
          onRecover: () => logger.info('Session store recovered'),
        },
      );

      // Check degraded state
      if (store.isDegraded()) {
        metrics.increment('session.store.degraded');
      }

      // Force re-check primary (call after your infra team fixes the issue)
      store.recover();
      // --- end ---
      const created = await store.create({ userId: 'user-3', messages: [{ role: 'user', content: 'still works' }] });
      expect(store.isDegraded()).toBe(true);
      expect(logger.warn).toHaveBeenCalledWith('Session store degraded, using fallback', expect.anything());
      expect(await store.getMessages(created.id)).toMatchObject([{ role: 'user', content: 'still works' }]);
      await expect(store.recover()).resolves.toBeUndefined();
      await store.close();
    } finally {
      if (redisUrl) process.env.REDIS_URL = redisUrl;
    }
  });

  it('SessionStore interface: the stores satisfy it as the document declares it', async () => {
    // --- example (the document's interface, with the types compat exports) ---
    interface SessionStore {
      get(id: string): Promise<SessionData | undefined>;
      create(data: { agentId: string; userId?: string; messages?: SessionMessage[] } | string): Promise<SessionData>;
      update(id: string, data: { messages: SessionMessage[] }): Promise<void>;
      getMessages(id: string): Promise<SessionMessage[]>;
      appendMessage(id: string, message: SessionMessage): Promise<void>;
      delete(id: string): Promise<void>;
    }
    // --- end ---
    const stores: SessionStore[] = [createInMemoryStore(), createSqliteStore()];
    for (const store of stores) {
      const created = await store.create('interface-check');
      await store.appendMessage(created.id, { role: 'user', content: 'one', id: 'msg-one', createdAt: 1 });
      await store.appendMessage(created.id, { role: 'assistant', content: 'two', id: 'msg-two', createdAt: 2 });
      const [first] = await store.getMessages(created.id);
      await store.update(created.id, { messages: [first!, { role: 'assistant', content: 'two, again', id: 'msg-three', createdAt: 3 }] });
      expect((await store.getMessages(created.id)).map((message) => message.content)).toEqual(['one', 'two, again']);
      await store.delete(created.id);
      expect(await store.get(created.id)).toBeUndefined();
    }
  });

  it('Session IDs from your own system', async () => {
    const agent = createAgent({ name: 'orders', model: 'gpt-4o-mini', sessionStore: createInMemoryStore() });
    const req = { headers: { 'x-session-id': 'header-session-1' } as Record<string, string | undefined> };
    const orderId = 42;
    const userId = 'user-42';
    const prompt = 'Where is my order?';
    const sessionIds: string[] = [];
    {
      // --- example: from an HTTP request ---
      const sessionId = req.headers['x-session-id'] ?? crypto.randomUUID();
      const result = await agent.run(prompt, { sessionId, userId });
      // --- end ---
      sessionIds.push(result.sessionId);
    }
    {
      // --- example: from a database row ---
      const sessionId = `order-${orderId}`;
      const result = await agent.run(prompt, { sessionId, userId });
      // --- end ---
      sessionIds.push(result.sessionId);
    }
    {
      // --- example: from a user ID for a single long-running conversation ---
      const sessionId = `user-${userId}-chat`;
      const result = await agent.run(prompt, { sessionId, userId });
      // --- end ---
      sessionIds.push(result.sessionId);
      // The same id again continues that conversation.
      const again = await agent.run(prompt, { sessionId, userId });
      expect(again.text).toBe('Noted: "Where is my order?" (1 earlier message from you).');
    }
    expect(sessionIds).toEqual(['header-session-1', 'order-42', 'user-user-42-chat']);
  });
});
