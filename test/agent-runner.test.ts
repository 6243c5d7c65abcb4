/**
 * `Runner.run` on memory and SQLite stores: what is stored and when, resume (whole history and
 * windows), forks, runs with their ordered event logs, failures, and refused options.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tool } from 'ai';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  Agent,
  InvalidArgumentError,
  Runner,
  SessionExpiredError,
  SessionNotFoundError,
  SessionStore,
  type ModelMessage,
  type StoredMessage,
} from '../src/index.js';
import { compactMessages, compactPrompt, scriptedMock, type MockTurn } from './fixtures/agent-models.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-runner-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const stores = [
  { name: 'memory', open: () => SessionStore.memory() },
  { name: 'sqlite', open: () => SessionStore.sqlite(join(directory, `${Math.random().toString(36).slice(2)}.db`)) },
];

const weatherInput = z.object({ city: z.string() });

/** An agent with a weather tool whose answers are computed from its input. */
function weatherAgent(script: MockTurn[] | ((prompt: never, index: number) => MockTurn), extra: { onExecute?: (city: string) => Promise<void> | void } = {}) {
  const mock = scriptedMock(script as MockTurn[]);
  const executions: string[] = [];
  const agent = new Agent({
    name: 'Weather helper',
    instructions: 'You answer weather questions.',
    model: mock.model,
    tools: {
      weather: tool({
        description: 'The weather in a city',
        inputSchema: weatherInput,
        execute: async ({ city }) => {
          executions.push(city);
          await extra.onExecute?.(city);
          return { city, forecast: `sunny in ${city}` };
        },
      }),
    },
  });
  return { agent, mock, executions };
}

const twoStepScript: MockTurn[] = [
  { text: 'Let me check.', toolCalls: [{ toolName: 'weather', input: { city: 'Lisbon' } }] },
  { text: 'It is sunny in Lisbon.' },
];

