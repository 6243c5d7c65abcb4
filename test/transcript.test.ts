/**
 * Transcript repair: what a model is sent for a stored path a crash or a window cut left in a shape
 * providers reject; and what is stored stays exactly as written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INTERRUPTED_TOOL_RESULT_TEXT, repairTranscript, SessionStore, type MessageInput, type ModelMessage } from '../src/index.js';
import { takeWindow } from '../src/session/transcript.js';

const call = (toolCallId: string, toolName = 'lookup', extra: Record<string, unknown> = {}) => ({
  type: 'tool-call' as const,
  toolCallId,
  toolName,
  input: { q: toolCallId },
  ...extra,
});
const result = (toolCallId: string, toolName = 'lookup') => ({
  type: 'tool-result' as const,
  toolCallId,
  toolName,
  output: { type: 'json' as const, value: { answer: toolCallId } },
});
const interrupted = (toolCallId: string, toolName = 'lookup') => ({
  type: 'tool-result' as const,
  toolCallId,
  toolName,
  output: { type: 'error-text' as const, value: INTERRUPTED_TOOL_RESULT_TEXT },
});

describe('repairTranscript', () => {
  it('closes a trailing tool call that has no result with an interrupted result, leaving the input as it was', () => {
    const messages: ModelMessage[] = [
      { role: 'user', content: 'Look it up' },
      { role: 'assistant', content: [{ type: 'text', text: 'Looking.' }, call('c1')] },
    ];
    const before = structuredClone(messages);
    const repaired = repairTranscript(messages);
    expect(repaired).toEqual([...messages, { role: 'tool', content: [interrupted('c1')] }]);
    expect(messages).toEqual(before);
  });

  it('closes a dangling call before the next message, not at the end', () => {
    const repaired = repairTranscript([
      { role: 'user', content: 'first' },
      { role: 'assistant', content: [call('c1')] },
      { role: 'user', content: 'are you there?' },
      { role: 'assistant', content: 'yes' },
    ]);
    expect(repaired.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'user', 'assistant']);
    expect(repaired[2]).toEqual({ role: 'tool', content: [interrupted('c1')] });
  });

  it('adds the missing results of a turn to the tool message that holds the others', () => {
    const repaired = repairTranscript([
      { role: 'assistant', content: [call('a'), call('b', 'search'), call('c')] },
      { role: 'tool', content: [result('a')] },
      { role: 'tool', content: [result('c')] },
    ]);
    expect(repaired).toEqual([
      { role: 'assistant', content: [call('a'), call('b', 'search'), call('c')] },
      { role: 'tool', content: [result('a')] },
      { role: 'tool', content: [result('c'), interrupted('b', 'search')] },
    ]);
  });

  it('drops tool results whose call is absent, or already answered, and tool messages left empty', () => {
    const repaired = repairTranscript([
      { role: 'tool', content: [result('orphan')] },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [call('c1')] },
      { role: 'tool', content: [result('c1'), result('stray')] },
      { role: 'tool', content: [result('c1')] },
      { role: 'assistant', content: 'done' },
      { role: 'tool', content: [result('c1')] },
    ]);
    expect(repaired).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [call('c1')] },
      { role: 'tool', content: [result('c1')] },
      { role: 'assistant', content: 'done' },
    ]);
  });

  it('leaves provider-executed calls alone (their result is in the assistant message)', () => {
    const messages: ModelMessage[] = [
      { role: 'user', content: 'search the web' },
      {
        role: 'assistant',
        content: [call('web', 'web_search', { providerExecuted: true }), { ...result('web', 'web_search'), providerExecuted: true } as never],
      },
    ];
    expect(repairTranscript(messages)).toEqual(messages);
  });

  it('returns plain model messages, without the ids, times, runs and metadata of stored ones', () => {
    const repaired = repairTranscript([
      { role: 'user', content: 'hi', id: 'm1', createdAt: 5, runId: 'r1', metadata: { a: 1 } } as ModelMessage,
    ]);
    expect(repaired).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('takeWindow moves the start back past tool messages to the call that they answer', () => {
    const messages: ModelMessage[] = [
      { role: 'user', content: 'u1' },
      { role: 'assistant', content: [call('a'), call('b')] },
      { role: 'tool', content: [result('a')] },
      { role: 'tool', content: [result('b')] },
      { role: 'assistant', content: 'done' },
    ];
    expect(takeWindow(messages, 2)).toEqual(messages.slice(1));
    expect(takeWindow(messages, 1)).toEqual(messages.slice(4));
    expect(takeWindow(messages, 10)).toEqual(messages);
  });
});

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-transcript-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe.each([
  { name: 'memory', open: () => SessionStore.memory() },
  { name: 'sqlite', open: () => SessionStore.sqlite(join(directory, `${Math.random().toString(36).slice(2)}.db`)) },
])('store.transcript on $name', ({ open }) => {
  it('repairs what it returns and changes nothing stored', async () => {
    const store = open();
    const messages: MessageInput[] = [
      { role: 'user', content: 'Look it up' },
      { role: 'assistant', content: [call('c1')] },
    ];
    const session = await store.create({ messages });
    const storedBefore = await store.getMessages(session.id);
    const versionBefore = (await store.get(session.id))?.version;

    const transcript = await store.transcript(session.id);
    expect(transcript).toEqual([...messages, { role: 'tool', content: [interrupted('c1')] }]);
    expect(await store.getMessages(session.id)).toEqual(storedBefore);
    expect((await store.get(session.id))?.version).toBe(versionBefore);
    await store.close();
  });

  it('with last, moves the window back so it does not start with results cut off from their calls', async () => {
    const store = open();
    // One assistant turn with more calls than one read-back page, each answered in its own tool message.
    const ids = Array.from({ length: 11 }, (_, index) => `c${index}`);
    const messages: MessageInput[] = [
      { role: 'user', content: 'many lookups' },
      { role: 'assistant', content: ids.map((id) => call(id)) },
      ...ids.map((id): MessageInput => ({ role: 'tool', content: [result(id)] })),
      { role: 'assistant', content: 'all done' },
    ];
    const session = await store.create({ messages });
    const window = await store.transcript(session.id, { last: 3 });
    // The newest 3 start with two tool results; the window reaches back to the assistant message with the calls.
    expect(window).toEqual(messages.slice(1));
    expect(window[0]?.role).toBe('assistant');

    const plain = await store.transcript(session.id, { last: 1 });
    expect(plain).toEqual([{ role: 'assistant', content: 'all done' }]);
    await store.close();
  });
});
