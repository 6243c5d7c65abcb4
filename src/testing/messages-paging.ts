/** getMessages(): the path across fork points, paged by after/before/limit/last in both orders. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, MessageNotFoundError, SessionNotFoundError } from '../index.js';
import type { SessionStore, StoredMessage } from '../index.js';
import type { SuiteContext } from './context.js';
import { buildForkChain } from './fork-chain.js';
import { at, idsOf, uniqueId } from './helpers.js';

/** Pages forward with `after` + `limit` until a short page; returns every page. */
async function pagesForward(store: SessionStore, id: string, limit: number): Promise<StoredMessage[][]> {
  const pages: StoredMessage[][] = [];
  let after: string | undefined;
  for (let guard = 0; guard < 100; guard += 1) {
    const page = await store.getMessages(id, after === undefined ? { limit } : { limit, after });
    pages.push(page);
    if (page.length < limit) return pages;
    after = at(page, page.length - 1).id;
  }
  throw new Error('paging did not end');
}

export function registerMessagesPagingTests(context: SuiteContext): void {
  describe('getMessages paging', () => {
    it('returns the whole path oldest first across two fork points', async () => {
      const store = await context.open();
      const chain = await buildForkChain(store);
      expect(await store.getMessages(chain.leaf.id)).toEqual(chain.leaf.path);
      expect(await store.getMessages(chain.middle.id)).toEqual(chain.middle.path);
      expect(await store.getMessages(chain.root.id)).toEqual(chain.root.messages);
    });

    it('returns the path newest first with order desc', async () => {
      const store = await context.open();
      const chain = await buildForkChain(store);
      expect(await store.getMessages(chain.leaf.id, { order: 'desc' })).toEqual([...chain.leaf.path].reverse());
    });

    for (const limit of [1, 2, 3, 5]) {
      it(`pages forward with after and limit ${limit}: the pages concatenated equal the path`, async () => {
        const store = await context.open();
        const chain = await buildForkChain(store);
        const pages = await pagesForward(store, chain.leaf.id, limit);
        for (const page of pages) expect(page.length).toBeLessThanOrEqual(limit);
        expect(pages.flat()).toEqual(chain.leaf.path);
      });
    }

    it('pages backward with order desc, before and limit: the pages concatenated equal the reversed path', async () => {
      const store = await context.open();
      const chain = await buildForkChain(store);
      const collected: StoredMessage[] = [];
      let before: string | undefined;
      for (let guard = 0; guard < 100; guard += 1) {
        const page = await store.getMessages(chain.leaf.id, before === undefined ? { order: 'desc', limit: 3 } : { order: 'desc', limit: 3, before });
        collected.push(...page);
        if (page.length < 3) break;
        before = at(page, page.length - 1).id;
      }
      expect(collected).toEqual([...chain.leaf.path].reverse());
    });

    it('pages backward with last and before: the pages concatenated equal the path', async () => {
      const store = await context.open();
      const chain = await buildForkChain(store);
      const pages: StoredMessage[][] = [];
      let before: string | undefined;
      for (let guard = 0; guard < 100; guard += 1) {
        const page = await store.getMessages(chain.leaf.id, before === undefined ? { last: 3 } : { last: 3, before });
        if (page.length === 0) break;
        pages.unshift(page);
        before = at(page, 0).id;
      }
      expect(pages.map((page) => page.length)).toEqual([2, 3, 3]);
      expect(pages.flat()).toEqual(chain.leaf.path);
    });

    it('excludes the after and before messages themselves', async () => {
      const store = await context.open();
      const chain = await buildForkChain(store);
      const path = chain.leaf.path;
      expect(await store.getMessages(chain.leaf.id, { after: at(path, 1).id })).toEqual(path.slice(2));
      expect(await store.getMessages(chain.leaf.id, { before: at(path, 5).id })).toEqual(path.slice(0, 5));
      expect(await store.getMessages(chain.leaf.id, { after: at(path, 1).id, before: at(path, 6).id })).toEqual(path.slice(2, 6));
    });

    it('combines after, before and limit in descending order', async () => {
      const store = await context.open();
      const chain = await buildForkChain(store);
      const path = chain.leaf.path;
      const page = await store.getMessages(chain.leaf.id, { after: at(path, 0).id, before: at(path, 7).id, order: 'desc', limit: 4 });
      expect(page).toEqual(path.slice(1, 7).reverse().slice(0, 4));
    });

    it('returns the newest N messages oldest first with last', async () => {
      const store = await context.open();
      const chain = await buildForkChain(store);
      expect(await store.getMessages(chain.leaf.id, { last: 4 })).toEqual(chain.leaf.path.slice(-4));
    });

    it('returns the newest N messages newest first with last and order desc', async () => {
      const store = await context.open();
      const chain = await buildForkChain(store);
      expect(await store.getMessages(chain.leaf.id, { last: 6, order: 'desc' })).toEqual(chain.leaf.path.slice(-6).reverse());
    });

    it('takes last from within the after/before range', async () => {
      const store = await context.open();
      const chain = await buildForkChain(store);
      const path = chain.leaf.path;
      expect(await store.getMessages(chain.leaf.id, { after: at(path, 0).id, before: at(path, 6).id, last: 3 })).toEqual(path.slice(3, 6));
    });

    it('returns the whole path when last or limit exceed its length', async () => {
      const store = await context.open();
      const chain = await buildForkChain(store);
      expect(await store.getMessages(chain.leaf.id, { last: 100 })).toEqual(chain.leaf.path);
      expect(await store.getMessages(chain.leaf.id, { limit: 100 })).toEqual(chain.leaf.path);
    });

    it('returns an empty list for a session without messages', async () => {
      const store = await context.open();
      const session = await store.create({ id: uniqueId('session') });
      expect(await store.getMessages(session.id)).toEqual([]);
      expect(await store.getMessages(session.id, { last: 5 })).toEqual([]);
    });

    it('leaves the source path unchanged by messages appended to its forks', async () => {
      const store = await context.open();
      const chain = await buildForkChain(store);
      expect(idsOf(await store.getMessages(chain.root.id))).toEqual(idsOf(chain.root.messages));
      expect(idsOf(await store.getMessages(chain.middle.id))).toEqual(idsOf(chain.middle.path));
    });

    it('refuses an unknown after or before message id', async () => {
      const store = await context.open();
      const chain = await buildForkChain(store);
      await expect(store.getMessages(chain.leaf.id, { after: uniqueId('msg') })).rejects.toSatisfy(MessageNotFoundError.isInstance);
      await expect(store.getMessages(chain.leaf.id, { before: uniqueId('msg') })).rejects.toSatisfy(MessageNotFoundError.isInstance);
    });

    it('refuses a message id that is not on the session path', async () => {
      const store = await context.open();
      const chain = await buildForkChain(store);
      // r4 is after the middle fork point, m3 after the leaf fork point, l1 only on the leaf.
      const offPath = [at(chain.root.messages, 3).id, at(chain.middle.messages, 2).id];
      for (const messageId of offPath) {
        await expect(store.getMessages(chain.leaf.id, { after: messageId })).rejects.toSatisfy(MessageNotFoundError.isInstance);
        await expect(store.getMessages(chain.leaf.id, { before: messageId })).rejects.toSatisfy(MessageNotFoundError.isInstance);
      }
      await expect(store.getMessages(chain.root.id, { after: at(chain.leaf.messages, 0).id })).rejects.toSatisfy(
        MessageNotFoundError.isInstance,
      );
    });

    it('refuses last together with limit', async () => {
      const store = await context.open();
      const chain = await buildForkChain(store);
      await expect(store.getMessages(chain.leaf.id, { last: 2, limit: 2 })).rejects.toSatisfy(InvalidArgumentError.isInstance);
    });

    it('refuses to read the messages of an unknown session', async () => {
      const store = await context.open();
      await expect(store.getMessages(uniqueId('missing'))).rejects.toSatisfy(SessionNotFoundError.isInstance);
    });
  });
}
