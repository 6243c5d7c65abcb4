/** Out-of-range or malformed options are refused with InvalidArgumentError, and nothing changes. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../index.js';
import type { SuiteContext } from './context.js';
import { expectUnchanged, sessionWithMessages, snapshot, uniqueId, userMessage } from './helpers.js';

export function registerOptionValidationTests(context: SuiteContext): void {
  describe('option validation', () => {
    it('refuses a negative or non-integer limit or last in getMessages', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 3);
      for (const value of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expect(store.getMessages(session.id, { limit: value })).rejects.toSatisfy(InvalidArgumentError.isInstance);
        await expect(store.getMessages(session.id, { last: value })).rejects.toSatisfy(InvalidArgumentError.isInstance);
      }
    });

    it('refuses an unknown order in getMessages', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 1);
      await expect(store.getMessages(session.id, { order: 'sideways' } as never)).rejects.toSatisfy(InvalidArgumentError.isInstance);
    });

    it('refuses a negative or non-integer limit in list', async () => {
      const store = await context.open();
      const userId = uniqueId('user');
      await store.create({ userId });
      for (const limit of [-1, 1.5, Number.NaN]) {
        await expect(store.list({ userId, limit })).rejects.toSatisfy(InvalidArgumentError.isInstance);
      }
    });

    it('refuses an unknown state, orderBy or order in list', async () => {
      const store = await context.open();
      await expect(store.list({ state: 'sleeping' } as never)).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expect(store.list({ orderBy: 'name' } as never)).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expect(store.list({ order: 'random' } as never)).rejects.toSatisfy(InvalidArgumentError.isInstance);
    });

    it('refuses a negative or non-integer ttlMs in create and update, changing nothing', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 1);
      const before = await snapshot(store, session.id);
      for (const ttlMs of [-1, 1.5, Number.NaN]) {
        const id = uniqueId('session');
        await expect(store.create({ id, ttlMs })).rejects.toSatisfy(InvalidArgumentError.isInstance);
        expect(await store.get(id)).toBeUndefined();
        await expect(store.update(session.id, { ttlMs })).rejects.toSatisfy(InvalidArgumentError.isInstance);
      }
      await expectUnchanged(store, session.id, before);
    });

    it('refuses a negative or non-integer expectedVersion, changing nothing', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 1);
      const before = await snapshot(store, session.id);
      for (const expectedVersion of [-1, 1.5]) {
        await expect(store.append(session.id, userMessage('x'), { expectedVersion })).rejects.toSatisfy(InvalidArgumentError.isInstance);
      }
      await expectUnchanged(store, session.id, before);
    });

    it('refuses rewind without a toMessage, changing nothing', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 2);
      const before = await snapshot(store, session.id);
      await expect(store.rewind(session.id, {} as never)).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expectUnchanged(store, session.id, before);
    });

    it('refuses prune without a valid olderThan, deleting nothing', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 2);
      const before = await snapshot(store, session.id);
      for (const options of [{}, { olderThan: Number.NaN }, { olderThan: -1 }, { olderThan: 'yesterday' }]) {
        await expect(store.prune(options as never)).rejects.toSatisfy(InvalidArgumentError.isInstance);
      }
      await expectUnchanged(store, session.id, before);
    });

    it('refuses resolve without a valid userId', async () => {
      const store = await context.open();
      await expect(store.resolve({} as never)).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expect(store.resolve({ userId: '../x' })).rejects.toSatisfy(InvalidArgumentError.isInstance);
    });

    it('refuses an empty surface id, changing nothing', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 1);
      const before = await snapshot(store, session.id);
      await expect(store.attachSurface(session.id, '')).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expectUnchanged(store, session.id, before);
    });
  });
}
