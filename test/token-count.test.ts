/** The default token counter: what it counts in a message, and that only a token window loads it. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { countMessageTokens, loadTokenCounter, type ModelMessage } from '../src/index.js';
import { MEDIA_PART_TOKENS, MESSAGE_OVERHEAD_TOKENS } from '../src/session/token-count.js';

const run = promisify(execFile);

describe('token counting', () => {
  it('counts text, tool calls, tool outputs and media parts', async () => {
    const words = (text: string): number => text.split(/\s+/).filter(Boolean).length;
    const assistant: ModelMessage = {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Let me look that up' },
        { type: 'tool-call', toolCallId: 'c1', toolName: 'search', input: { query: 'lisbon weather' } },
      ],
    };
    expect(countMessageTokens({ role: 'user', content: 'one two three' }, words)).toBe(MESSAGE_OVERHEAD_TOKENS + 3);
    expect(countMessageTokens(assistant, words)).toBe(MESSAGE_OVERHEAD_TOKENS + 5 + 3);
    const tool: ModelMessage = {
      role: 'tool',
      content: [{ type: 'tool-result', toolCallId: 'c1', toolName: 'search', output: { type: 'text', value: 'sunny and warm' } }],
    };
    expect(countMessageTokens(tool, words)).toBe(MESSAGE_OVERHEAD_TOKENS + 4);
    const image: ModelMessage = { role: 'user', content: [{ type: 'image', image: new Uint8Array(10_000) }] };
    expect(countMessageTokens(image, words)).toBe(MESSAGE_OVERHEAD_TOKENS + MEDIA_PART_TOKENS);
  });

  it('counts with o200k_base, special-token text included, without throwing', async () => {
    const count = await loadTokenCounter();
    expect(count({ role: 'user', content: 'Hello world' })).toBe(MESSAGE_OVERHEAD_TOKENS + 2);
    expect(count({ role: 'user', content: 'a <|endoftext|> b' })).toBeGreaterThan(MESSAGE_OVERHEAD_TOKENS);
    expect(await loadTokenCounter()).toBe(count);
  });

  it('is loaded by the first token window, not by importing sessionloom', async () => {
    const script = fileURLToPath(new URL('./process/tokenizer-loading.ts', import.meta.url));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script], { timeout: 60_000 });
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(result.afterImport).toBe(0);
    expect(result.afterTokenWindow).toBeGreaterThan(0);
  });
});
