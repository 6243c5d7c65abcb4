/** search(): full-text search over message text, everything a session can read, scoped like every read. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SessionNotFoundError } from '../index.js';
import type { MessageInput, SearchHit, SessionStore } from '../index.js';
import type { SuiteContext } from './context.js';
import { at, sessionWithMessages, uniqueId, userMessage } from './helpers.js';

/** A word no other test (or earlier run on the same backend) writes: letters and digits only. */
export function uniqueWord(prefix = 'w'): string {
  return `${prefix}${randomUUID().replace(/-/g, '').slice(0, 16)}`;
}

/** The hits' message ids, in order. */
export function hitIds(hits: readonly SearchHit[]): string[] {
  return hits.map((hit) => hit.messageId);
}

async function appendOne(store: SessionStore, sessionId: string, message: MessageInput): Promise<string> {
  const [stored] = await store.append(sessionId, message);
  return stored!.id;
}

export function registerSearchTests(context: SuiteContext): void {
  describe('search', () => {
    it('finds a message by a word of its text as soon as its append returns, with a snippet around the word', async () => {
      const store = await context.open();
      const word = uniqueWord();
      const session = await store.create({ id: uniqueId('session') });
      const filler = 'Some words come first so the snippet has to start further along the text than its beginning. ';
      const messageId = await appendOne(store, session.id, userMessage(`${filler}${filler}Then the ${word} appears, and more follows it.`));
      const { hits, nextCursor } = await store.search(word);
      expect(nextCursor).toBeUndefined();
      expect(hits).toHaveLength(1);
      const [hit] = hits as [SearchHit];
      expect(hit).toMatchObject({ sessionId: session.id, messageId, role: 'user' });
      expect(hit.score).toBeGreaterThan(0);
      expect(hit.snippet).toContain(`the ${word} appears`);
      expect(hit.snippet.startsWith('…')).toBe(true);
      expect(hit.snippet.length).toBeLessThanOrEqual(200);
      expect(hit.highlights.map(([start, end]) => hit.snippet.slice(start, end))).toEqual([word]);
    });

    it('searches text parts, tool names, tool inputs and tool results, not images or reasoning', async () => {
      const store = await context.open();
      const [text, tool, input, jsonResult] = [uniqueWord(), uniqueWord(), uniqueWord(), uniqueWord()];
      const [textResult, reasoning, image] = [uniqueWord(), uniqueWord(), uniqueWord()];
      const session = await store.create({ id: uniqueId('session') });
      const [withParts, call, result] = await store.append(session.id, [
        { role: 'user', content: [{ type: 'text', text: `look at ${text}` }, { type: 'image', image: `https://example.com/${image}.png` }] },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: `thinking about ${reasoning}` },
            { type: 'tool-call', toolCallId: 'call-1', toolName: `${tool}_lookup`, input: { query: `${input} please`, depth: 2 } },
          ],
        },
        {
          role: 'tool',
          content: [
            { type: 'tool-result', toolCallId: 'call-1', toolName: `${tool}_lookup`, output: { type: 'json', value: { found: [jsonResult] } } },
            { type: 'tool-result', toolCallId: 'call-2', toolName: 'other', output: { type: 'text', value: `saw ${textResult}` } },
          ],
        },
      ]);
      expect(hitIds((await store.search(text)).hits)).toEqual([withParts!.id]);
      expect(new Set(hitIds((await store.search(tool)).hits))).toEqual(new Set([call!.id, result!.id]));
      expect(hitIds((await store.search(input)).hits)).toEqual([call!.id]);
      expect(hitIds((await store.search(jsonResult)).hits)).toEqual([result!.id]);
      expect(hitIds((await store.search(textResult)).hits)).toEqual([result!.id]);
      expect((await store.search(reasoning)).hits).toEqual([]);
      expect((await store.search(image)).hits).toEqual([]);
    });

    it('needs every word, ignores case and diacritics, and matches the last word as a prefix while it is being typed', async () => {
      const store = await context.open();
      const word = uniqueWord();
      const session = await store.create({ id: uniqueId('session') });
      const both = await appendOne(store, session.id, userMessage(`Le CAFÉ ${word} est refactorisé`));
      await appendOne(store, session.id, userMessage(`${word} alone`));
      expect(hitIds((await store.search(`cafe ${word.toUpperCase()}`)).hits)).toEqual([both]);
      expect(hitIds((await store.search(`${word} café`)).hits)).toEqual([both]);
      expect(hitIds((await store.search(`${word} refactor`)).hits)).toEqual([both]);
      expect((await store.search(`${word} refactor `)).hits).toEqual([]);
      expect((await store.search(`${word} missing${word}`)).hits).toEqual([]);
    });

    it('ranks a message holding the words more often above one holding them once', async () => {
      const store = await context.open();
      const word = uniqueWord();
      const session = await store.create({ id: uniqueId('session') });
      const once = await appendOne(store, session.id, userMessage(`${word} alpha beta gamma`));
      const thrice = await appendOne(store, session.id, userMessage(`${word} ${word} ${word} gamma`));
      const { hits } = await store.search(word);
      expect(hitIds(hits)).toEqual([thrice, once]);
      expect(at(hits, 0).score).toBeGreaterThan(at(hits, 1).score);
    });

    it('finds messages a rewind took off the path and messages behind a compaction, once each', async () => {
      const store = await context.open();
      const [rewoundWord, compactedWord, keptWord] = [uniqueWord(), uniqueWord(), uniqueWord()];
      const { session, messages } = await sessionWithMessages(store, 2);
      const rewound = await appendOne(store, session.id, userMessage(`about ${rewoundWord}`));
      await store.rewind(session.id, { toMessage: at(messages, 1).id });
      const compacted = await appendOne(store, session.id, userMessage(`about ${compactedWord}`));
      const kept = await appendOne(store, session.id, userMessage(`about ${keptWord}`));
      await store.compact(session.id, { summary: 'A summary.', keep: { lastMessages: 1 } });

      expect((await store.search(rewoundWord)).hits.map((hit) => [hit.sessionId, hit.messageId])).toEqual([[session.id, rewound]]);
      expect((await store.getMessage(session.id, rewound)).location.placement).toBe('rewound');
      expect(hitIds((await store.search(compactedWord)).hits)).toEqual([compacted]);
      // The compaction copied the kept message behind its summary; the copy is not a second hit.
      expect(hitIds((await store.search(keptWord)).hits)).toEqual([kept]);
      expect(hitIds((await store.search(keptWord, { sessionId: session.id })).hits)).toEqual([kept]);
    });

    it('with sessionId, searches what that session can read: a fork finds the history it shares, not its source\'s later messages', async () => {
      const store = await context.open();
      const [shared, later, own] = [uniqueWord(), uniqueWord(), uniqueWord()];
      const source = await store.create({ id: uniqueId('session') });
      const sharedId = await appendOne(store, source.id, userMessage(`${shared} first`));
      const fork = await store.fork(source.id, { id: uniqueId('fork') });
      await appendOne(store, source.id, userMessage(`${later} in the source`));
      const ownId = await appendOne(store, fork.id, userMessage(`${own} in the fork`));
      const other = await store.create({ id: uniqueId('session') });
      await appendOne(store, other.id, userMessage(`${shared} elsewhere`));

      expect((await store.search(shared, { sessionId: fork.id })).hits.map((hit) => [hit.sessionId, hit.messageId])).toEqual([[fork.id, sharedId]]);
      expect((await store.search(later, { sessionId: fork.id })).hits).toEqual([]);
      expect((await store.search(own)).hits.map((hit) => [hit.sessionId, hit.messageId])).toEqual([[fork.id, ownId]]);
      expect((await store.search(shared)).hits.map((hit) => hit.sessionId).sort()).toEqual([source.id, other.id].sort());
      await expect(store.search(shared, { sessionId: uniqueId('missing') })).rejects.toSatisfy(SessionNotFoundError.isInstance);
    });

    it('filters by user and agent', async () => {
      const store = await context.open();
      const word = uniqueWord();
      const [userA, userB, agent] = [uniqueId('user'), uniqueId('user'), uniqueId('agent')];
      const a = await store.create({ id: uniqueId('session'), userId: userA, agentId: agent });
      const b = await store.create({ id: uniqueId('session'), userId: userB });
      const inA = await appendOne(store, a.id, userMessage(`${word} for a`));
      const inB = await appendOne(store, b.id, userMessage(`${word} for b`));
      expect(hitIds((await store.search(word, { userId: userA })).hits)).toEqual([inA]);
      expect(hitIds((await store.search(word, { userId: userB })).hits)).toEqual([inB]);
      expect(hitIds((await store.search(word, { agentId: agent })).hits)).toEqual([inA]);
      expect((await store.search(word, { userId: userB, agentId: agent })).hits).toEqual([]);
      expect((await store.search(word, { sessionId: a.id, userId: userB })).hits).toEqual([]);
    });

    it('never finds another user\'s messages in a scoped store, whatever the options say', async () => {
      const root = await context.open();
      const word = uniqueWord();
      const [mine, theirs] = [uniqueId('user'), uniqueId('user')];
      const own = await root.create({ id: uniqueId('session'), userId: mine });
      const foreign = await root.create({ id: uniqueId('session'), userId: theirs });
      const ownId = await appendOne(root, own.id, userMessage(`${word} mine`));
      const foreignId = await appendOne(root, foreign.id, userMessage(`${word} theirs`));
      await root.rewind(foreign.id, { toStart: true });
      for (const view of [root.withScope({ userId: mine }), await context.open({ scope: { userId: mine } })]) {
        expect(hitIds((await view.search(word)).hits)).toEqual([ownId]);
        expect((await view.search(word, { userId: theirs })).hits).toEqual([]);
        await expect(view.search(word, { sessionId: foreign.id })).rejects.toSatisfy(SessionNotFoundError.isInstance);
      }
      expect(new Set(hitIds((await root.search(word)).hits))).toEqual(new Set([ownId, foreignId]));
    });
  });
}
