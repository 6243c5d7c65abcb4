/**
 * Seed 004 (an assistant SDK's sessions package): its example as the document writes it, with the
 * import line changed (`from '@agent-assistant/sessions'` to sessionloom/compat), its core
 * integration line against a minimal runtime, and each behaviour its API section states: the nine
 * operations, the one-hour default TTL, `sweepStale(ttlMs)` returning the sessions it suspended,
 * an adapter that deep-clones, the affinity resolver's preferences, `resolveSession` touching or
 * creating. The adapter's five methods carry a full sessionloom store (fork, rewind, runs).
 */
import { describe, expect, it } from 'vitest';
import {
  InMemorySessionStoreAdapter,
  createSessionStore,
  defaultAffinityResolver,
  resolveSession,
  type AdapterSession,
  type AdapterSessionQuery,
  type SessionStoreAdapter,
} from '../src/compat/index.js';
import { MapRecordAdapter, SessionExpiredError, SessionNotFoundError } from '../src/index.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('seed 004: assistant sessions, as the document writes them', () => {
  it('Example', async () => {
    // --- example ---
    const store = createSessionStore({
      adapter: new InMemorySessionStoreAdapter(),
      defaultTtlMs: 30 * 60 * 1000,
    });
    const resolver = defaultAffinityResolver(store);
    const session = await resolveSession(
      {
        userId: 'user-123',
        workspaceId: 'workspace-456',
        surfaceId: 'web-thread-1',
      },
      store,
      resolver,
    );
    await store.attachSurface(session.id, 'slack-dm-99');
    await store.updateMetadata(session.id, { locale: 'en-US' });
    // --- end ---
    expect(await store.get(session.id)).toMatchObject({
      userId: 'user-123',
      workspaceId: 'workspace-456',
      attachedSurfaces: ['web-thread-1', 'slack-dm-99'],
      metadata: { locale: 'en-US' },
      state: 'active',
      ttlMs: 30 * 60 * 1000,
    });
    // The user comes back on Slack: the same session.
    const again = await resolveSession({ userId: 'user-123', surfaceId: 'slack-dm-99' }, store, resolver);
    expect(again.id).toBe(session.id);
  });

  it('Core Integration: the store registers, and get returns attachedSurfaces', async () => {
    const services = new Map<string, unknown>();
    const runtime = { register: (name: string, service: unknown) => void services.set(name, service) };
    const store = createSessionStore({ adapter: new InMemorySessionStoreAdapter() });
    const created = await store.create({ id: 'thread-1', userId: 'user-1', initialSurfaceId: 'web' });
    // --- example ---
    runtime.register('sessions', store);
    // --- end ---
    const sessions = services.get('sessions') as typeof store;
    expect((await sessions.get(created.id))?.attachedSurfaces).toEqual(['web']);
    expect(await sessions.get('missing')).toBeNull();
  });
});

