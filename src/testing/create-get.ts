/** create() and get(): defaults, every init field, initial messages, duplicate ids, visibility across store objects. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../index.js';
import { ManualClock } from './clock.js';
import type { SuiteContext } from './context.js';
import { conversation, expectUnchanged, mustGet, snapshot, uniqueId, withoutIdentity } from './helpers.js';

const ONE_HOUR_MS = 60 * 60 * 1000;

export function registerCreateGetTests(context: SuiteContext): void {
  describe('create and get', () => {
    it('creates an empty active session at version 1 with a generated session_ id', async () => {
      const clock = new ManualClock();
      const store = await context.open({ clock: clock.now });
      const session = await store.create();
      expect(session.id).toMatch(/^session_[A-Za-z0-9]+$/);
      expect(session).toMatchObject({
        state: 'active',
        version: 1,
        messageCount: 0,
        metadata: {},
        tags: [],
        attachedSurfaces: [],
        createdAt: clock.now(),
        updatedAt: clock.now(),
        lastActiveAt: clock.now(),
      });
      expect(session.parentId).toBeUndefined();
      expect(session.forkedFrom).toBeUndefined();
    });

    it('generates a different id for every created session', async () => {
      const store = await context.open();
      const sessions = await Promise.all(Array.from({ length: 10 }, () => store.create()));
      expect(new Set(sessions.map((session) => session.id)).size).toBe(10);
    });

    it('keeps every field given to create and get returns the same session', async () => {
      const store = await context.open();
      const init = {
        id: uniqueId('session'),
        userId: uniqueId('user'),
        agentId: uniqueId('agent'),
        workspaceId: uniqueId('workspace'),
        surfaceId: uniqueId('surface'),
        metadata: { title: uniqueId('title'), priority: 3, pinned: true, note: null, nested: { list: [1, 'two'] } },
        tags: [uniqueId('tag'), uniqueId('tag')],
        ttlMs: 12_345,
      };
      const session = await store.create(init);
      expect(session).toMatchObject({
        id: init.id,
        userId: init.userId,
        agentId: init.agentId,
        workspaceId: init.workspaceId,
        metadata: init.metadata,
        tags: init.tags,
        attachedSurfaces: [init.surfaceId],
        ttlMs: init.ttlMs,
      });
      expect(await store.get(init.id)).toEqual(session);
    });

    it('stores initial messages and counts them', async () => {
      const store = await context.open();
      const messages = conversation('initial', 3);
      const session = await store.create({ id: uniqueId('session'), messages });
      expect(session.messageCount).toBe(3);
      expect(session.version).toBe(1);
      const stored = await store.getMessages(session.id);
      expect(stored.map(withoutIdentity)).toEqual(messages);
    });

    it('uses the store default idle TTL when the session gives none', async () => {
      const store = await context.open({ defaultTtlMs: 5_000 });
      const session = await store.create({ id: uniqueId('session') });
      expect(session.ttlMs).toBe(5_000);
    });

    it('defaults the idle TTL to one hour', async () => {
      const store = await context.open();
      const session = await store.create({ id: uniqueId('session') });
      expect(session.ttlMs).toBe(ONE_HOUR_MS);
    });

    it('refuses to create a session with an existing id and leaves the existing one unchanged', async () => {
      const store = await context.open();
      const id = uniqueId('session');
      await store.create({ id, userId: uniqueId('user'), messages: conversation('original', 2) });
      const before = await snapshot(store, id);
      await expect(store.create({ id, metadata: { replaced: true } })).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expectUnchanged(store, id, before);
    });

    it('takes a bare id string as create({ id }), and refuses an invalid one before writing', async () => {
      const store = await context.open();
      const id = uniqueId('session');
      const created = await store.create(id);
      expect(created).toMatchObject({ id, state: 'active', messageCount: 0, version: 1 });
      expect(await store.get(id)).toEqual(created);
      await expect(store.create(id)).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expect(store.create('../not an id')).rejects.toSatisfy(InvalidArgumentError.isInstance);
      expect(await store.get(id)).toEqual(created);
    });

    it('returns undefined for an unknown session id', async () => {
      const store = await context.open();
      expect(await store.get(uniqueId('missing'))).toBeUndefined();
    });

    it('makes a session created through one store object visible through another', async () => {
      const writer = await context.open();
      const reader = await context.open();
      const session = await writer.create({ id: uniqueId('session'), messages: conversation('shared', 2) });
      expect(await reader.get(session.id)).toEqual(session);
      expect(await reader.getMessages(session.id)).toEqual(await writer.getMessages(session.id));
    });

    for (const prefix of ['order-42', 'user-7-chat', 'tenant:a@b.c', 'A.b_c']) {
      it(`accepts the caller-chosen id ${JSON.stringify(prefix)}`, async () => {
        const store = await context.open();
        // The exact id is only read (a shared backend may already hold it); a random id of the same shape is created.
        const existing = await store.get(prefix);
        expect(existing === undefined || existing.id === prefix).toBe(true);
        const id = `${prefix}-${uniqueId('x')}`;
        const session = await store.create({ id });
        expect(session.id).toBe(id);
        expect((await mustGet(store, id)).id).toBe(id);
      });
    }

    it('accepts a caller-chosen id of 200 characters', async () => {
      const store = await context.open();
      const id = uniqueId('long').padEnd(200, 'x');
      expect(id).toHaveLength(200);
      const session = await store.create({ id });
      expect((await mustGet(store, session.id)).id).toBe(id);
    });
  });
}
