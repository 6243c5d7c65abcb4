/** getMessage(): one message by id, on the path, behind a compaction or rewound off it, with where it lives. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, MessageNotFoundError, SessionNotFoundError } from '../index.js';
import type { SuiteContext } from './context.js';
import { at, rejectionOf, sessionWithMessages, uniqueId, userMessage } from './helpers.js';

export function registerGetMessageTests(context: SuiteContext): void {
  describe('getMessage', () => {
    it('reads a message on the path as it was written, placed on the path at its position', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 3);
      const found = await store.getMessage(session.id, at(messages, 1).id);
      expect(found).toEqual({ message: at(messages, 1), location: { placement: 'path', position: 2, writtenBy: session.id } });
    });

    it('reads a message a rewind took off the path as rewound, and the path keeps its own', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 4);
      await store.rewind(session.id, { toMessage: at(messages, 1).id });
      const [afterRewind] = await store.append(session.id, userMessage('a new turn'));
      const rewound = await store.getMessage(session.id, at(messages, 3).id);
      expect(rewound).toEqual({ message: at(messages, 3), location: { placement: 'rewound', position: 4, writtenBy: session.id } });
      expect((await store.getMessage(session.id, afterRewind!.id)).location).toEqual({ placement: 'path', position: 3, writtenBy: session.id });
    });

    it('reads a message behind a compaction as compacted, naming the compaction that stands for it', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 4);
      const result = await store.compact(session.id, { summary: 'They talked.', keep: { lastMessages: 1 } });
      const found = await store.getMessage(session.id, at(messages, 0).id);
      expect(found.message).toEqual(at(messages, 0));
      expect(found.location).toEqual({ placement: 'compacted', position: 1, writtenBy: session.id, compactedBy: result.compaction!.messageId });
      expect((await store.getMessage(session.id, result.compaction!.messageId)).location.placement).toBe('path');
    });

    it('reads history a fork shares as written by its source, and refuses the source\'s messages after the fork point', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 4);
      const fork = await store.fork(session.id, { id: uniqueId('fork'), fromMessage: at(messages, 1).id });
      expect((await store.getMessage(fork.id, at(messages, 0).id)).location).toEqual({ placement: 'path', position: 1, writtenBy: session.id });
      const error = await rejectionOf(store.getMessage(fork.id, at(messages, 2).id));
      expect(MessageNotFoundError.isInstance(error)).toBe(true);
    });

    it('reads shared history a fork rewound away from as rewound', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 4);
      const fork = await store.fork(session.id, { id: uniqueId('fork'), fromMessage: at(messages, 2).id });
      await store.rewind(fork.id, { toMessage: at(messages, 0).id });
      expect((await store.getMessage(fork.id, at(messages, 2).id)).location).toEqual({ placement: 'rewound', position: 3, writtenBy: session.id });
      await expect(store.getMessage(fork.id, at(messages, 3).id)).rejects.toSatisfy(MessageNotFoundError.isInstance);
    });

    it('refuses another session\'s message, an unknown id and an invalid id with typed errors', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 2);
      const other = await sessionWithMessages(store, 2);
      await expect(store.getMessage(session.id, at(other.messages, 0).id)).rejects.toSatisfy(MessageNotFoundError.isInstance);
      await expect(store.getMessage(session.id, uniqueId('msg'))).rejects.toSatisfy(MessageNotFoundError.isInstance);
      await expect(store.getMessage(session.id, '../etc')).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expect(store.getMessage(uniqueId('missing'), at(other.messages, 0).id)).rejects.toSatisfy(SessionNotFoundError.isInstance);
    });

    it('reads another user\'s message as not found in a scoped store, rewound ones included', async () => {
      const root = await context.open();
      const { session, messages } = await sessionWithMessages(root, 3, { userId: uniqueId('user') });
      await root.rewind(session.id, { toMessage: at(messages, 0).id });
      const view = root.withScope({ userId: uniqueId('user') });
      await expect(view.getMessage(session.id, at(messages, 2).id)).rejects.toSatisfy(SessionNotFoundError.isInstance);
      await expect(view.getMessage(session.id, at(messages, 0).id)).rejects.toSatisfy(SessionNotFoundError.isInstance);
    });
  });
}
