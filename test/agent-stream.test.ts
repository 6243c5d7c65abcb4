/**
 * `Runner.stream`: events as they happen, the same result as `Runner.run`, and cancellation that
 * marks the run cancelled and keeps what was already written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tool } from 'ai';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, Runner, SessionStore, type RunStreamEvent } from '../src/index.js';
import { compactMessages, scriptedMock, type MockTurn } from './fixtures/agent-models.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-stream-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const script: MockTurn[] = [
  { text: 'Checking the forecast for you.', toolCalls: [{ toolName: 'weather', input: { city: 'Porto' } }] },
  { text: 'Porto will be sunny and warm all week.' },
];

function weatherAgent(mock: ReturnType<typeof scriptedMock>): Agent {
  return new Agent({
    name: 'streamer',
    model: mock.model,
    tools: { weather: tool({ inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => ({ city, sky: 'clear' }) }) },
  });
}

/** Resolves when the signal fires, rejecting with its reason: a model stream held open until cancelled. */
function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((_resolve, reject) => {
    if (!signal) return;
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

describe.each([
  { name: 'memory', open: () => SessionStore.memory() },
  { name: 'sqlite', open: () => SessionStore.sqlite(join(directory, `${Math.random().toString(36).slice(2)}.db`)) },
])('Runner.stream on $name', ({ open }) => {
  it('yields deltas, tool calls, tool results and step ends in order, and ends with what run returns', async () => {
    const store = open();
    const stream = Runner.stream(weatherAgent(scriptedMock(script)), { input: 'Weather in Porto?', session: { store } });
    const events: RunStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const result = await stream.result;

    const kinds = events.map((event) => event.type).filter((type, index, all) => type !== 'text-delta' || all[index - 1] !== 'text-delta');
    expect(kinds).toEqual(['run-start', 'step-start', 'text-delta', 'tool-call', 'tool-result', 'step-end', 'step-start', 'text-delta', 'step-end', 'run-end']);
    const deltas = (step: number) =>
      events.filter((event): event is Extract<RunStreamEvent, { type: 'text-delta' }> => event.type === 'text-delta' && event.step === step);
    expect(deltas(1).length).toBeGreaterThan(1);
    expect(deltas(1).map((event) => event.text).join('')).toBe(script[0]?.text);
    expect(deltas(2).map((event) => event.text).join('')).toBe(result.output);
    expect(events.at(-1)).toEqual({ type: 'run-end', result });
    expect(events[0]).toEqual({ type: 'run-start', runId: result.runId, sessionId: result.sessionId });
    const stepEnds = events.filter((event) => event.type === 'step-end');
    expect(stepEnds.flatMap((event) => event.messages)).toEqual(result.messages.slice(1));

    // The same agent and script through run: the same conversation, output and usage.
    const twin = open();
    const ran = await Runner.run(weatherAgent(scriptedMock(script)), { input: 'Weather in Porto?', session: { store: twin } });
    expect(result.output).toBe(ran.output);
    expect(result.usage).toEqual(ran.usage);
    expect(result.steps).toBe(ran.steps);
    expect(compactMessages(result.messages)).toEqual(compactMessages(ran.messages));
    expect(await store.getMessages(result.sessionId)).toEqual(result.messages);
    expect((await store.runs(result.sessionId))[0]).toMatchObject({ status: 'completed', usage: result.usage });
    // The log keeps one text event per step, not one per delta.
    const logged = (await store.runEvents(result.runId)).map((event) => event.type);
    expect(logged.filter((type) => type === 'text')).toHaveLength(2);
    await store.close();
    await twin.close();
  });

  it('returns the result as the iterator\'s final value', async () => {
    const store = open();
    const stream = Runner.stream(weatherAgent(scriptedMock(script)), { input: 'Weather?', session: { store } });
    const iterator = stream[Symbol.asyncIterator]();
    let step = await iterator.next();
    while (!step.done) step = await iterator.next();
    expect(step.value).toEqual(await stream.result);
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/only once/);
    await store.close();
  });

  it('cancelled mid-stream: the run is marked cancelled, completed steps and partial text are kept', async () => {
    const store = open();
    const mock = scriptedMock(script, { beforeStreamEnd: (callIndex, signal) => (callIndex === 1 ? untilAborted(signal) : Promise.resolve()) });
    const controller = new AbortController();
    const stream = Runner.stream(weatherAgent(mock), { input: 'Weather in Porto?', session: { store }, signal: controller.signal });
    const seen: RunStreamEvent[] = [];
    const iteration = (async () => {
      for await (const event of stream) {
        seen.push(event);
        if (event.type === 'text-delta' && event.step === 2) controller.abort();
      }
    })();
    await expect(iteration).rejects.toMatchObject({ name: 'AbortError' });
    await expect(stream.result).rejects.toMatchObject({ name: 'AbortError' });

    const runStart = seen[0] as Extract<RunStreamEvent, { type: 'run-start' }>;
    const [run] = await store.runs(runStart.sessionId);
    expect(run).toMatchObject({ id: runStart.runId, status: 'cancelled' });
    const stored = await store.getMessages(runStart.sessionId);
    expect(stored.map((message) => message.role)).toEqual(['user', 'assistant', 'tool']);
    const logged = await store.runEvents(run!.id);
    const events = logged.filter((event) => event.type !== 'text-delta');
    expect(events.map((event) => event.type).slice(-5)).toEqual(['step-end', 'step-start', 'text', 'error', 'run-end']);
    const partial = events.at(-3)?.data as { text: string; partial: boolean };
    const deltasOfStep2 = seen.filter((event) => event.type === 'text-delta' && event.step === 2).map((event) => (event as { text: string }).text);
    expect(partial).toEqual({ step: 2, text: deltasOfStep2.join(''), partial: true });
    // The live view a follower had: the step's deltas, recorded (coalesced) before the partial text.
    const loggedDeltas = logged.filter((event) => event.type === 'text-delta' && (event.data as { step: number }).step === 2);
    expect(loggedDeltas.map((event) => (event.data as { text: string }).text).join('')).toBe(partial.text);
    expect(script[1]?.text?.startsWith(partial.text)).toBe(true);
    // The first step's tokens were spent and are counted, in the run and in the session.
    expect(run!.usage.inputTokens).toBeGreaterThan(0);
    expect((await store.get(runStart.sessionId))?.usage).toEqual(run!.usage);
    await store.close();
  });

  it('a run cancelled while a tool runs keeps the call and records the cancellation', async () => {
    const store = open();
    const controller = new AbortController();
    const mock = scriptedMock(script);
    const agent = new Agent({
      name: 'slow',
      model: mock.model,
      tools: {
        weather: tool({
          inputSchema: z.object({ city: z.string() }),
          execute: async (_input, { abortSignal }) => {
            controller.abort();
            await untilAborted(abortSignal);
            return 'never';
          },
        }),
      },
    });
    const result = await Runner.run(agent, { input: 'Weather?', session: { store }, signal: controller.signal }).catch((error: unknown) => error);
    expect(result).toMatchObject({ name: 'AbortError' });
    const [session] = (await store.list()).sessions;
    expect((await store.getMessages(session!.id)).map((message) => message.role)).toEqual(['user', 'assistant']);
    expect((await store.runs(session!.id))[0]?.status).toBe('cancelled');
    await store.close();
  });

  it('a failing model ends the iteration with its error and the run as failed', async () => {
    const store = open();
    const failure = new Error('stream broke');
    const stream = Runner.stream(weatherAgent(scriptedMock([{ error: failure }])), { input: 'Hi', session: { store } });
    const iteration = (async () => {
      for await (const _event of stream);
    })();
    await expect(iteration).rejects.toBe(failure);
    await expect(stream.result).rejects.toBe(failure);
    const [session] = (await store.list()).sessions;
    expect((await store.runs(session!.id))[0]).toMatchObject({ status: 'failed', error: { message: 'stream broke' } });
    await store.close();
  });

  it('breaking out of the loop stops reading, not the run', async () => {
    const store = open();
    const stream = Runner.stream(weatherAgent(scriptedMock(script)), { input: 'Weather?', session: { store } });
    for await (const event of stream) if (event.type === 'text-delta') break;
    const result = await stream.result;
    expect(result.steps).toBe(2);
    expect((await store.runs(result.sessionId))[0]?.status).toBe('completed');
    await store.close();
  });
});
