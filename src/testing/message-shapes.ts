/** Messages in every AI SDK ModelMessage shape read back deep-equal to what was written. */
import { describe, expect, it } from 'vitest';
import type { MessageInput, StoredMessage } from '../index.js';
import type { SuiteContext } from './context.js';
import { at, uniqueId, withoutIdentity } from './helpers.js';

const PNG_BYTES = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255, 128, 7]);
const PDF_BYTES = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37, 0, 1, 2, 3]);

const systemMessage: MessageInput = {
  role: 'system',
  content: 'You are a careful assistant. Quote "exactly" and keep \\ backslashes, emoji 🧵 and 改行\n.',
  providerOptions: { anthropic: { cacheControl: { type: 'ephemeral' } } },
};

const userTextMessage: MessageInput = { role: 'user', content: 'Plain string content.' };

const userPartsMessage: MessageInput = {
  role: 'user',
  content: [
    { type: 'text', text: 'Look at these.', providerOptions: { openai: { detail: 'high' } } },
    { type: 'image', image: PNG_BYTES, mediaType: 'image/png' },
    { type: 'image', image: new URL('https://example.com/cat.png?size=large#top') },
    { type: 'file', data: PDF_BYTES, mediaType: 'application/pdf', filename: 'report.pdf' },
    { type: 'file', data: new URL('https://example.com/data.csv'), mediaType: 'text/csv' },
    { type: 'file', data: 'aGVsbG8gd29ybGQ=', mediaType: 'text/plain' },
  ],
};

const assistantMessage: MessageInput = {
  role: 'assistant',
  content: [
    { type: 'reasoning', text: 'The user wants the weather; call the tool.', providerOptions: { anthropic: { signature: 'sig-1' } } },
    { type: 'text', text: 'Let me check.' },
    {
      type: 'tool-call',
      toolCallId: 'call_1',
      toolName: 'weather',
      input: { city: 'Zürich', days: 3, units: { temperature: 'celsius', wind: null }, flags: [true, false], empty: {} },
    },
  ],
  providerOptions: { openai: { store: false } },
};

const toolMessage: MessageInput = {
  role: 'tool',
  content: [
    {
      type: 'tool-result',
      toolCallId: 'call_1',
      toolName: 'weather',
      output: { type: 'json', value: { forecast: [{ day: 1, high: 21.5, rain: false }, { day: 2, high: -3, rain: null }] } },
    },
    { type: 'tool-result', toolCallId: 'call_2', toolName: 'lookup', output: { type: 'text', value: 'done' } },
  ],
};

const assistantStringMessage: MessageInput = { role: 'assistant', content: 'It will be sunny.' };

export function registerMessageShapeTests(context: SuiteContext): void {
  describe('message shapes', () => {
    async function roundTrip(messages: MessageInput[]): Promise<{ written: StoredMessage[]; read: StoredMessage[] }> {
      const writer = await context.open();
      const reader = await context.open();
      const session = await writer.create({ id: uniqueId('session') });
      const written = await writer.append(session.id, messages);
      const read = await reader.getMessages(session.id);
      return { written, read };
    }

    it('round-trips a system message with provider options', async () => {
      const { written, read } = await roundTrip([systemMessage]);
      expect(read.map(withoutIdentity)).toEqual([systemMessage]);
      expect(read).toEqual(written);
    });

    it('round-trips user messages with string content and with text, image and file parts', async () => {
      const { written, read } = await roundTrip([userTextMessage, userPartsMessage]);
      expect(read.map(withoutIdentity)).toEqual([userTextMessage, userPartsMessage]);
      expect(read).toEqual(written);
    });

    it('reads image and file bytes back as a Uint8Array with the same bytes', async () => {
      const { read } = await roundTrip([userPartsMessage]);
      const parts = at(read, 0).content as Array<Record<string, unknown>>;
      expect(at(parts, 1).image).toBeInstanceOf(Uint8Array);
      expect(Array.from(at(parts, 1).image as Uint8Array)).toEqual(Array.from(PNG_BYTES));
      expect(at(parts, 3).data).toBeInstanceOf(Uint8Array);
      expect(Array.from(at(parts, 3).data as Uint8Array)).toEqual(Array.from(PDF_BYTES));
    });

    it('reads image and file URLs back as URL objects with the same address', async () => {
      const { read } = await roundTrip([userPartsMessage]);
      const parts = at(read, 0).content as Array<Record<string, unknown>>;
      expect(at(parts, 2).image).toBeInstanceOf(URL);
      expect((at(parts, 2).image as URL).href).toBe('https://example.com/cat.png?size=large#top');
      expect(at(parts, 4).data).toBeInstanceOf(URL);
      expect((at(parts, 4).data as URL).href).toBe('https://example.com/data.csv');
      expect(at(parts, 5).data).toBe('aGVsbG8gd29ybGQ=');
    });

    it('round-trips an assistant message with reasoning, text and a tool call with nested input', async () => {
      const { written, read } = await roundTrip([assistantMessage, assistantStringMessage]);
      expect(read.map(withoutIdentity)).toEqual([assistantMessage, assistantStringMessage]);
      expect(read).toEqual(written);
    });

    it('round-trips a tool message with json and text tool results', async () => {
      const { written, read } = await roundTrip([toolMessage]);
      expect(read.map(withoutIdentity)).toEqual([toolMessage]);
      expect(read).toEqual(written);
    });

    it('round-trips a whole conversation in order', async () => {
      const conversation = [systemMessage, userTextMessage, userPartsMessage, assistantMessage, toolMessage, assistantStringMessage];
      const { written, read } = await roundTrip(conversation);
      expect(read.map(withoutIdentity)).toEqual(conversation);
      expect(read).toEqual(written);
    });

    it('accepts AI SDK response messages whose optional fields are present but undefined', async () => {
      // generateText's response.messages carry keys such as `providerOptions: undefined`.
      const responseMessage = {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Calling the tool.', providerOptions: undefined },
          { type: 'tool-call', toolCallId: 'call_9', toolName: 'search', input: { query: 'x' }, providerExecuted: undefined, providerOptions: undefined },
        ],
      } as MessageInput;
      const { read } = await roundTrip([responseMessage]);
      expect(read.map(withoutIdentity)).toEqual([responseMessage]);
    });
  });
}
