/**
 * The provider path for real, without the internet: `@ai-sdk/openai` over HTTP to a local
 * OpenAI-compatible server, through the Runner, into a SQLite store, and back on resume.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAI } from '@ai-sdk/openai';
import { tool } from 'ai';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, resolveModel, Runner, SessionStore, type StoredMessage } from '../src/index.js';
import { startOpenAiCompatibleServer, type ChatCompletionRequest, type OpenAiCompatibleServer, type ServedTurn } from './fixtures/openai-compatible-server.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-openai-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let server: OpenAiCompatibleServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const script: ServedTurn[] = [
  { text: 'Let me look that up.', toolCalls: [{ id: 'call_weather_1', name: 'weather', arguments: { city: 'Lisbon' } }] },
  { text: 'It is sunny in Lisbon, 24 degrees.' },
  { text: 'Yes, take sunglasses for the afternoon.' },
];

function weatherAgent(baseURL: string): Agent {
  return new Agent({
    name: 'Weather over HTTP',
    instructions: 'You are a weather assistant.',
    model: createOpenAI({ baseURL, apiKey: 'test' }).chat('gpt-test'),
    tools: {
      weather: tool({
        description: 'Current weather for a city',
        inputSchema: z.object({ city: z.string() }),
        execute: async ({ city }) => ({ city, sky: 'sunny', celsius: 24 }),
      }),
    },
  });
}

/** What the stored conversation must look like in a chat completions request. */
function asChatMessages(instructions: string, stored: StoredMessage[]): ChatCompletionRequest['messages'] {
  const expected: ChatCompletionRequest['messages'] = [{ role: 'system', content: instructions }];
  for (const message of stored) {
    if (message.role === 'user') expected.push({ role: 'user', content: message.content as string });
    if (message.role === 'assistant') {
      const parts = typeof message.content === 'string' ? [{ type: 'text' as const, text: message.content }] : message.content;
      const text = parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
      const calls = parts.flatMap((part) =>
        part.type === 'tool-call' ? [{ id: part.toolCallId, type: 'function' as const, function: { name: part.toolName, arguments: JSON.stringify(part.input) } }] : [],
      );
      expected.push({ role: 'assistant', content: text, ...(calls.length ? { tool_calls: calls } : {}) });
    }
    if (message.role === 'tool') {
      for (const part of message.content) {
        if (part.type !== 'tool-result' || part.output.type !== 'json') continue;
        expected.push({ role: 'tool', tool_call_id: part.toolCallId, content: JSON.stringify(part.output.value) });
      }
    }
  }
  return expected;
}

describe('@ai-sdk/openai against a local OpenAI-compatible server', () => {
  it('runs a two-step tool run into SQLite, then resumes with every prior message sent over HTTP (streaming)', async () => {
    server = await startOpenAiCompatibleServer(script);
    const store = SessionStore.sqlite(join(directory, 'openai.db'));
    const agent = weatherAgent(server.baseURL);

    const first = await Runner.run(agent, { input: 'What is the weather in Lisbon?', session: { store } });
    expect(server.requests).toHaveLength(2);
    expect(server.requests.every((request) => request.path === '/v1/chat/completions' && request.body.model === 'gpt-test')).toBe(true);
    expect(server.requests[0]?.headers.authorization).toBe('Bearer test');
    expect(server.requests[0]?.body.stream).toBeFalsy();
    expect(server.requests[0]?.body.tools?.map((declared) => declared.function.name)).toEqual(['weather']);
    expect(first.output).toBe(script[1]?.text);
    const afterFirst = await store.getMessages(first.sessionId);
    expect(afterFirst.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    // The tool call id the server chose is the one stored and sent back with the result.
    expect(server.requests[1]?.body.messages).toEqual(asChatMessages('You are a weather assistant.', afterFirst.slice(0, 3)));

    // A new store object, as after a restart; this time streamed over SSE.
    await store.close();
    const reopened = SessionStore.sqlite(join(directory, 'openai.db'));
    const stream = Runner.stream(agent, { input: 'Should I take sunglasses?', session: { store: reopened, resume: first.sessionId } });
    let streamed = '';
    for await (const event of stream) if (event.type === 'text-delta') streamed += event.text;
    const second = await stream.result;

    const resumeRequest = server.requests[2]!;
    expect(resumeRequest.body.stream).toBe(true);
    expect(resumeRequest.body.messages).toEqual(asChatMessages('You are a weather assistant.', [...afterFirst, second.messages[0]!]));
    expect(streamed).toBe(script[2]?.text);
    expect(second.output).toBe(streamed);
    expect(await reopened.getMessages(first.sessionId)).toEqual([...afterFirst, ...second.messages]);

    const runs = await reopened.runs(first.sessionId);
    expect(runs.map((run) => run.status)).toEqual(['completed', 'completed']);
    // Usage is what the server reported, summed per run and per session.
    expect(runs[0]?.usage.inputTokens).toBeGreaterThan(0);
    expect((await reopened.get(first.sessionId))?.usage.totalTokens).toBe(runs[0]!.usage.totalTokens + runs[1]!.usage.totalTokens);
    await reopened.close();
  });

  it('streams tool calls assembled from argument pieces, and works through resolveModel', async () => {
    server = await startOpenAiCompatibleServer(script);
    const store = SessionStore.sqlite(join(directory, 'resolved.db'));
    const model = await resolveModel('openai:gpt-test', { env: { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: 'test' } });
    const agent = new Agent({
      name: 'resolved',
      model,
      tools: { weather: tool({ inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => ({ city, sky: 'sunny', celsius: 24 }) }) },
    });
    const stream = Runner.stream(agent, { input: 'Weather in Lisbon?', session: { store } });
    const toolCalls: unknown[] = [];
    for await (const event of stream) if (event.type === 'tool-call') toolCalls.push([event.toolCallId, event.toolName, event.input]);
    const result = await stream.result;
    expect(toolCalls).toEqual([['call_weather_1', 'weather', { city: 'Lisbon' }]]);
    expect(server.requests.map((request) => request.body.stream)).toEqual([true, true]);
    expect(server.requests[0]?.headers.authorization).toBe('Bearer test');
    expect(result.output).toBe(script[1]?.text);
    expect(result.steps).toBe(2);
    await store.close();
  });
});
