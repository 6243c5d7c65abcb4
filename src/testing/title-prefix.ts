/** `list({ titlePrefix })`: sessions whose title starts with a text, the text taken only as text. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, type SessionStore } from '../index.js';
import type { SuiteContext } from './context.js';
import { uniqueId, userMessage } from './helpers.js';

async function titlesListed(store: SessionStore, userId: string, titlePrefix: string): Promise<string[]> {
  const { sessions } = await store.list({ userId, titlePrefix });
  // Sorted: sessions created in the same millisecond are ordered by their random ids.
  return sessions.map((session) => session.title ?? '(untitled)').sort();
}

async function createTitled(store: SessionStore, userId: string, titles: readonly string[]): Promise<void> {
  for (const title of titles) await store.create({ id: uniqueId('session'), userId, title });
}

export function registerTitlePrefixTests(context: SuiteContext): void {
  describe('title prefix', () => {
    it('lists the sessions whose title starts with the prefix, case and spaces as written', async () => {
      const store = await context.open();
      const userId = uniqueId('user');
      await createTitled(store, userId, ['Trip to Lisbon', 'Trip to Porto', 'Tripod review', 'trip in lower case', 'Budget']);
      await store.create({ id: uniqueId('session'), userId });
      expect(await titlesListed(store, userId, 'Trip to')).toEqual(['Trip to Lisbon', 'Trip to Porto']);
      expect(await titlesListed(store, userId, 'Trip')).toEqual(['Trip to Lisbon', 'Trip to Porto', 'Tripod review']);
      expect(await titlesListed(store, userId, 'Trip ')).toEqual(['Trip to Lisbon', 'Trip to Porto']);
      expect(await titlesListed(store, userId, 'Trip to Lisbon')).toEqual(['Trip to Lisbon']);
      expect(await titlesListed(store, userId, 'Trip to Lisbon!')).toEqual([]);
      expect(await titlesListed(store, userId, 'rip')).toEqual([]);
    });

    it('pages through the matches with the cursor, each once', async () => {
      const store = await context.open();
      const userId = uniqueId('user');
      await createTitled(store, userId, ['Plan A', 'Other', 'Plan B', 'Plan C', 'Planet']);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list({ userId, titlePrefix: 'Plan ', orderBy: 'createdAt', order: 'desc', limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...page.sessions.map((session) => session.title!));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      expect(seen.sort()).toEqual(['Plan A', 'Plan B', 'Plan C']);
    });

    it('treats wildcard, quote, escape and non-ASCII characters in the prefix as themselves', async () => {
      const store = await context.open();
      const userId = uniqueId('user');
      const titles = [
        '100% sure',
        '1000 sure',
        '100_ sure',
        "O'Brien's notes",
        'back\\slash',
        'back slash',
        'Ünïcode title',
        'Unicode title',
        '🚀 launch',
        '🚁 landing',
        '\uD7FF edge',
        '\u{10FFFF}\u{10FFFF} last',
      ];
      await createTitled(store, userId, titles);
      expect(await titlesListed(store, userId, '100%')).toEqual(['100% sure']);
      expect(await titlesListed(store, userId, '100_')).toEqual(['100_ sure']);
      expect(await titlesListed(store, userId, "O'")).toEqual(["O'Brien's notes"]);
      expect(await titlesListed(store, userId, "' OR 1=1 --")).toEqual([]);
      expect(await titlesListed(store, userId, 'back\\')).toEqual(['back\\slash']);
      expect(await titlesListed(store, userId, 'Ü')).toEqual(['Ünïcode title']);
      expect(await titlesListed(store, userId, '🚀')).toEqual(['🚀 launch']);
      expect(await titlesListed(store, userId, '\uD7FF')).toEqual(['\uD7FF edge']);
      expect(await titlesListed(store, userId, '\u{10FFFF}')).toEqual(['\u{10FFFF}\u{10FFFF} last']);
      expect(await titlesListed(store, userId, '%')).toEqual([]);
      expect(await titlesListed(store, userId, '_')).toEqual([]);
    });

    it('follows the title as it is taken from a message, replaced or forked', async () => {
      const store = await context.open();
      const userId = uniqueId('user');
      const session = await store.create({ id: uniqueId('session'), userId });
      expect(await titlesListed(store, userId, 'Weekend')).toEqual([]);
      await store.append(session.id, userMessage('Weekend in Porto, please'));
      expect(await titlesListed(store, userId, 'Weekend')).toEqual(['Weekend in Porto, please']);
      await store.update(session.id, { title: 'Porto trip' });
      expect(await titlesListed(store, userId, 'Weekend')).toEqual([]);
      expect(await titlesListed(store, userId, 'Porto')).toEqual(['Porto trip']);
      await store.fork(session.id, { id: uniqueId('fork'), title: 'Porto by train' });
      expect(await titlesListed(store, userId, 'Porto ')).toEqual(['Porto by train', 'Porto trip']);
    });

    it("never lists another user's sessions to a scoped store", async () => {
      const store = await context.open();
      const mine = uniqueId('user');
      const theirs = uniqueId('user');
      const title = `Shared prefix ${uniqueId('title')}`;
      await createTitled(store, mine, [title]);
      await createTitled(store, theirs, [title]);
      const scoped = await context.open({ scope: { userId: mine } });
      const { sessions } = await scoped.list({ titlePrefix: title });
      expect(sessions.map((session) => session.userId)).toEqual([mine]);
    });

    it('refuses a prefix that is empty, too long or not text', async () => {
      const store = await context.open();
      for (const titlePrefix of ['', 'x'.repeat(201), 42, null]) {
        await expect(store.list({ titlePrefix: titlePrefix as string })).rejects.toSatisfy(InvalidArgumentError.isInstance);
      }
    });
  });
}
