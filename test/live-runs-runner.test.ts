/**
 * Live runs through the Runner, in one process (the process tests are in test/process/): a follower on
 * another store object sees a streamed answer's text as coalesced deltas, every event once; a run on
 * a session that has one in progress is refused before anything is written; `cancelRun` from another
 * store object stops a streamed run within a second, ending it `cancelled` with what it wrote kept.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Agent, Runner, ScriptedLanguageModel, SessionConflictError, SessionStore, type RunEvent } from '../src/index.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-live-runner-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const longAnswer = Array.from({ length: 120 }, (_, index) => `word${index}`).join(' ');

function typingAgent(chunkDelayMs: number): Agent {
  return new Agent({ name: 'typist', model: new ScriptedLanguageModel({ turns: [{ text: longAnswer }], chunkDelayMs }) });
}

async function collect(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const seen: RunEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

let counter = 0;
describe.each([
  { name: 'memory', pair: () => { const store = SessionStore.memory(); return { writer: store, reader: store }; } },
  {
    name: 'sqlite (two store objects on one file)',
    pair: () => {
      const path = join(directory, `live-${(counter += 1)}.db`);
      return { writer: SessionStore.sqlite(path), reader: SessionStore.sqlite(path) };
    },
  },
])('live runs through the Runner on $name', ({ pair }) => {
  it('lets a follower read the answer as it is written, in coalesced deltas, each event once', async () => {
    const { writer, reader } = pair();
    const session = await writer.create();
    const stream = Runner.stream(typingAgent(2), { input: 'Talk to me', session: { store: writer, resume: session.id } });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    const runId = (first.value as { runId: string }).runId;
    await iterator.return?.();
    const followed = await collect(reader.followRun(runId));
    const result = await stream.result;

    expect(followed).toEqual(await writer.runEvents(runId));
    expect(followed.map((event) => event.seq)).toEqual(followed.map((_, index) => index + 1));
    const deltas = followed.filter((event) => event.type === 'text-delta');
    expect(deltas.map((event) => (event.data as { text: string }).text).join('')).toBe(result.output);
    // 120 chunks about 2 ms apart (~300 ms of typing): coalesced into a few writes, not 120.
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.length).toBeLessThan(120 / 5);
    expect(followed.at(-1)).toMatchObject({ type: 'run-end', data: { status: 'completed' } });
    await writer.close();
    if (reader !== writer) await reader.close();
  });

  it('refuses a run on a session that has one in progress, writing nothing', async () => {
    const { writer, reader } = pair();
    const session = await writer.create();
    const stream = Runner.stream(typingAgent(5), { input: 'First', session: { store: writer, resume: session.id } });
    for await (const event of stream) if (event.type === 'text-delta') break;
    const before = await reader.get(session.id);
    const refused = await Runner.run(typingAgent(0), { input: 'Second', session: { store: reader, resume: session.id } }).catch((error: unknown) => error);
    expect(SessionConflictError.isInstance(refused)).toBe(true);
    expect(await reader.get(session.id)).toEqual(before);
    await stream.result;
    const next = await Runner.run(typingAgent(0), { input: 'Third', session: { store: reader, resume: session.id } });
    expect(next.output).toBe(longAnswer);
    await writer.close();
    if (reader !== writer) await reader.close();
  });

  it('stops a streamed run within a second when another store object cancels it; what was written stays', async () => {
    const { writer, reader } = pair();
    const session = await writer.create();
    const stream = Runner.stream(typingAgent(20), { input: 'Go on and on', session: { store: writer, resume: session.id } });
    let runId = '';
    let deltasSeen = 0;
    const iteration = (async () => {
      for await (const event of stream) {
        if (event.type === 'run-start') runId = event.runId;
        if (event.type === 'text-delta') deltasSeen += 1;
      }
    })();
    while (deltasSeen < 10) await new Promise((resolve) => setTimeout(resolve, 5));
    const requestedAt = Date.now();
    const requested = await reader.cancelRun(runId, { reason: 'stop button' });
    expect(requested.cancelRequested?.reason).toBe('stop button');
    await expect(iteration).rejects.toMatchObject({ name: 'AbortError', message: 'The run was cancelled: stop button' });
    expect(Date.now() - requestedAt).toBeLessThan(1_000);

    const run = await reader.getRun(runId);
    expect(run).toMatchObject({ status: 'cancelled', error: { name: 'AbortError', message: 'The run was cancelled: stop button' } });
    const events = await reader.runEvents(runId);
    expect(events.at(-1)).toMatchObject({ type: 'run-end', data: { status: 'cancelled' } });
    const partial = events.find((event) => event.type === 'text' && (event.data as { partial?: boolean }).partial);
    expect(longAnswer.startsWith((partial?.data as { text: string }).text)).toBe(true);
    expect((await reader.getMessages(session.id)).map((message) => message.role)).toEqual(['user']);
    // The session takes a new run at once.
    await Runner.run(typingAgent(0), { input: 'Again', session: { store: reader, resume: session.id } });
    await writer.close();
    if (reader !== writer) await reader.close();
  });
});
