/** list(): every filter, every ordering and cursor pagination, restricted to the sessions each test created. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../index.js';
import type { ListOptions, Session, SessionOrderBy, SessionStore } from '../index.js';
import { ManualClock, pastClock } from './clock.js';
import type { SuiteContext } from './context.js';
import { at, idsOf, mustGet, sessionWithMessages, uniqueId } from './helpers.js';

const ORDER_FIELDS: SessionOrderBy[] = ['createdAt', 'updatedAt', 'lastActiveAt'];

async function listedIds(store: SessionStore, options: ListOptions): Promise<string[]> {
  return idsOf((await store.list(options)).sessions);
}

function sortedIds(sessions: ReadonlyArray<{ id: string }>): string[] {
  return idsOf(sessions).sort();
}

/** Follows nextCursor to the end; fails if it does not end. */
async function allPages(stores: SessionStore[], options: ListOptions): Promise<Session[][]> {
  const pages: Session[][] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page += 1) {
    const store = at(stores, page % stores.length);
    const result = await store.list(cursor === undefined ? options : { ...options, cursor });
    pages.push(result.sessions);
    if (result.nextCursor === undefined) return pages;
    cursor = result.nextCursor;
  }
  throw new Error('the cursor never ended');
}

function expectOrdered(sessions: Session[], orderBy: SessionOrderBy, order: 'asc' | 'desc'): void {
  const values = sessions.map((session) => session[orderBy]);
  const sorted = [...values].sort((left, right) => (order === 'asc' ? left - right : right - left));
  expect(values).toEqual(sorted);
}

