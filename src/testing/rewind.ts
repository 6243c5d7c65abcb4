/** rewind(): the head moves back, rewound messages stay readable, later appends and forks build on the new head. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, MessageNotFoundError, SessionNotFoundError } from '../index.js';
import type { SuiteContext } from './context.js';
import { buildForkChain } from './fork-chain.js';
import { at, conversation, expectUnchanged, idsOf, mustGet, sessionWithMessages, snapshot, uniqueId, userMessage } from './helpers.js';

export function registerRewindTests(context: SuiteContext): void {
  describe('rewind', () => {
    it('moves the head back to the message and reports how many messages left the path', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 5);
      const result = await store.rewind(session.id, { toMessage: at(messages, 1).id });
      expect(result.removedMessages).toBe(3);
      expect(result.session).toMatchObject({ id: session.id, messageCount: 2, version: session.version + 1 });
      expect(await store.get(session.id)).toEqual(result.session);
      expect(await store.getMessages(session.id)).toEqual(messages.slice(0, 2));
    });

    it('keeps the rewound messages readable as a rewound tail', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 5);
      await store.rewind(session.id, { toMessage: at(messages, 1).id });
      const branches = await store.branches(session.id);
      expect(branches.rewoundTails).toEqual([
        { afterMessageId: at(messages, 1).id, messageIds: idsOf(messages.slice(2)), messageCount: 3 },
      ]);
    });

    it('appends after the new head, and the rewound tail stays listed', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 4);
      await store.rewind(session.id, { toMessage: at(messages, 1).id });
      const replacement = await store.append(session.id, conversation('replacement', 2));
      expect(await store.getMessages(session.id)).toEqual([...messages.slice(0, 2), ...replacement]);
      expect((await mustGet(store, session.id)).messageCount).toBe(4);
      const branches = await store.branches(session.id);
      expect(branches.rewoundTails).toEqual([
        { afterMessageId: at(messages, 1).id, messageIds: idsOf(messages.slice(2)), messageCount: 2 },
      ]);
    });

    it('forks from a message that replaced the rewound tail', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 4);
      await store.rewind(session.id, { toMessage: at(messages, 1).id });
      const replacement = await store.append(session.id, conversation('replacement', 3));
      const fork = await store.fork(session.id, { id: uniqueId('fork'), fromMessage: at(replacement, 1).id });
      expect(fork.forkedFrom).toEqual({ sessionId: session.id, messageId: at(replacement, 1).id });
      expect(await store.getMessages(fork.id)).toEqual([...messages.slice(0, 2), ...replacement.slice(0, 2)]);
    });

    it('keeps every message of two successive rewinds readable in the rewound tails, each once', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 4);
      await store.rewind(session.id, { toMessage: at(messages, 2).id });
      const second = await store.append(session.id, conversation('second', 2));
      const result = await store.rewind(session.id, { toMessage: at(messages, 0).id });
      expect(result.removedMessages).toBe(4);
      expect(await store.getMessages(session.id)).toEqual(messages.slice(0, 1));
      const tails = (await store.branches(session.id)).rewoundTails;
      const tailIds = tails.flatMap((tail) => tail.messageIds);
      const expected = idsOf([...messages.slice(1), ...second]);
      expect([...tailIds].sort()).toEqual([...expected].sort());
      const known = new Set([...idsOf(messages), ...idsOf(second)]);
      for (const tail of tails) {
        expect(tail.messageCount).toBe(tail.messageIds.length);
        if (tail.afterMessageId !== undefined) expect(known.has(tail.afterMessageId)).toBe(true);
      }
    });

    it('rewinds to the start: an empty path, appends start over, the old messages stay a rewound tail', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 3);
      const result = await store.rewind(session.id, { toStart: true });
      expect(result.removedMessages).toBe(3);
      expect(result.session).toMatchObject({ messageCount: 0, version: session.version + 1 });
      expect(await store.getMessages(session.id)).toEqual([]);
      const [fresh] = await store.append(session.id, userMessage('a new beginning'));
      expect(idsOf(await store.getMessages(session.id))).toEqual([fresh!.id]);
      const tails = (await store.branches(session.id)).rewoundTails;
      expect(tails).toEqual([{ messageIds: idsOf(messages), messageCount: 3 }]);
    });

    it('refuses toMessage and toStart together, or neither, changing nothing', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 2);
      const before = await snapshot(store, session.id);
      await expect(store.rewind(session.id, { toMessage: at(messages, 0).id, toStart: true })).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expect(store.rewind(session.id, {})).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expectUnchanged(store, session.id, before);
    });

    it('rewinding to the head removes nothing', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 3);
      const result = await store.rewind(session.id, { toMessage: at(messages, 2).id });
      expect(result.removedMessages).toBe(0);
      expect(await store.getMessages(session.id)).toEqual(messages);
      expect((await store.branches(session.id)).rewoundTails).toEqual([]);
    });

    it('rewinds a fork to before its fork point without touching the source', async () => {
      const store = await context.open();
      const chain = await buildForkChain(store);
      const middleBefore = await snapshot(store, chain.middle.id);
      const rootBefore = await snapshot(store, chain.root.id);
      const result = await store.rewind(chain.leaf.id, { toMessage: at(chain.leaf.path, 1).id });
      expect(result.removedMessages).toBe(6);
      expect(await store.getMessages(chain.leaf.id)).toEqual(chain.leaf.path.slice(0, 2));
      const added = await store.append(chain.leaf.id, userMessage('new turn'));
      expect(await store.getMessages(chain.leaf.id)).toEqual([...chain.leaf.path.slice(0, 2), ...added]);
      await expectUnchanged(store, chain.middle.id, middleBefore);
      await expectUnchanged(store, chain.root.id, rootBefore);
    });

    it('does not change forks taken before the rewind', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 4);
      const fork = await store.fork(session.id, { id: uniqueId('fork') });
      await store.rewind(session.id, { toMessage: at(messages, 0).id });
      await store.append(session.id, userMessage('source moved on'));
      expect(await store.getMessages(fork.id)).toEqual(messages);
    });

    it('refuses to rewind to a message a previous rewind took off the path, changing nothing', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 4);
      await store.rewind(session.id, { toMessage: at(messages, 1).id });
      const before = await snapshot(store, session.id);
      await expect(store.rewind(session.id, { toMessage: at(messages, 3).id })).rejects.toSatisfy(MessageNotFoundError.isInstance);
      await expectUnchanged(store, session.id, before);
    });

    it('refuses an unknown toMessage, changing nothing', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 3);
      const before = await snapshot(store, session.id);
      await expect(store.rewind(session.id, { toMessage: uniqueId('msg') })).rejects.toSatisfy(MessageNotFoundError.isInstance);
      await expectUnchanged(store, session.id, before);
    });

    it('refuses a toMessage of another session, changing neither', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 3);
      const other = await sessionWithMessages(store, 3);
      const before = await snapshot(store, session.id);
      const otherBefore = await snapshot(store, other.session.id);
      await expect(store.rewind(session.id, { toMessage: at(other.messages, 0).id })).rejects.toSatisfy(
        MessageNotFoundError.isInstance,
      );
      await expectUnchanged(store, session.id, before);
      await expectUnchanged(store, other.session.id, otherBefore);
    });

    it('refuses a toMessage that belongs to a fork of the session', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 2);
      const fork = await store.fork(session.id, { id: uniqueId('fork') });
      const onFork = await store.append(fork.id, userMessage('fork only'));
      const before = await snapshot(store, session.id);
      await expect(store.rewind(session.id, { toMessage: at(onFork, 0).id })).rejects.toSatisfy(MessageNotFoundError.isInstance);
      await expectUnchanged(store, session.id, before);
    });

    it('refuses to rewind an unknown session', async () => {
      const store = await context.open();
      await expect(store.rewind(uniqueId('missing'), { toMessage: uniqueId('msg') })).rejects.toSatisfy(
        SessionNotFoundError.isInstance,
      );
    });

    it('refuses after and before ids that a rewind took off the path', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 4);
      await store.rewind(session.id, { toMessage: at(messages, 1).id });
      await expect(store.getMessages(session.id, { after: at(messages, 2).id })).rejects.toSatisfy(MessageNotFoundError.isInstance);
      await expect(store.getMessages(session.id, { before: at(messages, 3).id })).rejects.toSatisfy(MessageNotFoundError.isInstance);
    });
  });
}
