/** Session titles: set at create, update or fork, or taken from the first user message; one line of text. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../index.js';
import type { SuiteContext } from './context.js';
import { assistantMessage, mustGet, snapshot, expectUnchanged, uniqueId, userMessage } from './helpers.js';

export function registerTitleTests(context: SuiteContext): void {
  describe('titles', () => {
    it('keeps a title given at create, and lists it', async () => {
      const store = await context.open();
      const userId = uniqueId('user');
      const session = await store.create({ id: uniqueId('session'), userId, title: '  Trip to Lisbon  ' });
      expect(session.title).toBe('Trip to Lisbon');
      expect((await mustGet(store, session.id)).title).toBe('Trip to Lisbon');
      await store.append(session.id, userMessage('Something else entirely'));
      expect((await mustGet(store, session.id)).title).toBe('Trip to Lisbon');
      expect((await store.list({ userId })).sessions.map((listed) => listed.title)).toEqual(['Trip to Lisbon']);
    });

    it('takes the first user message with text as the title, once', async () => {
      const store = await context.open();
      const session = await store.create({ id: uniqueId('session') });
      expect(session.title).toBeUndefined();
      await store.append(session.id, [{ role: 'system', content: 'You plan trips.' }, assistantMessage('Hello!')]);
      expect((await mustGet(store, session.id)).title).toBeUndefined();
      await store.append(session.id, [
        { role: 'user', content: [{ type: 'image', image: 'https://example.com/map.png' }] },
        { role: 'user', content: [{ type: 'text', text: 'Plan a weekend\n\tin   Porto' }] },
      ]);
      expect((await mustGet(store, session.id)).title).toBe('Plan a weekend in Porto');
      await store.append(session.id, userMessage('And Lisbon?'));
      expect((await mustGet(store, session.id)).title).toBe('Plan a weekend in Porto');

      const created = await store.create({ id: uniqueId('session'), messages: [userMessage('Book \u001b[31mred\u001b[0m seats')] });
      expect(created.title).toBe('Book [31mred[0m seats');
    });

    it('shortens a long first message to one line of at most 80 characters, at a word', async () => {
      const store = await context.open();
      const text = `${'A very long request about many things, '.repeat(5)}end.`;
      const session = await store.create({ id: uniqueId('session'), messages: [userMessage(text)] });
      expect(session.title!.length).toBeLessThanOrEqual(80);
      expect(session.title!.endsWith('…')).toBe(true);
      expect(text.startsWith(session.title!.slice(0, -1))).toBe(true);
      expect(session.title!.slice(0, -1).endsWith(' ')).toBe(false);
    });

    it('replaces the title by update, and a fork takes its source\'s or its own', async () => {
      const store = await context.open();
      const session = await store.create({ id: uniqueId('session'), messages: [userMessage('First question')] });
      expect((await store.update(session.id, { title: 'Renamed' })).title).toBe('Renamed');
      expect((await store.fork(session.id, { id: uniqueId('fork') })).title).toBe('Renamed');
      expect((await store.fork(session.id, { id: uniqueId('fork'), title: 'Another way' })).title).toBe('Another way');
    });

    it('refuses a title that is empty, too long, several lines or not text, changing nothing', async () => {
      const store = await context.open();
      const session = await store.create({ id: uniqueId('session'), title: 'Kept' });
      const before = await snapshot(store, session.id);
      for (const title of ['', '   ', 'x'.repeat(201), 'two\nlines', 'bell\u0007', 42, null]) {
        await expect(store.update(session.id, { title: title as string })).rejects.toSatisfy(InvalidArgumentError.isInstance);
        const id = uniqueId('session');
        await expect(store.create({ id, title: title as string })).rejects.toSatisfy(InvalidArgumentError.isInstance);
        expect(await store.get(id)).toBeUndefined();
      }
      await expectUnchanged(store, session.id, before);
    });
  });
}