export function registerListTests(context: SuiteContext): void {
  describe('list', () => {
    it('filters by userId', async () => {
      const store = await context.open();
      const userId = uniqueId('user');
      const mine = [await store.create({ userId }), await store.create({ userId })];
      await store.create({ userId: uniqueId('user') });
      expect((await listedIds(store, { userId })).sort()).toEqual(sortedIds(mine));
    });

    it('filters by agentId', async () => {
      const store = await context.open();
      const agentId = uniqueId('agent');
      const userId = uniqueId('user');
      const matching = [await store.create({ userId, agentId }), await store.create({ agentId })];
      await store.create({ userId, agentId: uniqueId('agent') });
      expect((await listedIds(store, { agentId })).sort()).toEqual(sortedIds(matching));
      expect(await listedIds(store, { agentId, userId })).toEqual([at(matching, 0).id]);
    });

    it('filters by workspaceId', async () => {
      const store = await context.open();
      const workspaceId = uniqueId('workspace');
      const userId = uniqueId('user');
      const matching = [await store.create({ userId, workspaceId }), await store.create({ userId, workspaceId })];
      await store.create({ userId, workspaceId: uniqueId('workspace') });
      await store.create({ userId });
      expect((await listedIds(store, { workspaceId })).sort()).toEqual(sortedIds(matching));
    });

    it('filters by a single state and by an array of states', async () => {
      const clock = pastClock();
      const store = await context.open({ clock: clock.now });
      const userId = uniqueId('user');
      const suspended = await store.create({ userId, ttlMs: 1_000 });
      clock.advance(10_000);
      const active = await store.create({ userId });
      const expired = await store.create({ userId });
      await store.expire(expired.id);
      await store.sweepStale({ now: clock.now() });
      expect((await mustGet(store, suspended.id)).state).toBe('suspended');
      expect(await listedIds(store, { userId, state: 'active' })).toEqual([active.id]);
      expect(await listedIds(store, { userId, state: 'suspended' })).toEqual([suspended.id]);
      expect(await listedIds(store, { userId, state: 'expired' })).toEqual([expired.id]);
      expect((await listedIds(store, { userId, state: ['active', 'expired'] })).sort()).toEqual(sortedIds([active, expired]));
      expect((await listedIds(store, { userId, state: ['active', 'suspended', 'expired'] })).length).toBe(3);
    });

    it('filters by tags, requiring all of them', async () => {
      const store = await context.open();
      const [red, blue, green] = [uniqueId('red'), uniqueId('blue'), uniqueId('green')];
      const both = await store.create({ tags: [red, blue] });
      const redOnly = await store.create({ tags: [red] });
      const all = await store.create({ tags: [green, blue, red] });
      await store.create({ tags: [blue, green] });
      expect((await listedIds(store, { tags: [red, blue] })).sort()).toEqual(sortedIds([both, all]));
      expect((await listedIds(store, { tags: [red] })).sort()).toEqual(sortedIds([both, redOnly, all]));
      expect(await listedIds(store, { tags: [red, green, blue] })).toEqual([all.id]);
    });

    it('filters by metadata values of every scalar type, with JSON equality', async () => {
      const store = await context.open();
      const userId = uniqueId('user');
      const kind = uniqueId('kind');
      const first = await store.create({ userId, metadata: { kind, count: 1, flag: true, empty: null, half: 0.5 } });
      const second = await store.create({ userId, metadata: { kind: 'other', count: '1', flag: 'true', empty: 'null' } });
      const third = await store.create({ userId, metadata: { kind, count: 2, flag: false, empty: 0 } });
      expect((await listedIds(store, { userId, filter: { kind } })).sort()).toEqual(sortedIds([first, third]));
      expect(await listedIds(store, { userId, filter: { count: 1 } })).toEqual([first.id]);
      expect(await listedIds(store, { userId, filter: { count: '1' } })).toEqual([second.id]);
      expect(await listedIds(store, { userId, filter: { flag: true } })).toEqual([first.id]);
      expect(await listedIds(store, { userId, filter: { flag: false } })).toEqual([third.id]);
      expect(await listedIds(store, { userId, filter: { empty: null } })).toEqual([first.id]);
      expect(await listedIds(store, { userId, filter: { count: 1.0 } })).toEqual([first.id]);
      expect(await listedIds(store, { userId, filter: { half: 0.5 } })).toEqual([first.id]);
      expect(await listedIds(store, { userId, filter: { flag: 1 } })).toEqual([]);
      // A key that is absent does not equal null.
      expect(await listedIds(store, { userId, filter: { half: null } })).toEqual([]);
      expect(await listedIds(store, { userId, filter: { kind, count: 2 } })).toEqual([third.id]);
      expect(await listedIds(store, { userId, filter: { kind: uniqueId('absent') } })).toEqual([]);
    });

    it('filters by attached surface', async () => {
      const store = await context.open();
      const surfaceId = uniqueId('surface');
      const atCreate = await store.create({ surfaceId });
      const attachedLater = await store.create();
      await store.attachSurface(attachedLater.id, surfaceId);
      const detached = await store.create({ surfaceId });
      await store.detachSurface(detached.id, surfaceId);
      await store.create({ surfaceId: uniqueId('surface') });
      expect((await listedIds(store, { surfaceId })).sort()).toEqual(sortedIds([atCreate, attachedLater]));
    });

    it('filters by parentId, listing direct forks only', async () => {
      const store = await context.open();
      const { session: root } = await sessionWithMessages(store, 2);
      const first = await store.fork(root.id);
      const second = await store.fork(root.id);
      await store.fork(first.id);
      expect((await listedIds(store, { parentId: root.id })).sort()).toEqual(sortedIds([first, second]));
    });

    it('combines filters with AND', async () => {
      const store = await context.open();
      const userId = uniqueId('user');
      const tag = uniqueId('tag');
      const agentId = uniqueId('agent');
      const match = await store.create({ userId, agentId, tags: [tag], metadata: { level: 3 } });
      await store.create({ userId, agentId, tags: [tag], metadata: { level: 4 } });
      await store.create({ userId, tags: [tag], metadata: { level: 3 } });
      await store.create({ userId, agentId, metadata: { level: 3 } });
      const expired = await store.create({ userId, agentId, tags: [tag], metadata: { level: 3 } });
      await store.expire(expired.id);
      expect(await listedIds(store, { userId, agentId, tags: [tag], filter: { level: 3 }, state: 'active' })).toEqual([match.id]);
    });

    it('does not list deleted sessions', async () => {
      const store = await context.open();
      const userId = uniqueId('user');
      const kept = await store.create({ userId });
      const deleted = await store.create({ userId });
      await store.delete(deleted.id);
      expect(await listedIds(store, { userId })).toEqual([kept.id]);
    });

    it('orders by updatedAt, newest first, by default', async () => {
      const clock = new ManualClock();
      const store = await context.open({ clock: clock.now });
      const userId = uniqueId('user');
      const sessions = [];
      for (let index = 0; index < 3; index += 1) {
        sessions.push(await store.create({ userId }));
        clock.advance(10);
      }
      await store.updateMetadata(at(sessions, 0).id, { touched: true });
      const listed = (await store.list({ userId })).sessions;
      expect(idsOf(listed)).toEqual([at(sessions, 0).id, at(sessions, 2).id, at(sessions, 1).id]);
      expect(idsOf(listed)).toEqual(await listedIds(store, { userId, orderBy: 'updatedAt', order: 'desc' }));
    });

    for (const orderBy of ORDER_FIELDS) {
      for (const order of ['asc', 'desc'] as const) {
        it(`orders by ${orderBy} ${order}`, async () => {
          const clock = new ManualClock();
          const store = await context.open({ clock: clock.now });
          const userId = uniqueId('user');
          const created: Session[] = [];
          for (let index = 0; index < 4; index += 1) {
            created.push(await store.create({ userId }));
            clock.advance(100);
          }
          // Reshuffle updatedAt and lastActiveAt so that each field gives a different order.
          await store.updateMetadata(at(created, 1).id, { reshuffled: true });
          clock.advance(100);
          await store.touch(at(created, 0).id);
          clock.advance(100);
          await store.append(at(created, 2).id, { role: 'user', content: 'activity' });
          const sessions = await Promise.all(created.map((session) => mustGet(store, session.id)));
          const expected = [...sessions]
            .sort((left, right) => (order === 'asc' ? left[orderBy] - right[orderBy] : right[orderBy] - left[orderBy]))
            .map((session) => session.id);
          expect(new Set(sessions.map((session) => session[orderBy])).size).toBe(4);
          expect(await listedIds(store, { userId, orderBy, order })).toEqual(expected);
        });
      }
    }

    for (const orderBy of ORDER_FIELDS) {
      it(`pages by cursor through sessions sharing a ${orderBy}, visiting each exactly once in both orders`, async () => {
        const clock = new ManualClock();
        const store = await context.open({ clock: clock.now });
        const otherStore = await context.open({ clock: clock.now });
        const userId = uniqueId('user');
        const ids: string[] = [];
        for (let index = 0; index < 7; index += 1) {
          // Three sessions share each timestamp.
          if (index % 3 === 0) clock.advance(1_000);
          ids.push((await store.create({ userId })).id);
        }
        for (const order of ['asc', 'desc'] as const) {
          const unpaged = (await store.list({ userId, orderBy, order })).sessions;
          expectOrdered(unpaged, orderBy, order);
          const pages = await allPages([store, otherStore], { userId, orderBy, order, limit: 2 });
          expect(pages.map((page) => page.length)).toEqual([2, 2, 2, 1]);
          const paged = pages.flat();
          expect(idsOf(paged)).toEqual(idsOf(unpaged));
          expect(new Set(idsOf(paged)).size).toBe(7);
          expect(sortedIds(paged)).toEqual([...ids].sort());
        }
      });
    }

    it('omits nextCursor on a last page that is exactly full', async () => {
      const store = await context.open();
      const userId = uniqueId('user');
      for (let index = 0; index < 4; index += 1) await store.create({ userId });
      const first = await store.list({ userId, limit: 2 });
      expect(first.sessions).toHaveLength(2);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await store.list({ userId, limit: 2, cursor: first.nextCursor });
      expect(second.sessions).toHaveLength(2);
      expect(second.nextCursor).toBeUndefined();
    });

    it('returns at most 50 sessions by default, with a cursor to the rest', async () => {
      const store = await context.open();
      const userId = uniqueId('user');
      for (let index = 0; index < 51; index += 1) await store.create({ userId });
      const first = await store.list({ userId });
      expect(first.sessions).toHaveLength(50);
      expect(first.nextCursor).toEqual(expect.any(String));
      const rest = await store.list({ userId, cursor: first.nextCursor });
      expect(rest.sessions).toHaveLength(1);
      expect(rest.nextCursor).toBeUndefined();
      expect(new Set([...idsOf(first.sessions), ...idsOf(rest.sessions)]).size).toBe(51);
    });

    it('refuses a cursor that it did not issue', async () => {
      const store = await context.open();
      const userId = uniqueId('user');
      await store.create({ userId });
      for (const cursor of ['not-a-cursor', '', '%%%', Buffer.from('{"value":1}').toString('base64url')]) {
        await expect(store.list({ userId, cursor })).rejects.toSatisfy(InvalidArgumentError.isInstance);
      }
    });
  });
}
