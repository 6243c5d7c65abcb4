/** update(), updateMetadata(), delete(), attachSurface() and detachSurface(). */
import { describe, expect, it } from 'vitest';
import { SessionNotFoundError } from '../index.js';
import { ManualClock } from './clock.js';
import type { SuiteContext } from './context.js';
import { mustGet, sessionWithMessages, uniqueId } from './helpers.js';

export function registerUpdateDeleteTests(context: SuiteContext): void {
  describe('update and delete', () => {
    it('update shallow-merges metadata, replaces tags and sets agentId, workspaceId and ttlMs', async () => {
      const clock = new ManualClock();
      const store = await context.open({ clock: clock.now });
      const created = await store.create({
        id: uniqueId('session'),
        tags: [uniqueId('old')],
        metadata: { kept: 'yes', replaced: { deep: 1 }, count: 1 },
      });
      clock.advance(500);
      const patch = {
        metadata: { replaced: { other: 2 }, count: 2, cleared: null },
        tags: [uniqueId('new'), uniqueId('new')],
        agentId: uniqueId('agent'),
        workspaceId: uniqueId('workspace'),
        ttlMs: 42_000,
      };
      const updated = await store.update(created.id, patch);
      expect(updated).toMatchObject({
        metadata: { kept: 'yes', replaced: { other: 2 }, count: 2, cleared: null },
        tags: patch.tags,
        agentId: patch.agentId,
        workspaceId: patch.workspaceId,
        ttlMs: 42_000,
        version: created.version + 1,
        updatedAt: clock.now(),
        createdAt: created.createdAt,
      });
      expect(await store.get(created.id)).toEqual(updated);
    });

    it('updateMetadata shallow-merges and keeps the other keys', async () => {
      const store = await context.open();
      const created = await store.create({ id: uniqueId('session'), tags: [uniqueId('tag')], metadata: { a: 1, nested: { x: 1, y: 2 } } });
      const updated = await store.updateMetadata(created.id, { b: 'two', nested: { z: 3 } });
      expect(updated.metadata).toEqual({ a: 1, b: 'two', nested: { z: 3 } });
      expect(updated.tags).toEqual(created.tags);
      expect(updated.version).toBe(created.version + 1);
      expect((await mustGet(store, created.id)).metadata).toEqual(updated.metadata);
    });

    it('update applies when expectedVersion matches', async () => {
      const store = await context.open();
      const created = await store.create({ id: uniqueId('session') });
      const updated = await store.update(created.id, { metadata: { step: 1 } }, { expectedVersion: created.version });
      expect(updated.version).toBe(created.version + 1);
      expect(updated.metadata).toEqual({ step: 1 });
    });

    it('update and updateMetadata refuse an unknown session', async () => {
      const store = await context.open();
      const id = uniqueId('missing');
      await expect(store.update(id, { metadata: { a: 1 } })).rejects.toSatisfy(SessionNotFoundError.isInstance);
      await expect(store.updateMetadata(id, { a: 1 })).rejects.toSatisfy(SessionNotFoundError.isInstance);
      expect(await store.get(id)).toBeUndefined();
    });

    it('delete removes the session and its messages and returns true', async () => {
      const store = await context.open();
      const otherStore = await context.open();
      const { session } = await sessionWithMessages(store, 3);
      expect(await store.delete(session.id)).toBe(true);
      expect(await otherStore.get(session.id)).toBeUndefined();
      await expect(otherStore.getMessages(session.id)).rejects.toSatisfy(SessionNotFoundError.isInstance);
    });

    it('delete returns false when there is no such session', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 1);
      expect(await store.delete(uniqueId('missing'))).toBe(false);
      expect(await store.delete(session.id)).toBe(true);
      expect(await store.delete(session.id)).toBe(false);
    });

    it('allows a deleted id to be created again, empty', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 2);
      await store.delete(session.id);
      const again = await store.create({ id: session.id });
      expect(again).toMatchObject({ id: session.id, version: 1, messageCount: 0 });
      expect(await store.getMessages(session.id)).toEqual([]);
    });

    it('attaches a surface once, however often it is attached', async () => {
      const store = await context.open();
      const created = await store.create({ id: uniqueId('session') });
      const surface = uniqueId('surface');
      await store.attachSurface(created.id, surface);
      const twice = await store.attachSurface(created.id, surface);
      expect(twice.attachedSurfaces).toEqual([surface]);
      expect((await mustGet(store, created.id)).attachedSurfaces).toEqual([surface]);
    });

    it('detaches only the given surface', async () => {
      const store = await context.open();
      const [first, second] = [uniqueId('surface'), uniqueId('surface')];
      const created = await store.create({ id: uniqueId('session'), surfaceId: first });
      await store.attachSurface(created.id, second);
      const detached = await store.detachSurface(created.id, first);
      expect(detached.attachedSurfaces).toEqual([second]);
      expect((await mustGet(store, created.id)).attachedSurfaces).toEqual([second]);
    });

    it('attachSurface and detachSurface refuse an unknown session', async () => {
      const store = await context.open();
      const id = uniqueId('missing');
      await expect(store.attachSurface(id, uniqueId('surface'))).rejects.toSatisfy(SessionNotFoundError.isInstance);
      await expect(store.detachSurface(id, uniqueId('surface'))).rejects.toSatisfy(SessionNotFoundError.isInstance);
    });
  });
}
