/** Lifecycle with an injected clock: touch, idle TTL, suspension, retention, expiry and what an expired session refuses. */
import { describe, expect, it } from 'vitest';
import { SessionExpiredError, SessionNotFoundError } from '../index.js';
import type { SessionStore } from '../index.js';
import { pastClock } from './clock.js';
import type { SuiteContext } from './context.js';
import { at, expectUnchanged, mustGet, sessionWithMessages, snapshot, uniqueId, userMessage } from './helpers.js';

const TTL_MS = 1_000;
const RETENTION_MS = 5_000;

export function registerLifecycleTests(context: SuiteContext): void {
  describe('lifecycle', () => {
    /** A store in the past (sweeps there reach no session of a test running with the real time). */
    async function openPastStore(options: { defaultTtlMs?: number; retentionMs?: number } = {}) {
      const clock = pastClock();
      const store = await context.open({ clock: clock.now, retentionMs: RETENTION_MS, ...options });
      return { clock, store };
    }

    async function stateOf(store: SessionStore, id: string) {
      return (await mustGet(store, id)).state;
    }

    it('touch sets lastActiveAt to now and bumps the version', async () => {
      const { clock, store } = await openPastStore();
      const created = await store.create({ id: uniqueId('session') });
      clock.advance(700);
      const touched = await store.touch(created.id);
      expect(touched).toMatchObject({ state: 'active', lastActiveAt: clock.now(), version: created.version + 1 });
      expect(await store.get(created.id)).toEqual(touched);
    });

    it('sets expiresAt to the last activity plus the TTL plus the retention', async () => {
      const { clock, store } = await openPastStore();
      const created = await store.create({ id: uniqueId('session'), ttlMs: TTL_MS });
      expect(created.expiresAt).toBe(created.lastActiveAt + TTL_MS + RETENTION_MS);
      clock.advance(300);
      const touched = await store.touch(created.id);
      expect(touched.expiresAt).toBe(clock.now() + TTL_MS + RETENTION_MS);
    });

    it('sweepStale suspends an active session idle past its own TTL and no other', async () => {
      const { clock, store } = await openPastStore();
      const start = clock.now();
      const short = await store.create({ id: uniqueId('short'), ttlMs: TTL_MS });
      const long = await store.create({ id: uniqueId('long'), ttlMs: TTL_MS * 10 });
      await store.sweepStale({ now: start + TTL_MS - 1 });
      expect(await stateOf(store, short.id)).toBe('active');
      const result = await store.sweepStale({ now: start + TTL_MS + 1 });
      expect(result.suspended).toBeGreaterThanOrEqual(1);
      expect(await stateOf(store, short.id)).toBe('suspended');
      expect(await stateOf(store, long.id)).toBe('active');
    });

    it('sweepStale uses the store default TTL for sessions created without one', async () => {
      const { clock, store } = await openPastStore({ defaultTtlMs: 3_000 });
      const start = clock.now();
      const session = await store.create({ id: uniqueId('session') });
      await store.sweepStale({ now: start + 2_999 });
      expect(await stateOf(store, session.id)).toBe('active');
      await store.sweepStale({ now: start + 3_001 });
      expect(await stateOf(store, session.id)).toBe('suspended');
    });

    it('sweepStale follows a TTL changed by update', async () => {
      const { clock, store } = await openPastStore();
      const start = clock.now();
      const session = await store.create({ id: uniqueId('session'), ttlMs: TTL_MS * 100 });
      await store.update(session.id, { ttlMs: TTL_MS });
      await store.sweepStale({ now: start + TTL_MS + 1 });
      expect(await stateOf(store, session.id)).toBe('suspended');
    });

    it('sweepStale expires a suspended session idle past its TTL plus the retention', async () => {
      const { clock, store } = await openPastStore();
      const start = clock.now();
      const session = await store.create({ id: uniqueId('session'), ttlMs: TTL_MS });
      await store.sweepStale({ now: start + TTL_MS + 1 });
      expect(await stateOf(store, session.id)).toBe('suspended');
      await store.sweepStale({ now: start + TTL_MS + RETENTION_MS - 1 });
      expect(await stateOf(store, session.id)).toBe('suspended');
      const result = await store.sweepStale({ now: start + TTL_MS + RETENTION_MS + 1 });
      expect(result.expired).toBeGreaterThanOrEqual(1);
      expect(await stateOf(store, session.id)).toBe('expired');
    });

    it('sweepStale counts every session it changed', async () => {
      const { clock, store } = await openPastStore();
      const start = clock.now();
      for (let index = 0; index < 3; index += 1) await store.create({ id: uniqueId('session'), ttlMs: TTL_MS });
      const suspendedResult = await store.sweepStale({ now: start + TTL_MS + 1 });
      expect(suspendedResult.suspended).toBeGreaterThanOrEqual(3);
      const expiredResult = await store.sweepStale({ now: start + TTL_MS + RETENTION_MS + 1 });
      expect(expiredResult.expired).toBeGreaterThanOrEqual(3);
    });

    it('sweepStale without now uses the store clock', async () => {
      const { clock, store } = await openPastStore();
      const session = await store.create({ id: uniqueId('session'), ttlMs: TTL_MS });
      clock.advance(TTL_MS - 1);
      await store.sweepStale();
      expect(await stateOf(store, session.id)).toBe('active');
      clock.advance(2);
      await store.sweepStale();
      expect(await stateOf(store, session.id)).toBe('suspended');
    });

    it('touch postpones suspension', async () => {
      const { clock, store } = await openPastStore();
      const start = clock.now();
      const session = await store.create({ id: uniqueId('session'), ttlMs: TTL_MS });
      clock.advance(TTL_MS - 100);
      await store.touch(session.id);
      await store.sweepStale({ now: start + TTL_MS + 1 });
      expect(await stateOf(store, session.id)).toBe('active');
      await store.sweepStale({ now: clock.now() + TTL_MS + 1 });
      expect(await stateOf(store, session.id)).toBe('suspended');
    });

    it('touch reactivates a suspended session', async () => {
      const { clock, store } = await openPastStore();
      const session = await store.create({ id: uniqueId('session'), ttlMs: TTL_MS });
      clock.advance(TTL_MS + 1);
      await store.sweepStale({ now: clock.now() });
      expect(await stateOf(store, session.id)).toBe('suspended');
      const touched = await store.touch(session.id);
      expect(touched).toMatchObject({ state: 'active', lastActiveAt: clock.now() });
      expect(await stateOf(store, session.id)).toBe('active');
    });

    it('append reactivates a suspended session', async () => {
      const { clock, store } = await openPastStore();
      const session = await store.create({ id: uniqueId('session'), ttlMs: TTL_MS });
      clock.advance(TTL_MS + 1);
      await store.sweepStale({ now: clock.now() });
      expect(await stateOf(store, session.id)).toBe('suspended');
      await store.append(session.id, userMessage('back again'));
      expect(await mustGet(store, session.id)).toMatchObject({ state: 'active', lastActiveAt: clock.now(), messageCount: 1 });
    });

    it('a suspended session can still be forked and rewound', async () => {
      const { clock, store } = await openPastStore();
      const { session, messages } = await sessionWithMessages(store, 3, { ttlMs: TTL_MS });
      clock.advance(TTL_MS + 1);
      await store.sweepStale({ now: clock.now() });
      expect(await stateOf(store, session.id)).toBe('suspended');
      const fork = await store.fork(session.id, { id: uniqueId('fork') });
      expect(fork.state).toBe('active');
      expect(await store.getMessages(fork.id)).toEqual(messages);
      await store.rewind(session.id, { toMessage: at(messages, 0).id });
      expect(await store.getMessages(session.id)).toEqual(messages.slice(0, 1));
    });

    it('suspend suspends an active session now, leaves a suspended or expired one as it is, and touch reactivates it', async () => {
      const { clock, store } = await openPastStore();
      const { session } = await sessionWithMessages(store, 1);
      clock.advance(10);
      const suspended = await store.suspend(session.id);
      expect(suspended).toMatchObject({ state: 'suspended', version: session.version + 1, lastActiveAt: session.lastActiveAt });
      expect(await store.suspend(session.id)).toEqual(suspended);
      expect(await store.touch(session.id)).toMatchObject({ state: 'active', lastActiveAt: clock.now() });
      await store.expire(session.id);
      expect((await store.suspend(session.id)).state).toBe('expired');
      await expect(store.suspend(uniqueId('missing'))).rejects.toSatisfy(SessionNotFoundError.isInstance);
    });

    it('expire sets the state to expired', async () => {
      const { store } = await openPastStore();
      const { session } = await sessionWithMessages(store, 1);
      const expired = await store.expire(session.id);
      expect(expired.state).toBe('expired');
      expect(await stateOf(store, session.id)).toBe('expired');
    });

    it('expire and touch refuse an unknown session', async () => {
      const { store } = await openPastStore();
      const id = uniqueId('missing');
      await expect(store.expire(id)).rejects.toSatisfy(SessionNotFoundError.isInstance);
      await expect(store.touch(id)).rejects.toSatisfy(SessionNotFoundError.isInstance);
      expect(await store.get(id)).toBeUndefined();
    });

    const refusals: Array<[string, (store: SessionStore, id: string, firstMessageId: string) => Promise<unknown>]> = [
      ['append', (store, id) => store.append(id, userMessage('too late'))],
      ['fork', (store, id) => store.fork(id, { id: uniqueId('fork') })],
      ['rewind', (store, id, firstMessageId) => store.rewind(id, { toMessage: firstMessageId })],
      ['touch', (store, id) => store.touch(id)],
    ];
    for (const [operation, call] of refusals) {
      it(`an expired session refuses ${operation} with SessionExpiredError and changes nothing`, async () => {
        const { store } = await openPastStore();
        const { session, messages } = await sessionWithMessages(store, 2);
        await store.expire(session.id);
        const before = await snapshot(store, session.id);
        await expect(call(store, session.id, at(messages, 0).id)).rejects.toSatisfy(SessionExpiredError.isInstance);
        await expectUnchanged(store, session.id, before);
      });
    }

    it('an expired session can still be read', async () => {
      const { store } = await openPastStore();
      const { session, messages } = await sessionWithMessages(store, 3);
      await store.expire(session.id);
      const otherStore = await context.open();
      expect((await mustGet(otherStore, session.id)).state).toBe('expired');
      expect(await otherStore.getMessages(session.id)).toEqual(messages);
      expect(await otherStore.getMessages(session.id, { last: 1 })).toEqual(messages.slice(-1));
      expect((await otherStore.branches(session.id)).session.state).toBe('expired');
    });

    it('a session expired by sweepStale refuses append', async () => {
      const { clock, store } = await openPastStore();
      const { session } = await sessionWithMessages(store, 1, { ttlMs: TTL_MS });
      const start = clock.now();
      await store.sweepStale({ now: start + TTL_MS + 1 });
      await store.sweepStale({ now: start + TTL_MS + RETENTION_MS + 1 });
      expect(await stateOf(store, session.id)).toBe('expired');
      await expect(store.append(session.id, userMessage('too late'))).rejects.toSatisfy(SessionExpiredError.isInstance);
    });
  });
}