describe.each(stores)('Runner.run on $name', ({ open }) => {
  it('stores the input first, then each step, and returns what it stored', async () => {
    const store = open();
    const { agent, mock, executions } = weatherAgent(twoStepScript);
    const result = await Runner.run(agent, { input: 'Weather in Lisbon?', session: { store, metadata: { channel: 'web' }, userId: 'user-1' } });

    const stored = await store.getMessages(result.sessionId);
    expect(stored).toEqual(result.messages);
    expect(compactMessages(stored)).toEqual([
      { role: 'user', text: 'Weather in Lisbon?' },
      { role: 'assistant', text: 'Let me check.', toolCalls: [{ toolCallId: 'call-0-0', toolName: 'weather', input: { city: 'Lisbon' } }] },
      { role: 'tool', toolResults: [{ toolCallId: 'call-0-0', toolName: 'weather', output: { type: 'json', value: { city: 'Lisbon', forecast: 'sunny in Lisbon' } } }] },
      { role: 'assistant', text: 'It is sunny in Lisbon.' },
    ]);
    expect(stored.every((message) => message.runId === result.runId)).toBe(true);
    expect(executions).toEqual(['Lisbon']);
    expect(result.output).toBe(twoStepScript[1]?.text);
    expect(result.steps).toBe(2);
    expect(result.finishReason).toBe('stop');

    // The second model call saw the first step's call and its result.
    expect(compactPrompt(mock.prompts[1] ?? [])).toEqual([{ role: 'system', text: 'You answer weather questions.' }, ...compactMessages(stored.slice(0, 3))]);

    const session = await store.get(result.sessionId);
    expect(session).toMatchObject({ userId: 'user-1', metadata: { channel: 'web' }, messageCount: 4, usage: result.usage });
    const runs = await store.runs(result.sessionId);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: result.runId, status: 'completed', agentName: 'Weather helper', usage: result.usage, metadata: { model: 'mock-model' } });
    await store.close();
  });

  it('writes the assistant message with the calls before any tool starts', async () => {
    const store = open();
    let seenByTool: StoredMessage[] = [];
    let sessionId = '';
    const { agent } = weatherAgent(twoStepScript, {
      onExecute: async () => {
        seenByTool = await store.getMessages(sessionId);
      },
    });
    const session = await store.create();
    sessionId = session.id;
    await Runner.run(agent, { input: 'Weather?', session: { store, resume: session.id } });
    expect(seenByTool.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(compactMessages(seenByTool)[1]?.toolCalls?.[0]?.toolName).toBe('weather');
    await store.close();
  });

  it('records an event log that replays a two-step tool run in order', async () => {
    const store = open();
    const { agent } = weatherAgent(twoStepScript);
    const result = await Runner.run(agent, { input: 'Weather in Lisbon?', session: { store } });
    const events = await store.runEvents(result.runId);

    expect(events.map((event) => event.type)).toEqual([
      'run-start',
      'step-start',
      'text',
      'tool-call',
      'tool-result',
      'step-end',
      'step-start',
      'text',
      'step-end',
      'run-end',
    ]);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    for (let index = 1; index < events.length; index += 1) expect(events[index]!.at).toBeGreaterThanOrEqual(events[index - 1]!.at);

    const data = events.map((event) => event.data as Record<string, unknown>);
    const [toolCallMessage, toolMessage] = [result.messages[1], result.messages[2]];
    expect(data[0]).toMatchObject({ agent: 'Weather helper', model: 'mock-model', inputMessageIds: [result.messages[0]?.id] });
    expect(data[2]).toEqual({ step: 1, text: twoStepScript[0]?.text });
    expect(data[3]).toEqual({ step: 1, ...compactMessages([toolCallMessage!])[0]?.toolCalls?.[0] });
    expect(data[4]).toEqual({ step: 1, isError: false, ...compactMessages([toolMessage!])[0]?.toolResults?.[0] });
    expect(data[7]).toEqual({ step: 2, text: result.output });
    expect(data.filter((_, index) => events[index]?.type === 'step-start')).toEqual([{ step: 1 }, { step: 2 }]);
    // The steps' usage adds up to the run's, which is the run record's.
    const stepUsage = data.filter((_, index) => events[index]?.type === 'step-end').map((step) => step.usage as { inputTokens: number; outputTokens: number });
    expect(stepUsage.reduce((sum, usage) => sum + usage.inputTokens, 0)).toBe(result.usage.inputTokens);
    expect(stepUsage.reduce((sum, usage) => sum + usage.outputTokens, 0)).toBe(result.usage.outputTokens);
    expect(data[9]).toMatchObject({ status: 'completed', usage: result.usage, steps: 2 });
    await store.close();
  });

  it('resumes with the whole prior conversation, then the new input', async () => {
    const store = open();
    const { agent, mock } = weatherAgent((_prompt, index) => (index === 0 ? twoStepScript[0]! : { text: `answer ${index}` }));
    const first = await Runner.run(agent, { input: 'Weather in Lisbon?', session: { store } });
    const second = await Runner.run(agent, { input: 'And tomorrow?', session: { store, resume: first.sessionId } });
    expect(second.sessionId).toBe(first.sessionId);

    const history = await store.getMessages(first.sessionId);
    const promptOfSecondRun = mock.prompts[2] ?? [];
    expect(compactPrompt(promptOfSecondRun)).toEqual([{ role: 'system', text: 'You answer weather questions.' }, ...compactMessages(history.slice(0, 5))]);
    expect(history.slice(0, 4)).toEqual(first.messages);
    expect(history.slice(4)).toEqual(second.messages);
    expect((await store.runs(first.sessionId)).map((run) => run.id)).toEqual([first.runId, second.runId]);
    await store.close();
  });

  it('resumes with a window that never starts with a tool result cut off from its call', async () => {
    const store = open();
    const { agent, mock } = weatherAgent((_prompt, index) => (index === 0 ? twoStepScript[0]! : { text: `answer ${index}` }));
    const first = await Runner.run(agent, { input: 'Weather in Lisbon?', session: { store } });
    // Stored: user, assistant(call), tool(result), assistant. The newest 2 would start at the tool result.
    await Runner.run(agent, { input: 'Thanks', session: { store, resume: first.sessionId, window: 2 } });
    const prompt = compactPrompt(mock.prompts[2] ?? []);
    expect(prompt).toEqual([{ role: 'system', text: 'You answer weather questions.' }, ...compactMessages(first.messages.slice(1)), { role: 'user', text: 'Thanks' }]);
    await store.close();
  });

  it('runs on a fork from a chosen message, leaving the source untouched', async () => {
    const store = open();
    const { agent, mock } = weatherAgent((prompt, index) => ({ text: `reply ${index} to ${compactPrompt(prompt).at(-1)?.text}` }));
    const first = await Runner.run(agent, { input: 'Plan a trip to Porto', session: { store } });
    await Runner.run(agent, { input: 'Make it three days', session: { store, resume: first.sessionId } });
    const sourceBefore = await store.getMessages(first.sessionId);
    const sourceSessionBefore = await store.get(first.sessionId);

    const forkPoint = first.messages[1]!; // the first answer
    const fork = await Runner.run(agent, {
      input: 'Make it a week instead',
      session: { store, fork: { from: first.sessionId, fromMessage: forkPoint.id }, metadata: { variant: 'week' } },
    });

    expect(fork.sessionId).not.toBe(first.sessionId);
    expect(compactPrompt(mock.prompts.at(-1) ?? []).slice(1)).toEqual([...compactMessages(first.messages), { role: 'user', text: 'Make it a week instead' }]);
    expect(await store.getMessages(first.sessionId)).toEqual(sourceBefore);
    expect((await store.get(first.sessionId))?.version).toBe(sourceSessionBefore?.version);
    const forkHistory = await store.getMessages(fork.sessionId);
    expect(forkHistory).toEqual([...first.messages, ...fork.messages]);
    expect(await store.get(fork.sessionId)).toMatchObject({ forkedFrom: { sessionId: first.sessionId, messageId: forkPoint.id }, metadata: { variant: 'week' } });
    await store.close();
  });

  it('with persist: false stores nothing, even when resuming', async () => {
    const store = open();
    const { agent, mock } = weatherAgent(twoStepScript);
    const result = await Runner.run(agent, { input: 'Weather?', session: { store, persist: false } });
    expect(result.output).toBe(twoStepScript[1]?.text);
    expect(result.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    expect((await store.list()).sessions).toEqual([]);

    const existing = await store.create({ messages: [{ role: 'user', content: 'earlier' }, { role: 'assistant', content: 'noted' }] });
    const before = await store.get(existing.id);
    const { agent: again, mock: againMock } = weatherAgent([{ text: 'fine' }]);
    await Runner.run(again, { input: 'What did I say?', session: { store, persist: false, resume: existing.id } });
    expect(compactPrompt(againMock.prompts[0] ?? []).slice(1).map((message) => message.text)).toEqual(['earlier', 'noted', 'What did I say?']);
    expect(await store.get(existing.id)).toEqual(before);
    expect(await store.runs(existing.id)).toEqual([]);
    expect(mock.prompts).toHaveLength(2);
    await store.close();
  });

  it('records a failed run with its error, keeps the input, and rethrows the model error', async () => {
    const store = open();
    const failure = new Error('the provider is overloaded');
    const { agent } = weatherAgent([twoStepScript[0]!, { error: failure }]);
    const session = await store.create();
    const thrown = await Runner.run(agent, { input: 'Weather?', session: { store, resume: session.id } }).catch((error: unknown) => error);
    expect(thrown).toBe(failure);

    const [run] = await store.runs(session.id);
    expect(run).toMatchObject({ status: 'failed', error: { message: failure.message, name: 'Error' } });
    expect(run!.usage.inputTokens).toBeGreaterThan(0); // the completed first step is counted
    // Everything up to the last completed step is kept.
    expect((await store.getMessages(session.id)).map((message) => message.role)).toEqual(['user', 'assistant', 'tool']);
    const types = (await store.runEvents(run!.id)).map((event) => event.type);
    expect(types.slice(-4)).toEqual(['step-end', 'step-start', 'error', 'run-end']);
    expect((await store.get(session.id))?.usage).toEqual(run!.usage);
    await store.close();
  });

  it('gives a failing tool\'s error to the model as an error result and goes on', async () => {
    const store = open();
    const mock = scriptedMock([{ toolCalls: [{ toolName: 'explode', input: {} }] }, { text: 'The tool failed, sorry.' }]);
    const agent = new Agent({
      name: 'fragile',
      model: mock.model,
      tools: {
        explode: tool({
          inputSchema: z.object({}),
          execute: async (): Promise<string> => {
            throw new Error('disk on fire');
          },
        }),
      },
    });
    const result = await Runner.run(agent, { input: 'Try it', session: { store } });
    expect(compactMessages(result.messages)[2]?.toolResults?.[0]?.output).toEqual({ type: 'error-text', value: 'disk on fire' });
    expect(compactPrompt(mock.prompts[1] ?? []).at(-1)?.toolResults?.[0]?.output).toEqual({ type: 'error-text', value: 'disk on fire' });
    const toolResult = (await store.runEvents(result.runId)).find((event) => event.type === 'tool-result');
    expect(toolResult?.data).toMatchObject({ isError: true });
    await store.close();
  });

  it('stops at maxSteps, with the last step\'s tool results stored', async () => {
    const store = open();
    const mock = scriptedMock((_prompt, index) => ({ toolCalls: [{ toolName: 'weather', input: { city: `City ${index}` } }] }));
    const agent = new Agent({
      name: 'loop',
      model: mock.model,
      maxSteps: 3,
      tools: { weather: tool({ inputSchema: weatherInput, execute: async ({ city }) => `sunny in ${city}` }) },
    });
    const result = await Runner.run(agent, { input: 'Go', session: { store } });
    expect(result.steps).toBe(3);
    expect(mock.prompts).toHaveLength(3);
    expect(result.finishReason).toBe('tool-calls');
    expect(result.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'tool', 'assistant', 'tool']);
    await store.close();
  });

  it('ends the run at a call to a tool without execute, and the application\'s result given as input answers it', async () => {
    const store = open();
    const mock = scriptedMock([{ toolCalls: [{ toolName: 'confirm', input: { question: 'Delete the file?' } }] }, { text: 'Deleted.' }]);
    const agent = new Agent({
      name: 'asks first',
      model: mock.model,
      tools: { confirm: tool({ inputSchema: z.object({ question: z.string() }), outputSchema: z.string() }) },
    });
    const first = await Runner.run(agent, { input: 'Delete notes.txt', session: { store } });
    expect(first.steps).toBe(1);
    expect(first.finishReason).toBe('tool-calls');
    const [call] = compactMessages(first.messages)[1]?.toolCalls ?? [];

    const answer: ModelMessage = {
      role: 'tool',
      content: [{ type: 'tool-result', toolCallId: call!.toolCallId, toolName: 'confirm', output: { type: 'text', value: 'yes' } }],
    };
    const second = await Runner.run(agent, { messages: [answer], session: { store, resume: first.sessionId } });
    // The model gets the application's answer, not an "interrupted" result.
    expect(compactPrompt(mock.prompts[1] ?? []).at(-1)).toEqual(compactMessages([answer])[0]);
    expect(second.output).toBe('Deleted.');
    await store.close();
  });

  it('refuses bad options before writing anything', async () => {
    const store = open();
    const { agent } = weatherAgent([{ text: 'unused' }]);
    const session = await store.create({ messages: [{ role: 'user', content: 'hi' }] });
    const before = await store.get(session.id);
    const attempts: Array<Promise<unknown>> = [
      Runner.run(agent, { input: 'x', session: { store, resume: session.id, fork: { from: session.id } } }),
      Runner.run(agent, { input: 'x', session: {} }),
      Runner.run(agent, { input: 'x', messages: [], session: { store } }),
      Runner.run(agent, { session: { store } }),
      Runner.run(agent, { input: 'x', session: { store, resume: session.id, window: 0 } }),
      Runner.run(agent, { input: 'x', session: { store }, pricing: { 'mock-model': { inputPerMillion: -1, outputPerMillion: 1 } } }),
      Runner.run(agent, { input: 'x', session: { store, resume: '../etc' } }),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toSatisfy(InvalidArgumentError.isInstance);
    await expect(Runner.run(agent, { input: 'x', session: { store, resume: 'no-such-session' } })).rejects.toSatisfy(SessionNotFoundError.isInstance);
    expect(await store.get(session.id)).toEqual(before);
    expect((await store.list()).sessions.map((listed) => listed.id)).toEqual([session.id]);
    await store.close();
  });

  it('refuses to resume an expired session and writes nothing', async () => {
    const store = open();
    const { agent, mock } = weatherAgent([{ text: 'unused' }]);
    const session = await store.create({ messages: [{ role: 'user', content: 'hi' }] });
    const expired = await store.expire(session.id);
    await expect(Runner.run(agent, { input: 'hello?', session: { store, resume: session.id } })).rejects.toSatisfy(SessionExpiredError.isInstance);
    expect(await store.get(session.id)).toEqual(expired);
    expect(await store.runs(session.id)).toEqual([]);
    expect(mock.prompts).toEqual([]);
    await store.close();
  });

  it('accepts model messages as input, stored as given', async () => {
    const store = open();
    const { agent, mock } = weatherAgent([{ text: 'Nice picture.' }]);
    const input: ModelMessage[] = [
      { role: 'user', content: [{ type: 'text', text: 'Look at this' }, { type: 'image', image: Buffer.from('not really a png').toString('base64'), mediaType: 'image/png' }] },
    ];
    const result = await Runner.run(agent, { messages: input, session: { store } });
    const [stored] = await store.getMessages(result.sessionId);
    const { id: _id, createdAt: _createdAt, runId: _runId, ...message } = stored!;
    expect(message).toEqual(input[0]);
    const sent = mock.prompts[0]?.at(-1);
    expect(sent?.role).toBe('user');
    expect((sent?.content as Array<{ type: string }>).map((part) => part.type)).toEqual(['text', 'file']);
    await store.close();
  });
});
