/** transcript({ maxTokens }): the newest messages that fit, tool calls kept with their results, the summary first. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, loadTokenCounter, repairTranscript } from '../index.js';
import type { MessageInput, ModelMessage, SessionStore, StoredMessage } from '../index.js';
import type { SuiteContext } from './context.js';
import { assistantMessage, conversation, rejectionOf, sessionWithMessages, uniqueId, userMessage } from './helpers.js';

/** Every message counts 10 tokens: windows become easy to reason about. */
export const tenTokensEach = (): number => 10;

/** A turn with a tool call and its result between a question and an answer. */
export function toolTurn(label: string): MessageInput[] {
  return [
    userMessage(`${label}: weather?`),
    { role: 'assistant', content: [{ type: 'tool-call', toolCallId: `${label}-call`, toolName: 'weather', input: { city: 'Lisbon' } }] },
    { role: 'tool', content: [{ type: 'tool-result', toolCallId: `${label}-call`, toolName: 'weather', output: { type: 'text', value: 'sunny' } }] },
    assistantMessage(`${label}: it is sunny`),
  ];
}

export function plain(messages: readonly StoredMessage[]): ModelMessage[] {
  return repairTranscript(messages);
}

export function registerTokenWindowTests(context: SuiteContext): void {
  describe('transcript with maxTokens', () => {
    it('returns the newest messages whose tokens fit', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 10);
      expect(await store.transcript(session.id, { maxTokens: 35, countTokens: tenTokensEach })).toEqual(plain(messages.slice(-3)));
      expect(await store.transcript(session.id, { maxTokens: 1_000, countTokens: tenTokensEach })).toEqual(plain(messages));
      expect(await store.transcript(session.id, { maxTokens: 5, countTokens: tenTokensEach })).toEqual([]);
    });

    it('never separates a tool call from its result', async () => {
      const store = await context.open();
      const session = await store.create({ id: uniqueId('session') });
      const messages = await store.append(session.id, toolTurn('first'));
      // The answer fits; the call and its result (20 tokens together) do not fit beside it in 25.
      expect(await store.transcript(session.id, { maxTokens: 25, countTokens: tenTokensEach })).toEqual(plain(messages.slice(3)));
      expect(await store.transcript(session.id, { maxTokens: 30, countTokens: tenTokensEach })).toEqual(plain(messages.slice(1)));
    });

    it('honours last and maxTokens together', async () => {
      const store = await context.open();
      const { session, messages } = await sessionWithMessages(store, 10);
      expect(await store.transcript(session.id, { maxTokens: 1_000, last: 2, countTokens: tenTokensEach })).toEqual(plain(messages.slice(-2)));
      expect(await store.transcript(session.id, { maxTokens: 20, last: 5, countTokens: tenTokensEach })).toEqual(plain(messages.slice(-2)));
    });

    it('counts with the default tokenizer when no counter is given', async () => {
      const store = await context.open();
      const session = await store.create({ id: uniqueId('session') });
      const long = 'word '.repeat(400);
      const written = await store.append(session.id, [userMessage(long), assistantMessage(long), userMessage('short question'), assistantMessage('short answer')]);
      const count = await loadTokenCounter();
      const newestTwo = count(written[2]!) + count(written[3]!);
      expect(count(written[0]!)).toBeGreaterThan(300);
      expect(await store.transcript(session.id, { maxTokens: newestTwo })).toEqual(plain(written.slice(2)));
      expect(await store.transcript(session.id, { maxTokens: newestTwo + count(written[1]!) })).toEqual(plain(written.slice(1)));
    });

    it('calls the counter once per message, however often the window is read', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 6);
      const counted: string[] = [];
      const counter = (message: ModelMessage): number => {
        counted.push(JSON.stringify(message.content));
        return 10;
      };
      await store.transcript(session.id, { maxTokens: 40, countTokens: counter });
      const first = counted.length;
      await store.transcript(session.id, { maxTokens: 40, countTokens: counter });
      expect(first).toBeGreaterThanOrEqual(4);
      expect(counted.length).toBe(first);
    });

    it('puts the newest compaction summary first, then the newest messages that fit', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 6);
      const { compaction } = await store.compact(session.id, { summary: 'The user counted to six.', countTokens: tenTokensEach });
      const later = await store.append(session.id, conversation('later', 5));
      const window = await store.transcript(session.id, { maxTokens: 30, countTokens: tenTokensEach });
      const [summary] = await store.getMessages(session.id, { limit: 1 });
      expect(summary?.id).toBe(compaction?.messageId);
      expect(window).toEqual(plain([summary!, ...later.slice(-2)]));
      expect(await store.transcript(session.id, { last: 1 })).toEqual(plain([summary!, ...later.slice(-1)]));
    });

    it('refuses a bad maxTokens or counter, and a counter that returns nonsense', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 2);
      for (const options of [{ maxTokens: 0 }, { maxTokens: -1 }, { maxTokens: 1.5 }, { maxTokens: 10, countTokens: 'words' }]) {
        expect(await rejectionOf(store.transcript(session.id, options as never))).toBeInstanceOf(InvalidArgumentError);
      }
      expect(await rejectionOf(store.transcript(session.id, { maxTokens: 10, countTokens: () => Number.NaN }))).toBeInstanceOf(InvalidArgumentError);
    });
  });
}

export async function compactedSession(store: SessionStore, count: number, keep: number) {
  const { session, messages } = await sessionWithMessages(store, count);
  const result = await store.compact(session.id, { summary: `The first ${count - keep} messages.`, keep: { lastMessages: keep }, countTokens: tenTokensEach });
  return { session, messages, result };
}
