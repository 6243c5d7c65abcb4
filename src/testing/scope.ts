/** Scoped stores: a view bound to one user sees and changes only that user's sessions. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, MessageNotFoundError, SessionNotFoundError } from '../index.js';
import type { SessionStore } from '../index.js';
import type { SuiteContext } from './context.js';
import { at, expectUnchanged, mustGet, sessionWithMessages, snapshot, uniqueId, userMessage } from './helpers.js';

type Attempt = (view: SessionStore, id: string, messageId: string) => Promise<unknown>;

const refusedOperations: Array<[string, Attempt]> = [
  ['append', (view, id) => view.append(id, userMessage('intrusion'))],
  ['getMessages', (view, id) => view.getMessages(id)],
  ['fork', (view, id) => view.fork(id, { id: uniqueId('fork') })],
  ['rewind', (view, id, messageId) => view.rewind(id, { toMessage: messageId })],
  ['branches', (view, id) => view.branches(id)],
  ['update', (view, id) => view.update(id, { tags: ['taken'] })],
  ['updateMetadata', (view, id) => view.updateMetadata(id, { taken: true })],
  ['touch', (view, id) => view.touch(id)],
  ['attachSurface', (view, id) => view.attachSurface(id, uniqueId('surface'))],
  ['detachSurface', (view, id) => view.detachSurface(id, uniqueId('surface'))],
  ['expire', (view, id) => view.expire(id)],
];

export function registerScopeTests(context: SuiteContext): void {
  describe('scope', () => {
    /** The root store, a view scoped to a new user (by withScope or by the store option) and a session of another user. */
    async function setUp(how: 'withScope' | 'option') {
      const root = await context.open();
      const userId = uniqueId('user');
      const view = how === 'withScope' ? root.withScope({ userId }) : await context.open({ scope: { userId } });
      const foreign = await sessionWithMessages(root, 2, { userId: uniqueId('user') });
      return { root, userId, view, foreign };
    }

    for (const how of ['withScope', 'option'] as const) {
      it(`create in a view scoped by ${how} sets the userId`, async () => {
        const { root, userId, view } = await setUp(how);
        const session = await view.create({ id: uniqueId('session') });
        expect(session.userId).toBe(userId);
        expect((await mustGet(root, session.id)).userId).toBe(userId);
        expect((await view.create({ userId })).userId).toBe(userId);
      });

      it(`a view scoped by ${how} reads another user's session as not found`, async () => {
        const { view, foreign } = await setUp(how);
        expect(await view.get(foreign.session.id)).toBeUndefined();
      });
    }

    it('refuses to create a session for a different user in a scoped view', async () => {
      const { root, view } = await setUp('withScope');
      const id = uniqueId('session');
      await expect(view.create({ id, userId: uniqueId('user') })).rejects.toSatisfy(InvalidArgumentError.isInstance);
      expect(await root.get(id)).toBeUndefined();
    });

    it('reads a session without a user as not found in a scoped view', async () => {
      const { root, view } = await setUp('withScope');
      const { session } = await sessionWithMessages(root, 1);
      expect(await view.get(session.id)).toBeUndefined();
      await expect(view.append(session.id, userMessage('no'))).rejects.toSatisfy(SessionNotFoundError.isInstance);
    });

    for (const [operation, attempt] of refusedOperations) {
      it(`a scoped view cannot ${operation} another user's session: SessionNotFoundError, nothing changed`, async () => {
        const { root, view, foreign } = await setUp('withScope');
        const before = await snapshot(root, foreign.session.id);
        await expect(attempt(view, foreign.session.id, at(foreign.messages, 0).id)).rejects.toSatisfy(
          SessionNotFoundError.isInstance,
        );
        await expectUnchanged(root, foreign.session.id, before);
      });
    }

    it('a scoped view cannot delete another user\'s session', async () => {
      const { root, view, foreign } = await setUp('withScope');
      const before = await snapshot(root, foreign.session.id);
      const outcome = await view.delete(foreign.session.id).then(
        (deleted) => ({ deleted }),
        (error: unknown) => ({ error }),
      );
      if ('error' in outcome) expect(SessionNotFoundError.isInstance(outcome.error)).toBe(true);
      else expect(outcome.deleted).toBe(false);
      await expectUnchanged(root, foreign.session.id, before);
    });

    it('a scoped view does not list another user\'s sessions', async () => {
      const { root, userId, view } = await setUp('withScope');
      const tag = uniqueId('tag');
      const mine = await view.create({ tags: [tag] });
      const theirs = await root.create({ userId: uniqueId('user'), tags: [tag] });
      await root.create({ tags: [tag] });
      expect((await view.list({ tags: [tag] })).sessions.map((session) => session.id)).toEqual([mine.id]);
      const asked = await view.list({ userId: theirs.userId }).then(
        (result) => result.sessions.map((session) => session.id),
        (error: unknown) => (InvalidArgumentError.isInstance(error) ? [] : ['unexpected error']),
      );
      expect(asked).toEqual([]);
      expect((await root.list({ tags: [tag] })).sessions).toHaveLength(3);
      expect((await view.list({ userId })).sessions.map((session) => session.id)).toEqual([mine.id]);
    });

    it('a scoped view cannot fork its own session from another user\'s message', async () => {
      const { view, foreign } = await setUp('withScope');
      const { session } = await sessionWithMessages(view, 1);
      const before = await snapshot(view, session.id);
      const forkId = uniqueId('fork');
      await expect(view.fork(session.id, { id: forkId, fromMessage: at(foreign.messages, 0).id })).rejects.toSatisfy(
        MessageNotFoundError.isInstance,
      );
      expect(await view.get(forkId)).toBeUndefined();
      await expectUnchanged(view, session.id, before);
    });

    it('works on its own sessions: append, fork, rewind, and the root store sees the changes', async () => {
      const { root, userId, view } = await setUp('withScope');
      const { session, messages } = await sessionWithMessages(view, 3);
      const fork = await view.fork(session.id, { id: uniqueId('fork'), fromMessage: at(messages, 1).id });
      expect(fork.userId).toBe(userId);
      await view.rewind(session.id, { toMessage: at(messages, 0).id });
      const added = await view.append(session.id, userMessage('mine'));
      expect(await root.getMessages(session.id)).toEqual([at(messages, 0), ...added]);
      expect(await root.getMessages(fork.id)).toEqual(messages.slice(0, 2));
      expect(idsOfBranches(await view.branches(session.id))).toEqual([fork.id]);
    });

    it('resolve in a scoped view never returns another user\'s session', async () => {
      const { userId, view, foreign } = await setUp('withScope');
      const resolved = await view.resolve({ userId });
      expect(resolved.id).not.toBe(foreign.session.id);
      expect(resolved.userId).toBe(userId);
    });
  });
}

function idsOfBranches(branches: { forks: Array<{ session: { id: string } }> }): string[] {
  return branches.forks.map((node) => node.session.id);
}
