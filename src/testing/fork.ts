/** fork(): new sessions sharing history, inheritance, forks of forks, and what a fork may not be taken from. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, MessageNotFoundError, SessionNotFoundError } from '../index.js';
import type { SuiteContext } from './context.js';
import { buildForkChain } from './fork-chain.js';
import {
  at,
  conversation,
  expectUnchanged,
  idsOf,
  lastOf,
  mustGet,
  sessionWithMessages,
  snapshot,
  uniqueId,
  userMessage,
} from './helpers.js';

export function registerForkTests(context: SuiteContext): void {
  describe('fork', () => {
    it('forks from the head: a new active session with the source path, parentId and forkedFrom', async () => {
      const store = await context.open();
      const { session: source, messages } = await sessionWithMessages(store, 3);
      const forkId = uniqueId('fork');
      const fork = await store.fork(source.id, { id: forkId });
      expect(fork).toMatchObject({
        id: forkId,
        state: 'active',
        version: 1,
        parentId: source.id,
        forkedFrom: { sessionId: source.id, messageId: lastOf(messages).id },
        messageCount: 3,
      });
      expect(await store.getMessages(fork.id)).toEqual(messages);
      expect(await store.get(fork.id)).toEqual(fork);
    });

    it('generates an id for a fork when none is given', async () => {
      const store = await context.open();
      const { session: source } = await sessionWithMessages(store, 1);
      const fork = await store.fork(source.id);
      expect(fork.id).toMatch(/^session_[A-Za-z0-9]+$/);
      expect(fork.id).not.toBe(source.id);
    });

    it('leaves the source untouched, version included', async () => {
      const store = await context.open();
      const { session: source } = await sessionWithMessages(store, 3);
      const before = await snapshot(store, source.id);
      await store.fork(source.id, { id: uniqueId('fork') });
      await expectUnchanged(store, source.id, before);
    });

    it('forks from a middle message, keeping the messages up to it', async () => {
      const store = await context.open();
      const { session: source, messages } = await sessionWithMessages(store, 5);
      const fork = await store.fork(source.id, { id: uniqueId('fork'), fromMessage: at(messages, 1).id });
      expect(fork.forkedFrom).toEqual({ sessionId: source.id, messageId: at(messages, 1).id });
      expect(fork.messageCount).toBe(2);
      expect(await store.getMessages(fork.id)).toEqual(messages.slice(0, 2));
    });

    it('inherits userId, agentId, workspaceId, tags and metadata, merged with the fork metadata', async () => {
      const store = await context.open();
      const init = {
        userId: uniqueId('user'),
        agentId: uniqueId('agent'),
        workspaceId: uniqueId('workspace'),
        tags: [uniqueId('tag')],
        metadata: { kept: uniqueId('kept'), replaced: 'old' },
      };
      const { session: source } = await sessionWithMessages(store, 2, init);
      const fork = await store.fork(source.id, { id: uniqueId('fork'), metadata: { replaced: 'new', added: 7 } });
      expect(fork).toMatchObject({
        userId: init.userId,
        agentId: init.agentId,
        workspaceId: init.workspaceId,
        tags: init.tags,
        metadata: { kept: init.metadata.kept, replaced: 'new', added: 7 },
      });
      expect((await mustGet(store, source.id)).metadata).toEqual(init.metadata);
    });

    it('keeps appends to a fork and to its source apart', async () => {
      const store = await context.open();
      const { session: source, messages } = await sessionWithMessages(store, 2);
      const fork = await store.fork(source.id, { id: uniqueId('fork') });
      const onFork = await store.append(fork.id, userMessage('only on the fork'));
      const onSource = await store.append(source.id, userMessage('only on the source'));
      expect(await store.getMessages(fork.id)).toEqual([...messages, ...onFork]);
      expect(await store.getMessages(source.id)).toEqual([...messages, ...onSource]);
    });

    it('forks a fork of a fork, each level keeping its own path', async () => {
      const store = await context.open();
      const chain = await buildForkChain(store);
      const leaf = await mustGet(store, chain.leaf.id);
      expect(leaf.parentId).toBe(chain.middle.id);
      expect(leaf.forkedFrom).toEqual({ sessionId: chain.middle.id, messageId: at(chain.middle.messages, 1).id });
      expect(leaf.messageCount).toBe(chain.leaf.path.length);
      const fourth = await store.fork(chain.leaf.id, { id: uniqueId('fourth'), fromMessage: at(chain.leaf.path, 4).id });
      expect(await store.getMessages(fourth.id)).toEqual(chain.leaf.path.slice(0, 5));
      const extra = await store.append(fourth.id, conversation('fourth', 2));
      expect(await store.getMessages(fourth.id)).toEqual([...chain.leaf.path.slice(0, 5), ...extra]);
      expect(await store.getMessages(chain.leaf.id)).toEqual(chain.leaf.path);
      expect(await store.getMessages(chain.middle.id)).toEqual(chain.middle.path);
      expect(await store.getMessages(chain.root.id)).toEqual(chain.root.messages);
    });

    it('forks a rewound session from its new head', async () => {
      const store = await context.open();
      const { session: source, messages } = await sessionWithMessages(store, 4);
      await store.rewind(source.id, { toMessage: at(messages, 1).id });
      const fork = await store.fork(source.id, { id: uniqueId('fork') });
      expect(fork.forkedFrom).toEqual({ sessionId: source.id, messageId: at(messages, 1).id });
      expect(await store.getMessages(fork.id)).toEqual(messages.slice(0, 2));
    });

    it('keeps a fork readable after its source is deleted', async () => {
      const store = await context.open();
      const { session: source, messages } = await sessionWithMessages(store, 3);
      const fork = await store.fork(source.id, { id: uniqueId('fork'), fromMessage: at(messages, 1).id });
      const added = await store.append(fork.id, userMessage('after the fork'));
      expect(await store.delete(source.id)).toBe(true);
      const otherStore = await context.open();
      expect(await otherStore.getMessages(fork.id)).toEqual([...messages.slice(0, 2), ...added]);
      expect((await mustGet(otherStore, fork.id)).messageCount).toBe(3);
    });

    it('refuses to fork an empty session', async () => {
      const store = await context.open();
      const source = await store.create({ id: uniqueId('session') });
      const forkId = uniqueId('fork');
      await expect(store.fork(source.id, { id: forkId })).rejects.toSatisfy(InvalidArgumentError.isInstance);
      expect(await store.get(forkId)).toBeUndefined();
    });

    it('refuses to fork an unknown session', async () => {
      const store = await context.open();
      const forkId = uniqueId('fork');
      await expect(store.fork(uniqueId('missing'), { id: forkId })).rejects.toSatisfy(SessionNotFoundError.isInstance);
      expect(await store.get(forkId)).toBeUndefined();
    });

    it('refuses a fork id that already exists and changes neither session', async () => {
      const store = await context.open();
      const { session: source } = await sessionWithMessages(store, 2);
      const { session: existing } = await sessionWithMessages(store, 1);
      const beforeSource = await snapshot(store, source.id);
      const beforeExisting = await snapshot(store, existing.id);
      await expect(store.fork(source.id, { id: existing.id })).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expectUnchanged(store, source.id, beforeSource);
      await expectUnchanged(store, existing.id, beforeExisting);
    });

    it('refuses an unknown fromMessage and creates nothing', async () => {
      const store = await context.open();
      const { session: source } = await sessionWithMessages(store, 2);
      const before = await snapshot(store, source.id);
      const forkId = uniqueId('fork');
      await expect(store.fork(source.id, { id: forkId, fromMessage: uniqueId('msg') })).rejects.toSatisfy(
        MessageNotFoundError.isInstance,
      );
      expect(await store.get(forkId)).toBeUndefined();
      await expectUnchanged(store, source.id, before);
    });

    it('refuses a fromMessage of another session and creates nothing', async () => {
      const store = await context.open();
      const { session: source } = await sessionWithMessages(store, 2);
      const { messages: otherMessages } = await sessionWithMessages(store, 2);
      const before = await snapshot(store, source.id);
      const forkId = uniqueId('fork');
      await expect(store.fork(source.id, { id: forkId, fromMessage: at(otherMessages, 0).id })).rejects.toSatisfy(
        MessageNotFoundError.isInstance,
      );
      expect(await store.get(forkId)).toBeUndefined();
      await expectUnchanged(store, source.id, before);
    });

    it('refuses a fromMessage that a rewind took off the path', async () => {
      const store = await context.open();
      const { session: source, messages } = await sessionWithMessages(store, 4);
      await store.rewind(source.id, { toMessage: at(messages, 0).id });
      const forkId = uniqueId('fork');
      await expect(store.fork(source.id, { id: forkId, fromMessage: at(messages, 2).id })).rejects.toSatisfy(
        MessageNotFoundError.isInstance,
      );
      expect(await store.get(forkId)).toBeUndefined();
    });

    it('forks a fork from a message it inherited from its source', async () => {
      const store = await context.open();
      const { session: source, messages } = await sessionWithMessages(store, 3);
      const fork = await store.fork(source.id, { id: uniqueId('fork') });
      await store.append(fork.id, userMessage('on the fork'));
      const forkOfFork = await store.fork(fork.id, { id: uniqueId('fork'), fromMessage: at(messages, 0).id });
      expect(forkOfFork.forkedFrom).toEqual({ sessionId: fork.id, messageId: at(messages, 0).id });
      expect(idsOf(await store.getMessages(forkOfFork.id))).toEqual([at(messages, 0).id]);
    });
  });
}
