/**
 * prune(): deletes sessions not updated since a time, and only the messages no remaining session
 * reaches. prune acts on the whole store, so these tests work in the past (see pastClock) and
 * assert on their own sessions by get, and on counts only as lower bounds.
 */
import { describe, expect, it } from 'vitest';
import { pastClock } from './clock.js';
import type { SuiteContext } from './context.js';
import { at, conversation, mustGet, sessionWithMessages, uniqueId, userMessage } from './helpers.js';

export function registerPruneTests(context: SuiteContext): void {
  describe('prune', () => {
    async function openPastStore() {
      const clock = pastClock();
      const store = await context.open({ clock: clock.now });
      return { clock, store };
    }

    it('deletes the sessions not updated since olderThan and keeps the others', async () => {
      const { clock, store } = await openPastStore();
      const old = await sessionWithMessages(store, 3);
      clock.advance(10_000);
      const cutoff = clock.now();
      const recent = await sessionWithMessages(store, 2);
      const result = await store.prune({ olderThan: cutoff });
      expect(result.sessions).toBeGreaterThanOrEqual(1);
      expect(result.messages).toBeGreaterThanOrEqual(3);
      expect(result.blobs).toBeGreaterThanOrEqual(0);
      expect(await store.get(old.session.id)).toBeUndefined();
      expect(await store.get(recent.session.id)).toEqual(recent.session);
      expect(await store.getMessages(recent.session.id)).toEqual(recent.messages);
    });

    it('keeps a session updated after olderThan even when it was created before', async () => {
      const { clock, store } = await openPastStore();
      const { session } = await sessionWithMessages(store, 2);
      clock.advance(10_000);
      const cutoff = clock.now();
      clock.advance(1);
      await store.append(session.id, userMessage('still in use'));
      await store.prune({ olderThan: cutoff });
      expect((await mustGet(store, session.id)).messageCount).toBe(3);
      expect(await store.getMessages(session.id)).toHaveLength(3);
    });

    it('keeps the whole history of a live fork of a pruned session', async () => {
      const { clock, store } = await openPastStore();
      const { session: source, messages } = await sessionWithMessages(store, 5);
      const fork = await store.fork(source.id, { id: uniqueId('fork'), fromMessage: at(messages, 2).id });
      clock.advance(10_000);
      const cutoff = clock.now();
      const added = await store.append(fork.id, conversation('fork', 2));
      const result = await store.prune({ olderThan: cutoff });
      expect(result.sessions).toBeGreaterThanOrEqual(1);
      // Only the two messages past the fork point are unreachable.
      expect(result.messages).toBeGreaterThanOrEqual(2);
      expect(await store.get(source.id)).toBeUndefined();
      const otherStore = await context.open();
      expect(await otherStore.getMessages(fork.id)).toEqual([...messages.slice(0, 3), ...added]);
      expect(await otherStore.getMessages(fork.id, { after: at(messages, 0).id, limit: 2 })).toEqual(messages.slice(1, 3));
      const newFork = await otherStore.fork(fork.id, { id: uniqueId('fork'), fromMessage: at(messages, 1).id });
      expect(await otherStore.getMessages(newFork.id)).toEqual(messages.slice(0, 2));
    });

    it('keeps the history of a fork of a fork when the middle session is pruned', async () => {
      const { clock, store } = await openPastStore();
      const { session: root, messages: rootMessages } = await sessionWithMessages(store, 3);
      const middle = await store.fork(root.id, { id: uniqueId('middle') });
      const middleMessages = await store.append(middle.id, conversation('middle', 2));
      const leaf = await store.fork(middle.id, { id: uniqueId('leaf') });
      clock.advance(10_000);
      const cutoff = clock.now();
      await store.updateMetadata(root.id, { kept: true });
      const leafMessages = await store.append(leaf.id, userMessage('leaf'));
      await store.prune({ olderThan: cutoff });
      expect(await store.get(middle.id)).toBeUndefined();
      expect(await store.getMessages(root.id)).toEqual(rootMessages);
      expect(await store.getMessages(leaf.id)).toEqual([...rootMessages, ...middleMessages, ...leafMessages]);
    });

    it('prunes a source and its forks together when none was updated since', async () => {
      const { clock, store } = await openPastStore();
      const { session: source } = await sessionWithMessages(store, 3);
      const fork = await store.fork(source.id, { id: uniqueId('fork') });
      await store.append(fork.id, userMessage('also old'));
      clock.advance(10_000);
      const result = await store.prune({ olderThan: clock.now() });
      expect(result.sessions).toBeGreaterThanOrEqual(2);
      expect(result.messages).toBeGreaterThanOrEqual(4);
      expect(await store.get(source.id)).toBeUndefined();
      expect(await store.get(fork.id)).toBeUndefined();
    });

    it('deletes nothing of a test\'s sessions when olderThan is before all of them', async () => {
      const { clock, store } = await openPastStore();
      const before = clock.now() - 1;
      const { session, messages } = await sessionWithMessages(store, 2);
      await store.prune({ olderThan: before });
      expect(await store.get(session.id)).toEqual(session);
      expect(await store.getMessages(session.id)).toEqual(messages);
    });
  });
}
