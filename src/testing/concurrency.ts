/** Concurrent writers: stale versions conflict and change nothing, concurrent appends are serialized and none is lost. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, SessionConflictError } from '../index.js';
import type { SuiteContext } from './context.js';
import { at, expectUnchanged, idsOf, mustGet, rejectionOf, sessionWithMessages, snapshot, uniqueId, userMessage } from './helpers.js';

export function registerConcurrencyTests(context: SuiteContext): void {
  describe('concurrency', () => {
    it('a stale expectedVersion on append fails with SessionConflictError carrying both versions and changes nothing', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 2);
      const stale = session.version;
      await store.append(session.id, userMessage('someone else'));
      const before = await snapshot(store, session.id);
      const error = await rejectionOf(store.append(session.id, userMessage('mine'), { expectedVersion: stale }));
      expect(SessionConflictError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: 'SESSION_CONFLICT', expectedVersion: stale, actualVersion: stale + 1 });
      await expectUnchanged(store, session.id, before);
    });

    it('a stale expectedVersion on update fails with SessionConflictError and changes nothing', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 1, { metadata: { owner: 'first' } });
      await store.updateMetadata(session.id, { owner: 'second' });
      const before = await snapshot(store, session.id);
      const error = await rejectionOf(store.update(session.id, { metadata: { owner: 'third' } }, { expectedVersion: session.version }));
      expect(error).toMatchObject({ code: 'SESSION_CONFLICT', expectedVersion: session.version, actualVersion: session.version + 1 });
      await expectUnchanged(store, session.id, before);
    });

    it('keeps all of 50 concurrent appends from two store objects, each exactly once', async () => {
      const first = await context.open();
      const second = await context.open();
      const created = await first.create({ id: uniqueId('session') });
      const texts = Array.from({ length: 50 }, (_, index) => `concurrent ${index}`);
      const results = await Promise.all(
        texts.map((text, index) => (index % 2 === 0 ? first : second).append(created.id, userMessage(text))),
      );
      const returnedIds = results.flatMap((stored) => idsOf(stored));
      const messages = await first.getMessages(created.id);
      expect(messages).toHaveLength(50);
      expect(messages.map((message) => message.content).sort()).toEqual([...texts].sort());
      expect([...idsOf(messages)].sort()).toEqual([...returnedIds].sort());
      const session = await mustGet(second, created.id);
      expect(session.messageCount).toBe(50);
      expect(session.version).toBe(created.version + 50);
    });

    it('lets exactly one of several appends with the same expectedVersion win', async () => {
      const first = await context.open();
      const second = await context.open();
      const { session } = await sessionWithMessages(first, 1);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 6 }, (_, index) =>
          (index % 2 === 0 ? first : second).append(session.id, userMessage(`contender ${index}`), { expectedVersion: session.version }),
        ),
      );
      const winners = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
      const losers = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(5);
      for (const loser of losers) expect(SessionConflictError.isInstance(loser)).toBe(true);
      const after = await mustGet(first, session.id);
      expect(after).toMatchObject({ messageCount: 2, version: session.version + 1 });
      expect(await first.getMessages(session.id, { last: 1 })).toEqual(at(winners, 0));
    });

    it('appends a message once when the same operationId is sent concurrently', async () => {
      const first = await context.open();
      const second = await context.open();
      const { session } = await sessionWithMessages(first, 1);
      const operationId = uniqueId('operation');
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, index) => (index % 2 === 0 ? first : second).append(session.id, userMessage('once only'), { operationId })),
      );
      for (const result of results) expect(result).toEqual(at(results, 0));
      const after = await mustGet(first, session.id);
      expect(after).toMatchObject({ messageCount: 2, version: session.version + 1 });
    });

    it('lets exactly one of several concurrent creates of the same id succeed', async () => {
      const first = await context.open();
      const second = await context.open();
      const id = uniqueId('session');
      const outcomes = await Promise.allSettled(
        Array.from({ length: 6 }, (_, index) => (index % 2 === 0 ? first : second).create({ id, metadata: { creator: index } })),
      );
      const winners = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
      const losers = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
      expect(winners).toHaveLength(1);
      for (const loser of losers) expect(InvalidArgumentError.isInstance(loser)).toBe(true);
      expect(await first.get(id)).toEqual(at(winners, 0));
    });

    it('forks one session concurrently many times, leaving the source unchanged', async () => {
      const first = await context.open();
      const second = await context.open();
      const { session, messages } = await sessionWithMessages(first, 3);
      const before = await snapshot(first, session.id);
      const forks = await Promise.all(
        Array.from({ length: 10 }, (_, index) => (index % 2 === 0 ? first : second).fork(session.id)),
      );
      expect(new Set(idsOf(forks)).size).toBe(10);
      for (const fork of forks) expect(await first.getMessages(fork.id)).toEqual(messages);
      await expectUnchanged(first, session.id, before);
    });

    it('keeps concurrent appends to a source and its fork apart', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 2);
      const fork = await store.fork(session.id, { id: uniqueId('fork') });
      await Promise.all(
        Array.from({ length: 20 }, (_, index) => store.append(index % 2 === 0 ? session.id : fork.id, userMessage(`${index}`))),
      );
      const sourceMessages = await store.getMessages(session.id);
      const forkMessages = await store.getMessages(fork.id);
      expect(sourceMessages.slice(0, 2)).toEqual(messages);
      expect(forkMessages.slice(0, 2)).toEqual(messages);
      expect(sourceMessages.slice(2).map((message) => Number(message.content) % 2)).toEqual(Array(10).fill(0));
      expect(forkMessages.slice(2).map((message) => Number(message.content) % 2)).toEqual(Array(10).fill(1));
    });
  });
}
