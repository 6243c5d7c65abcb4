/**
 * Automatic compaction in the Runner, with the scripted model: a run whose transcript would exceed
 * `triggerTokens` compacts first (by the caller's summarizer or by a model) and succeeds, every
 * earlier message still readable through `history`, byte-identical, on every store; a failing
 * summarizer leaves the session as it was; old tool outputs are trimmed in the view only.
 */
import { tool } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, COMPACTION_SUMMARY_PREFIX, InvalidArgumentError, Runner, ScriptedLanguageModel, SessionStore, type ModelMessage } from '../src/index.js';
import { everyStore } from './fixtures/every-store.js';

const stores = everyStore('agent_compaction');
const open: SessionStore[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
});

/** Every message counts 10 tokens, so a budget in tokens is a budget in messages. */
const tenTokensEach = (): number => 10;

/** The text of what the model was sent at `call`, one string per message. */
function promptTexts(model: ScriptedLanguageModel, call: number): string[] {
  return (model.calls[call]?.prompt ?? []).map((message) =>
    typeof message.content === 'string' ? message.content : message.content.map((part) => ('text' in part ? part.text : part.type)).join(' '),
  );
}

async function sessionOf(store: SessionStore, turns: number): Promise<string> {
  const session = await store.create();
  for (let index = 1; index <= turns; index += 1) {
    await store.append(session.id, [
      { role: 'user', content: `question ${index}` },
      { role: 'assistant', content: [{ type: 'text', text: `answer ${index}` }] },
    ]);
  }
  return session.id;
}

describe.each(stores)('automatic compaction on $name', (kind) => {
  it('compacts before a model call over triggerTokens, and the run succeeds with the whole history kept', async () => {
    const store = kind.open();
    open.push(store);
    const sessionId = await sessionOf(store, 5); // 10 messages: 100 tokens
    const before = await store.history(sessionId);
    const summarized: ModelMessage[][] = [];
    const model = new ScriptedLanguageModel({ turns: [{ text: 'Here is the answer.' }] });
    const agent = new Agent({
      name: 'compacting',
      model,
      compaction: {
        triggerTokens: 80,
        keepTokens: 30,
        countTokens: tenTokensEach,
        summarize: (messages) => {
          summarized.push(messages);
          return `The user asked ${messages.length} things.`;
        },
      },
    });
    const result = await Runner.run(agent, { input: 'question 6', session: { store, resume: sessionId } });
    expect(result.output).toBe('Here is the answer.');
    // 11 messages (110 tokens) were over 80: the newest 30 tokens (answer 5, question 6... three messages) kept.
    expect(summarized[0]).toHaveLength(8);
    expect(promptTexts(model, 0)).toEqual([`${COMPACTION_SUMMARY_PREFIX}The user asked 8 things.`, 'question 5', 'answer 5', 'question 6']);
    const history = await store.history(sessionId);
    expect(history.slice(0, before.length)).toEqual(before);
    expect(history.slice(before.length).map((message) => message.content)).toEqual(['question 6', [{ type: 'text', text: 'Here is the answer.' }]]);
    const events = await store.runEvents(result.runId);
    const compaction = events.find((event) => event.type === 'compaction');
    expect(compaction?.data).toMatchObject({ step: 1, tokensBefore: 110, tokensAfter: 40, replaced: 8, kept: 3 });
    const [summary] = await store.getMessages(sessionId, { limit: 1 });
    expect(summary).toMatchObject({ id: (compaction?.data as { messageId: string }).messageId, runId: result.runId });
    expect((await store.branches(sessionId)).compactions).toHaveLength(1);
  });
});

