/** search(): pages and cursors, and bad input (queries full of operators, quotes or SQL are only text). */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../index.js';
import type { SearchOptions, SessionStore } from '../index.js';
import type { SuiteContext } from './context.js';
import { uniqueId, userMessage } from './helpers.js';
import { hitIds, uniqueWord } from './search.js';

async function sessionSaying(store: SessionStore, texts: string[]): Promise<string[]> {
  const session = await store.create({ id: uniqueId('session') });
  return (await store.append(session.id, texts.map(userMessage))).map((message) => message.id);
}

export function registerSearchInputTests(context: SuiteContext): void {
  describe('search pages and input', () => {
    it('pages through every hit once, best first, with a cursor that ends', async () => {
      const store = await context.open();
      const word = uniqueWord();
      // Messages of equal length, holding the word 1 to 5 times.
      const ids = await sessionSaying(store, Array.from({ length: 5 }, (_, index) => `${word} `.repeat(index + 1) + 'pad '.repeat(5 - index)));
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.search(word, { limit: 2, ...(cursor === undefined ? {} : { cursor }) });
        seen.push(...hitIds(page.hits));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor !== undefined && pages < 10);
      expect(pages).toBe(3);
      // The more often the word occurs, the better the match: the newest message here.
      expect(seen).toEqual([...ids].reverse());
      expect(hitIds((await store.search(word, { limit: 100 })).hits)).toEqual(seen);
    });

    it('refuses a cursor made for another query or other filters, and one it did not make', async () => {
      const store = await context.open();
      const word = uniqueWord();
      await sessionSaying(store, [word, word, word]);
      const { nextCursor } = await store.search(word, { limit: 1 });
      expect(nextCursor).toBeDefined();
      await expect(store.search(`${word} other`, { limit: 1, cursor: nextCursor! })).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expect(store.search(word, { userId: uniqueId('user'), cursor: nextCursor! })).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expect(store.search(word, { cursor: 'not-a-cursor' })).rejects.toSatisfy(InvalidArgumentError.isInstance);
      expect((await store.search(word, { limit: 5, cursor: nextCursor! })).hits).toHaveLength(2);
    });

    it('treats FTS operators, quotes, SQL and wildcards in a query as text that separates words', async () => {
      const store = await context.open();
      const [word, other] = [uniqueWord(), uniqueWord()];
      const [both] = await sessionSaying(store, [`${word} and ${other}`, `${word} only`]);
      const hostile = [
        `"${word}" "${other}"`,
        `${word} AND ${other}`,
        `${word} -${other}`,
        `${word} NOT ${other}`,
        `(${word} OR ${other})`,
        `${word}* ${other}*`,
        `${word}:* & ${other}`,
        `NEAR(${word} ${other})`,
        `${word}'; DROP TABLE messages; -- ${other}`,
        `${word} ${other} ' OR '1'='1`,
        `{${word}} ^${other} $1`,
      ];
      for (const query of hostile) {
        // Each query is the two words plus punctuation (and "and", "or", "not", "near", ... as words):
        // only the message holding both words (and those extra words, where there are any) can match.
        const found = hitIds((await store.search(query)).hits);
        expect(found.every((id) => id === both)).toBe(true);
      }
      expect(hitIds((await store.search(`"${word}" "${other}"`)).hits)).toEqual([both]);
      expect(hitIds((await store.search(`${word} -${other}`)).hits)).toEqual([both]);
      expect(hitIds((await store.search(`${word}'; DROP TABLE messages; --`)).hits)).toEqual([]);
      expect((await store.search(word)).hits).toHaveLength(2);
    });

    it('treats a 10,000-character query as text', async () => {
      const store = await context.open();
      const word = uniqueWord();
      await sessionSaying(store, [`${word} here`]);
      const long = `${word} ${'lorem ipsum dolor sit amet '.repeat(400)}`.slice(0, 10_000);
      expect(long).toHaveLength(10_000);
      expect((await store.search(long)).hits).toEqual([]);
      expect((await store.search(`${word} `.repeat(2000))).hits).toHaveLength(1);
    });

    it('refuses an empty query, one without words, and bad options with InvalidArgumentError', async () => {
      const store = await context.open();
      const refused: Array<[unknown, SearchOptions | undefined]> = [
        ['', undefined],
        ['   \n\t', undefined],
        ['*', undefined],
        ['"" () -- ;', undefined],
        [42, undefined],
        [undefined, undefined],
        ['word', { limit: 0 }],
        ['word', { limit: 101 }],
        ['word', { limit: 1.5 }],
        ['word', { sessionId: '../etc' }],
        ['word', { userId: '' }],
        ['word', { unknown: true } as SearchOptions],
      ];
      for (const [query, options] of refused) {
        await expect(store.search(query as string, options)).rejects.toSatisfy(InvalidArgumentError.isInstance);
      }
    });
  });
}
