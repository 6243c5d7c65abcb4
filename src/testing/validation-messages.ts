/** Messages that are not data, not a ModelMessage, or too large are refused whole, and nothing changes. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../index.js';
import type { MessageInput } from '../index.js';
import type { SuiteContext } from './context.js';
import { expectUnchanged, sessionWithMessages, snapshot, uniqueId, userMessage } from './helpers.js';

const MAX_MESSAGE_BYTES = 1024;

function toolCall(input: unknown): unknown {
  return { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'tool', input }] };
}

function cyclic(): unknown {
  const node: Record<string, unknown> = { name: 'loop' };
  node.self = node;
  return toolCall(node);
}

function withForbiddenMetadataKey(): unknown {
  return { ...userMessage('x'), metadata: JSON.parse('{"__proto__": {"polluted": true}}') };
}

const BAD_MESSAGES: Array<[string, () => unknown]> = [
  ['a message larger than maxMessageBytes', () => userMessage('x'.repeat(MAX_MESSAGE_BYTES * 2))],
  ['content holding a function', () => toolCall({ callback: () => 1 })],
  ['content holding a cycle', cyclic],
  ['content holding a BigInt', () => toolCall({ amount: 10n })],
  ['undefined inside content', () => toolCall({ values: [1, undefined, 3] })],
  ['content holding NaN', () => toolCall({ score: Number.NaN })],
  ['content holding Infinity', () => toolCall({ score: Number.POSITIVE_INFINITY })],
  ['content holding a Map', () => toolCall({ lookup: new Map([['a', 1]]) })],
  ['an invalid role', () => ({ role: 'wizard', content: 'abracadabra' })],
  ['a tool message whose content is not an array', () => ({ role: 'tool', content: 'the result' })],
  ['content that is neither a string nor an array', () => ({ role: 'user', content: 42 })],
  ['a message without content', () => ({ role: 'user' })],
  ['a content part without a type', () => ({ role: 'user', content: [{ text: 'untyped' }] })],
  ['a message that is not an object', () => null],
  ['message metadata with a __proto__ key', withForbiddenMetadataKey],
];

export function registerMessageValidationTests(context: SuiteContext): void {
  describe('message validation', () => {
    for (const [description, build] of BAD_MESSAGES) {
      it(`refuses ${description}, alone or in a batch, and changes nothing`, async () => {
        const store = await context.open({ maxMessageBytes: MAX_MESSAGE_BYTES });
        const { session } = await sessionWithMessages(store, 2);
        const before = await snapshot(store, session.id);
        const bad = build() as MessageInput;
        await expect(store.append(session.id, bad)).rejects.toSatisfy(InvalidArgumentError.isInstance);
        await expect(store.append(session.id, [userMessage('valid'), bad])).rejects.toSatisfy(InvalidArgumentError.isInstance);
        await expect(store.append(session.id, bad, { operationId: uniqueId('operation') })).rejects.toSatisfy(
          InvalidArgumentError.isInstance,
        );
        await expectUnchanged(store, session.id, before);
        const id = uniqueId('session');
        await expect(store.create({ id, messages: [userMessage('valid'), bad] })).rejects.toSatisfy(InvalidArgumentError.isInstance);
        expect(await store.get(id)).toBeUndefined();
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      });
    }

    it('accepts a message under maxMessageBytes', async () => {
      const store = await context.open({ maxMessageBytes: MAX_MESSAGE_BYTES });
      const { session } = await sessionWithMessages(store, 0);
      const message = userMessage('y'.repeat(MAX_MESSAGE_BYTES / 4));
      await store.append(session.id, message);
      expect((await store.getMessages(session.id)).map((stored) => stored.content)).toEqual([message.content]);
    });

    it('refuses a whole batch when one of its messages is over maxMessageBytes', async () => {
      const store = await context.open({ maxMessageBytes: MAX_MESSAGE_BYTES });
      const { session } = await sessionWithMessages(store, 1);
      const before = await snapshot(store, session.id);
      const batch = [userMessage('small'), userMessage('z'.repeat(MAX_MESSAGE_BYTES + 1)), userMessage('small too')];
      await expect(store.append(session.id, batch)).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expectUnchanged(store, session.id, before);
    });
  });
}