describe('automatic compaction', () => {
  it('summarizes with a model through the AI SDK and counts its usage in the run', async () => {
    const store = SessionStore.memory();
    open.push(store);
    const sessionId = await sessionOf(store, 4);
    const summarizer = new ScriptedLanguageModel({ turns: [{ text: 'They asked four questions.', usage: { inputTokens: 100, outputTokens: 7 } }] });
    const model = new ScriptedLanguageModel({ turns: [{ text: 'Done.', usage: { inputTokens: 20, outputTokens: 2 } }] });
    const agent = new Agent({ name: 'compacting', model });
    const result = await Runner.run(agent, {
      input: 'question 5',
      session: { store, resume: sessionId },
      compaction: { triggerTokens: 50, keepTokens: 10, countTokens: tenTokensEach, model: summarizer },
    });
    expect(promptTexts(summarizer, 0).at(-1)).toMatch(/Summarize the conversation above/);
    expect(promptTexts(summarizer, 0)).toContain('question 1');
    expect(promptTexts(model, 0)).toEqual([`${COMPACTION_SUMMARY_PREFIX}They asked four questions.`, 'question 5']);
    expect(result.usage).toMatchObject({ inputTokens: 120, outputTokens: 9 });
    expect(await store.history(sessionId)).toHaveLength(10);
  });

  it('leaves the session unchanged and the run going when the summarizer fails, or fails the run by option', async () => {
    const store = SessionStore.memory();
    open.push(store);
    const sessionId = await sessionOf(store, 4);
    const pathBefore = await store.getMessages(sessionId);
    const failing = { triggerTokens: 50, keepTokens: 10, countTokens: tenTokensEach, summarize: () => Promise.reject(new Error('summarizer down')) };
    const model = new ScriptedLanguageModel({ turns: [{ text: 'Still answering.' }] });
    const result = await Runner.run(new Agent({ name: 'a', model, compaction: failing }), { input: 'question 5', session: { store, resume: sessionId } });
    expect(result.output).toBe('Still answering.');
    expect(promptTexts(model, 0)).toHaveLength(9); // the whole transcript, uncompacted
    expect((await store.getMessages(sessionId)).slice(0, 8)).toEqual(pathBefore);
    const events = await store.runEvents(result.runId);
    expect(events.find((event) => event.type === 'compaction')?.data).toMatchObject({ failed: true, error: 'summarizer down', tokensBefore: 90 });

    const strict = new Agent({ name: 'b', model: new ScriptedLanguageModel({ turns: [{ text: 'never' }] }), compaction: { ...failing, onFailure: 'fail' } });
    await expect(Runner.run(strict, { input: 'question 6', session: { store, resume: sessionId } })).rejects.toThrow('summarizer down');
    const runs = await store.runs(sessionId);
    expect(runs.at(-1)).toMatchObject({ status: 'failed', error: { message: 'summarizer down' } });
    expect((await store.branches(sessionId)).compactions).toEqual([]);
  });

  it('compacts a run that stores nothing in its own copy of the transcript', async () => {
    const model = new ScriptedLanguageModel({ turns: [{ text: 'ok' }] });
    const agent = new Agent({ name: 'memory', model });
    const messages: ModelMessage[] = Array.from({ length: 6 }, (_, index) => ({ role: 'user', content: `note ${index + 1}` }));
    const stream = Runner.stream(agent, { messages, compaction: { triggerTokens: 40, keepTokens: 20, countTokens: tenTokensEach, summarize: () => 'Four notes.' } });
    const seen: string[] = [];
    for await (const event of stream) if (event.type === 'compaction') seen.push(JSON.stringify(event));
    await stream.result;
    expect(promptTexts(model, 0)).toEqual([`${COMPACTION_SUMMARY_PREFIX}Four notes.`, 'note 5', 'note 6']);
    expect(JSON.parse(seen[0]!)).toMatchObject({ type: 'compaction', step: 1, tokensBefore: 60, tokensAfter: 30, replaced: 4, kept: 2 });
  });

  it('trims old tool outputs in what the model is sent, never in the store', async () => {
    const store = SessionStore.memory();
    open.push(store);
    const long = 'x'.repeat(500);
    const read = tool({ description: 'read a file', inputSchema: z.object({ path: z.string() }), execute: async () => long });
    const model = new ScriptedLanguageModel({
      turns: [
        { toolCalls: [{ toolName: 'read', input: { path: 'a' } }] },
        { toolCalls: [{ toolName: 'read', input: { path: 'b' } }] },
        { text: 'Read both.' },
      ],
    });
    const agent = new Agent({ name: 'reader', model, tools: { read }, trimToolResults: { olderThanTurns: 1, maxChars: 20 } });
    const result = await Runner.run(agent, { input: 'read a and b', session: { store } });
    const outputs = (call: number) =>
      (model.calls[call]?.prompt ?? []).flatMap((message) =>
        message.role === 'tool' ? message.content.map((part) => (part.type === 'tool-result' && part.output.type === 'text' ? part.output.value : '')) : [],
      );
    expect(outputs(1)).toEqual([long]);
    const [older, newest] = outputs(2);
    expect(newest).toBe(long);
    expect(older).toMatch(/^x{20}\n\[\.\.\. 480 more characters trimmed/);
    const stored = (await store.getMessages(result.sessionId)).filter((message) => message.role === 'tool');
    expect(stored.map((message) => JSON.stringify(message.content))).toEqual([expect.stringContaining(long), expect.stringContaining(long)]);
  });

  it('refuses bad settings before anything is stored', async () => {
    const model = new ScriptedLanguageModel();
    const bad = [
      { triggerTokens: 0, keepTokens: 0 },
      { triggerTokens: 100, keepTokens: 100 },
      { triggerTokens: 100, keepTokens: 10, summarize: () => 's', model },
      { triggerTokens: 100, keepTokens: 10, onFailure: 'ignore' },
    ];
    for (const compaction of bad) {
      expect(() => new Agent({ name: 'a', model, compaction: compaction as never })).toThrow(InvalidArgumentError);
    }
    expect(() => new Agent({ name: 'a', model, trimToolResults: { olderThanTurns: -1, maxChars: 10 } })).toThrow(InvalidArgumentError);
    await expect(Runner.run(new Agent({ name: 'a', model }), { input: 'hi', compaction: { triggerTokens: 1 } as never })).rejects.toThrow(InvalidArgumentError);
  });
});
