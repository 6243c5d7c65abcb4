/** resolve(): find the session a returning user should continue, or start one. */
import { describe, expect, it } from 'vitest';
import { ManualClock, pastClock } from './clock.js';
import type { SuiteContext } from './context.js';
import { mustGet, uniqueId } from './helpers.js';

export function registerAffinityTests(context: SuiteContext): void {
  describe('resolve', () => {
    it('creates an active session for a user without one, attached to the surface and in the workspace', async () => {
      const clock = new ManualClock();
      const store = await context.open({ clock: clock.now });
      const userId = uniqueId('user');
      const workspaceId = uniqueId('workspace');
      const surfaceId = uniqueId('surface');
      const session = await store.resolve({ userId, workspaceId, surfaceId });
      expect(session).toMatchObject({ userId, workspaceId, state: 'active', attachedSurfaces: [surfaceId], lastActiveAt: clock.now() });
      expect(await store.get(session.id)).toEqual(session);
      expect((await store.list({ userId })).sessions).toHaveLength(1);
    });

    it('returns the same session when resolved twice', async () => {
      const store = await context.open();
      const userId = uniqueId('user');
      const first = await store.resolve({ userId });
      const second = await store.resolve({ userId });
      expect(second.id).toBe(first.id);
      expect((await store.list({ userId })).sessions).toHaveLength(1);
    });

    it('returns the most recently active session of the user and touches it', async () => {
      const clock = new ManualClock();
      const store = await context.open({ clock: clock.now });
      const userId = uniqueId('user');
      const older = await store.create({ userId });
      clock.advance(1_000);
      const newer = await store.create({ userId });
      clock.advance(1_000);
      await store.touch(older.id);
      clock.advance(1_000);
      const resolved = await store.resolve({ userId });
      expect(resolved.id).toBe(older.id);
      expect(resolved.lastActiveAt).toBe(clock.now());
      expect((await mustGet(store, older.id)).lastActiveAt).toBe(clock.now());
      expect((await mustGet(store, newer.id)).lastActiveAt).toBe(newer.lastActiveAt);
    });

    it('prefers a session attached to the surface over a more recently active one', async () => {
      const clock = new ManualClock();
      const store = await context.open({ clock: clock.now });
      const userId = uniqueId('user');
      const surfaceId = uniqueId('surface');
      const onSurface = await store.create({ userId, surfaceId });
      clock.advance(1_000);
      await store.create({ userId, surfaceId: uniqueId('surface') });
      clock.advance(1_000);
      const resolved = await store.resolve({ userId, surfaceId });
      expect(resolved.id).toBe(onSurface.id);
    });

    it('attaches the surface to the session it returns', async () => {
      const store = await context.open();
      const userId = uniqueId('user');
      const existing = await store.create({ userId, surfaceId: uniqueId('web') });
      const surfaceId = uniqueId('phone');
      const resolved = await store.resolve({ userId, surfaceId });
      expect(resolved.id).toBe(existing.id);
      expect(resolved.attachedSurfaces).toContain(surfaceId);
      expect((await mustGet(store, existing.id)).attachedSurfaces).toEqual(expect.arrayContaining([...existing.attachedSurfaces, surfaceId]));
    });

    it('reactivates a suspended session', async () => {
      const clock = pastClock();
      const store = await context.open({ clock: clock.now });
      const userId = uniqueId('user');
      const session = await store.create({ userId, ttlMs: 1_000 });
      clock.advance(2_000);
      await store.sweepStale({ now: clock.now() });
      expect((await mustGet(store, session.id)).state).toBe('suspended');
      const resolved = await store.resolve({ userId });
      expect(resolved).toMatchObject({ id: session.id, state: 'active', lastActiveAt: clock.now() });
    });

    it('skips expired sessions and starts a new one', async () => {
      const store = await context.open();
      const userId = uniqueId('user');
      const expired = await store.create({ userId });
      await store.expire(expired.id);
      const resolved = await store.resolve({ userId });
      expect(resolved.id).not.toBe(expired.id);
      expect(resolved.state).toBe('active');
      expect((await mustGet(store, expired.id)).state).toBe('expired');
    });

    it('stays within the workspace when one is given', async () => {
      const clock = new ManualClock();
      const store = await context.open({ clock: clock.now });
      const userId = uniqueId('user');
      const workspaceId = uniqueId('workspace');
      const inWorkspace = await store.create({ userId, workspaceId });
      clock.advance(1_000);
      await store.create({ userId, workspaceId: uniqueId('workspace') });
      expect((await store.resolve({ userId, workspaceId })).id).toBe(inWorkspace.id);
      const otherWorkspace = uniqueId('workspace');
      const created = await store.resolve({ userId, workspaceId: otherWorkspace });
      expect(created).toMatchObject({ userId, workspaceId: otherWorkspace });
      expect(created.id).not.toBe(inWorkspace.id);
    });

    it('never returns another user\'s session', async () => {
      const store = await context.open();
      const surfaceId = uniqueId('surface');
      const someoneElse = await store.create({ userId: uniqueId('user'), surfaceId });
      const userId = uniqueId('user');
      const resolved = await store.resolve({ userId, surfaceId });
      expect(resolved.id).not.toBe(someoneElse.id);
      expect(resolved.userId).toBe(userId);
    });
  });
}
