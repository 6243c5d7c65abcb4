/** append() and appendMessage(): ids, versions, caller-chosen ids, idempotent retries. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, SessionNotFoundError } from '../index.js';
import { ManualClock } from './clock.js';
import type { SuiteContext } from './context.js';
import {
  assistantMessage,
  at,
  conversation,
  expectUnchanged,
  idsOf,
  mustGet,
  sessionWithMessages,
  snapshot,
  uniqueId,
  userMessage,
  withoutIdentity,
} from './helpers.js';

export function registerAppendTests(context: SuiteContext): void {
  describe('append', () => {
    it('appends one message with a generated msg_ id and bumps the version and count by one', async () => {
      const clock = new ManualClock();
      const store = await context.open({ clock: clock.now });
      const created = await store.create({ id: uniqueId('session') });
      clock.advance(1_000);
      const stored = await store.append(created.id, userMessage('hello'));
      expect(stored).toHaveLength(1);
      expect(at(stored, 0).id).toMatch(/^msg_[A-Za-z0-9]+$/);
      expect(at(stored, 0).createdAt).toBe(clock.now());
      expect(withoutIdentity(at(stored, 0))).toEqual(userMessage('hello'));
      const session = await mustGet(store, created.id);
      expect(session.version).toBe(created.version + 1);
      expect(session.messageCount).toBe(1);
      expect(session.updatedAt).toBe(clock.now());
      expect(session.lastActiveAt).toBe(clock.now());
    });

    it('appends an array of messages in order with a single version bump', async () => {
      const store = await context.open();
      const created = await store.create({ id: uniqueId('session') });
      const messages = conversation('batch', 4);
      const stored = await store.append(created.id, messages);
      expect(stored.map(withoutIdentity)).toEqual(messages);
      const session = await mustGet(store, created.id);
      expect(session.version).toBe(created.version + 1);
      expect(session.messageCount).toBe(4);
    });

    it('appendMessage is an alias of append', async () => {
      const store = await context.open();
      const created = await store.create({ id: uniqueId('session') });
      const stored = await store.appendMessage(created.id, [userMessage('one'), assistantMessage('two')]);
      expect(stored.map(withoutIdentity)).toEqual([userMessage('one'), assistantMessage('two')]);
      const session = await mustGet(store, created.id);
      expect(session.version).toBe(created.version + 1);
      expect(await store.getMessages(created.id)).toEqual(stored);
    });

    it('returns the messages exactly as they are read back', async () => {
      const store = await context.open();
      const created = await store.create({ id: uniqueId('session') });
      const first = await store.append(created.id, conversation('first', 2));
      const second = await store.append(created.id, userMessage('third'));
      expect(await store.getMessages(created.id)).toEqual([...first, ...second]);
      const otherStore = await context.open();
      expect(await otherStore.getMessages(created.id)).toEqual([...first, ...second]);
    });

    it('generates message ids that sort in the order the messages were appended', async () => {
      const store = await context.open();
      const created = await store.create({ id: uniqueId('session') });
      const ids: string[] = [];
      for (let round = 0; round < 5; round += 1) {
        ids.push(...idsOf(await store.append(created.id, conversation(`round ${round}`, 3))));
      }
      expect(new Set(ids).size).toBe(15);
      expect([...ids].sort()).toEqual(ids);
    });

    it('keeps a caller-chosen message id', async () => {
      const store = await context.open();
      const created = await store.create({ id: uniqueId('session') });
      const id = uniqueId('message');
      const stored = await store.append(created.id, { ...userMessage('chosen'), id });
      expect(at(stored, 0).id).toBe(id);
      expect(idsOf(await store.getMessages(created.id))).toEqual([id]);
    });

    it('keeps a caller-chosen message time, metadata and the run id', async () => {
      const store = await context.open();
      const created = await store.create({ id: uniqueId('session') });
      const runId = uniqueId('run');
      const metadata = { source: uniqueId('source'), score: 0.5, flagged: false, extra: null };
      const stored = await store.append(created.id, { ...userMessage('with metadata'), createdAt: 1_234_567, metadata }, { runId });
      expect(at(stored, 0)).toMatchObject({ createdAt: 1_234_567, metadata, runId });
      expect(at(await store.getMessages(created.id), 0)).toMatchObject({ createdAt: 1_234_567, metadata, runId });
    });

    it('refuses a message id already used in the session and changes nothing', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 2);
      const before = await snapshot(store, session.id);
      await expect(
        store.append(session.id, { ...userMessage('again'), id: at(messages, 0).id }),
      ).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expectUnchanged(store, session.id, before);
    });

    it('refuses the same message id twice in one call and changes nothing', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 1);
      const before = await snapshot(store, session.id);
      const id = uniqueId('message');
      await expect(
        store.append(session.id, [{ ...userMessage('one'), id }, { ...assistantMessage('two'), id }]),
      ).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expectUnchanged(store, session.id, before);
    });

    it('refuses a message id used by another session and changes neither', async () => {
      const store = await context.open();
      const first = await sessionWithMessages(store, 1);
      const second = await sessionWithMessages(store, 1);
      const beforeFirst = await snapshot(store, first.session.id);
      const beforeSecond = await snapshot(store, second.session.id);
      await expect(
        store.append(second.session.id, { ...userMessage('stolen id'), id: at(first.messages, 0).id }),
      ).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expectUnchanged(store, first.session.id, beforeFirst);
      await expectUnchanged(store, second.session.id, beforeSecond);
    });

    it('returns the first call\'s messages for a retried operationId and appends nothing', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 1);
      const operationId = uniqueId('operation');
      const first = await store.append(session.id, conversation('operation', 2), { operationId });
      const afterFirst = await snapshot(store, session.id);
      const retried = await store.append(session.id, conversation('operation', 2), { operationId });
      expect(retried).toEqual(first);
      await expectUnchanged(store, session.id, afterFirst);
      expect(afterFirst.session?.messageCount).toBe(3);
    });

    it('recognises a retried operationId through another store object', async () => {
      const store = await context.open();
      const otherStore = await context.open();
      const { session } = await sessionWithMessages(store, 1);
      const operationId = uniqueId('operation');
      const first = await store.append(session.id, userMessage('once'), { operationId });
      const afterFirst = await snapshot(store, session.id);
      expect(await otherStore.append(session.id, userMessage('once'), { operationId })).toEqual(first);
      await expectUnchanged(store, session.id, afterFirst);
    });

    it('keeps operationIds per session: the same one appends to each of two sessions', async () => {
      const store = await context.open();
      const first = await store.create({ id: uniqueId('session') });
      const second = await store.create({ id: uniqueId('session') });
      const operationId = uniqueId('operation');
      await store.append(first.id, userMessage('first'), { operationId });
      await store.append(second.id, userMessage('second'), { operationId });
      expect((await store.getMessages(first.id)).map(withoutIdentity)).toEqual([userMessage('first')]);
      expect((await store.getMessages(second.id)).map(withoutIdentity)).toEqual([userMessage('second')]);
    });

    it('appends when expectedVersion matches the current version', async () => {
      const store = await context.open();
      const created = await store.create({ id: uniqueId('session') });
      await store.append(created.id, userMessage('one'), { expectedVersion: created.version });
      await store.append(created.id, userMessage('two'), { expectedVersion: created.version + 1 });
      const session = await mustGet(store, created.id);
      expect(session.version).toBe(created.version + 2);
      expect(session.messageCount).toBe(2);
    });

    it('refuses to append to an unknown session', async () => {
      const store = await context.open();
      const id = uniqueId('missing');
      await expect(store.append(id, userMessage('lost'))).rejects.toSatisfy(SessionNotFoundError.isInstance);
      expect(await store.get(id)).toBeUndefined();
    });

    it('refuses to append to a deleted session', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 1);
      expect(await store.delete(session.id)).toBe(true);
      await expect(store.append(session.id, userMessage('late'))).rejects.toSatisfy(SessionNotFoundError.isInstance);
      expect(await store.get(session.id)).toBeUndefined();
    });
  });
}
