/** `messageText`: a message's text as one string, whatever shape its content has. */
import { describe, expect, it } from 'vitest';
import { messageText, type ModelMessage } from '../src/index.js';

describe('messageText', () => {
  it('returns string content as it is', () => {
    expect(messageText({ role: 'user', content: 'Help me refactor the auth module' })).toBe('Help me refactor the auth module');
  });

  it('joins text parts, and skips reasoning, tool calls and files', () => {
    const message: ModelMessage = {
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'thinking' },
        { type: 'text', text: 'Reading ' },
        { type: 'tool-call', toolCallId: 'c1', toolName: 'read', input: { path: 'a.ts' } },
        { type: 'text', text: 'the file.' },
      ],
    };
    expect(messageText(message)).toBe('Reading the file.');
  });

  it('renders tool results as text (JSON for structured output)', () => {
    const message: ModelMessage = {
      role: 'tool',
      content: [
        { type: 'tool-result', toolCallId: 'c1', toolName: 'read', output: { type: 'text', value: 'export {}' } },
        { type: 'tool-result', toolCallId: 'c2', toolName: 'stat', output: { type: 'json', value: { size: 9 } } },
        { type: 'tool-result', toolCallId: 'c3', toolName: 'rm', output: { type: 'error-text', value: 'denied' } },
      ],
    };
    expect(messageText(message)).toBe('export {}{"size":9}denied');
  });

  it('is an empty string for a message with no text', () => {
    expect(messageText({ role: 'user', content: [{ type: 'image', image: new URL('https://example.com/a.png') }] })).toBe('');
  });
});