describe('seed 004: the operations its API section lists', () => {
  it('create, get, find, touch, attachSurface, detachSurface, expire, updateMetadata', async () => {
    const store = createSessionStore({ adapter: new InMemorySessionStoreAdapter() });
    await store.create({ id: 'older', userId: 'user-1', metadata: { tier: 'pro' } });
    await pause(5);
    await store.create({ id: 'newer', userId: 'user-1', workspaceId: 'ws-1' });
    await store.create({ id: 'someone-else', userId: 'user-2' });
    expect((await store.find({ userId: 'user-1' })).map((session) => session.id)).toEqual(['newer', 'older']);
    expect((await store.find({ userId: 'user-1', limit: 1 })).map((session) => session.id)).toEqual(['newer']);
    expect((await store.find({ workspaceId: 'ws-1' })).map((session) => session.id)).toEqual(['newer']);
    const touched = await store.touch('older');
    expect((await store.find({ userId: 'user-1' }))[0]?.id).toBe('older');
    expect((await store.find({ activeAfter: touched.lastActiveAt - 1 })).map((session) => session.id)).toEqual(['older']);
    await store.attachSurface('older', 'web');
    await store.attachSurface('older', 'web');
    expect((await store.find({ surfaceId: 'web' })).map((session) => session.id)).toEqual(['older']);
    expect((await store.detachSurface('older', 'web')).attachedSurfaces).toEqual([]);
    expect((await store.updateMetadata('older', { locale: 'nb-NO' })).metadata).toEqual({ tier: 'pro', locale: 'nb-NO' });
    expect((await store.expire('someone-else')).state).toBe('expired');
    expect((await store.find({ state: 'expired' })).map((session) => session.id)).toEqual(['someone-else']);
    await expect(store.touch('someone-else')).rejects.toSatisfy(SessionExpiredError.isInstance);
    await expect(store.touch('missing')).rejects.toSatisfy(SessionNotFoundError.isInstance);
  });

  it('defaults the TTL to one hour, and sweepStale(ttlMs) suspends the sessions idle longer, returning them', async () => {
    const store = createSessionStore({ adapter: new InMemorySessionStoreAdapter() });
    const idle = await store.create({ id: 'idle', userId: 'user-1' });
    expect(idle.ttlMs).toBe(60 * 60 * 1000);
    await pause(30);
    const fresh = await store.create({ id: 'fresh', userId: 'user-1' });
    expect(await store.sweepStale()).toEqual([]);
    const swept = await store.sweepStale(20);
    expect(swept.map((session) => [session.id, session.state])).toEqual([['idle', 'suspended']]);
    expect((await store.get(fresh.id))?.state).toBe('active');
    expect(await store.sweepStale(20)).toEqual([]);
    // touch makes it active again
    expect((await store.touch('idle')).state).toBe('active');
  });

  it('InMemorySessionStoreAdapter deep-clones what goes in and out', async () => {
    const adapter = new InMemorySessionStoreAdapter();
    const entry: AdapterSession = { id: 'a', state: 'active', createdAt: 'x', lastActivityAt: 'x', attachedSurfaces: ['web'], metadata: { nested: { n: 1 } }, record: { v: 1 } };
    await adapter.insert(entry);
    entry.attachedSurfaces.push('changed');
    const read = await adapter.fetchById('a');
    expect(read?.attachedSurfaces).toEqual(['web']);
    (read!.metadata.nested as { n: number }).n = 2;
    expect((await adapter.fetchById('a'))?.metadata).toEqual({ nested: { n: 1 } });
  });

  it('defaultAffinityResolver prefers the most recent active or suspended session, and one on the surface', async () => {
    const store = createSessionStore({ adapter: new InMemorySessionStoreAdapter() });
    const resolver = defaultAffinityResolver(store);
    expect(await resolver.resolve('user-1')).toBeNull();
    await store.create({ id: 'on-slack', userId: 'user-1', initialSurfaceId: 'slack' });
    await pause(5);
    await store.create({ id: 'latest', userId: 'user-1' });
    await pause(5);
    await store.create({ id: 'gone', userId: 'user-1' });
    await store.expire('gone');
    expect((await resolver.resolve('user-1'))?.id).toBe('latest');
    expect((await resolver.resolve('user-1', 'slack'))?.id).toBe('on-slack');
    await store.sweepStale(0);
    expect((await resolver.resolve('user-1'))?.id).toBe('latest');
    // resolveSession touches what it found (reactivating it), or creates.
    const resolved = await resolveSession({ userId: 'user-1', surfaceId: 'slack' }, store, resolver);
    expect(resolved).toMatchObject({ id: 'on-slack', state: 'active' });
    const created = await resolveSession({ userId: 'user-new', workspaceId: 'ws', surfaceId: 'web' }, store, { resolve: async () => null });
    expect(created).toMatchObject({ userId: 'user-new', workspaceId: 'ws', attachedSurfaces: ['web'], state: 'active' });
  });

  it('an adapter of your own (the five methods) carries a whole store: fork, rewind, runs', async () => {
    const rows = new Map<string, AdapterSession>();
    const adapter: SessionStoreAdapter = {
      insert: async (session) => void rows.set(session.id, structuredClone(session)),
      fetchById: async (id) => structuredClone(rows.get(id)) ?? null,
      fetchMany: async (query: AdapterSessionQuery) => [...rows.values()].slice(0, query.limit).map((row) => structuredClone(row)),
      update: async (id, patch) => {
        const next = { ...rows.get(id)!, ...structuredClone(patch) };
        rows.set(id, next);
        return structuredClone(next);
      },
      delete: async (id) => void rows.delete(id),
    };
    const store = createSessionStore({ adapter }).store;
    const session = await store.create({ id: 'chat-1', userId: 'user-1' });
    const [first] = await store.append(session.id, [{ role: 'user', content: 'one' }, { role: 'assistant', content: 'two' }]);
    const fork = await store.fork(session.id, { fromMessage: first!.id });
    await store.rewind(session.id, { toMessage: first!.id });
    expect((await store.getMessages(fork.id)).map((message) => message.content)).toEqual(['one']);
    expect((await store.branches(session.id)).rewoundTails).toHaveLength(1);
    const run = await store.startRun(session.id);
    await store.recordRunEvents(run.id, [{ type: 'text', data: { text: 'hi' } }]);
    await store.finishRun(run.id, { status: 'completed', usage: { inputTokens: 3, outputTokens: 4 } });
    expect((await store.get(session.id))?.usage).toMatchObject({ inputTokens: 3, outputTokens: 4 });
    // The session's own row looks like the seed's session (what the adapter's fetchMany filters on).
    expect(rows.get('chat-1')).toMatchObject({ id: 'chat-1', userId: 'user-1', state: 'active', attachedSurfaces: [] });
  });

  it('a record adapter works as the adapter too', async () => {
    const store = createSessionStore({ adapter: new MapRecordAdapter() });
    const created = await store.create({ id: 'kv-1', userId: 'user-1' });
    expect(await store.get(created.id)).toMatchObject({ id: 'kv-1' });
  });
});
