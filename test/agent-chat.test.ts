/**
 * The chat handle (`store.chat`): turns written as they happen (autoSave on), or kept in memory and
 * written by `save()` in one idempotent append (autoSave off).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Agent, SessionNotFoundError, SessionStore, type AppendOptions } from '../src/index.js';
import { compactMessages, compactPrompt, scriptedMock } from './fixtures/agent-models.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-chat-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** An agent whose answer quotes the last user message, so each turn's answer is predictable from its input. */
function echoAgent() {
  const mock = scriptedMock((prompt) => {
    const last = compactPrompt(prompt).at(-1);
    return { text: `echo: ${last?.text ?? ''}` };
  });
  return { agent: new Agent({ name: 'echo', instructions: 'Repeat.', model: mock.model }), mock };
}

describe.each([
  { name: 'memory', open: () => SessionStore.memory() },
  { name: 'sqlite', open: () => SessionStore.sqlite(join(directory, `${Math.random().toString(36).slice(2)}.db`)) },
])('store.chat on $name', ({ open }) => {
  describe('with autoSave (the default)', () => {
    it('writes every turn as it happens, and each turn sees the ones before', async () => {
      const store = open();
      const { agent, mock } = echoAgent();
      const chat = await store.chat(agent);
      expect(await store.get(chat.id)).toBeDefined();

      const first = await chat.send('I am Ada');
      const second = await chat.send('Who am I?');
      expect(first.sessionId).toBe(chat.id);
      expect(await store.getMessages(chat.id)).toEqual([...first.messages, ...second.messages]);
      expect(compactPrompt(mock.prompts[1] ?? []).slice(1)).toEqual([...compactMessages(first.messages), { role: 'user', text: 'Who am I?' }]);
      expect(await chat.history()).toEqual(await store.getMessages(chat.id));

      const runs = await chat.runs();
      expect(runs.map((run) => [run.id, run.status])).toEqual([
        [first.runId, 'completed'],
        [second.runId, 'completed'],
      ]);
      expect(await chat.runEvents(second.runId)).toEqual(await store.runEvents(second.runId));
      expect(chat.unsavedMessageCount).toBe(0);
      expect(await chat.save()).toEqual([]);
      await store.close();
    });

    it('runs turns sent at once one after another, in order', async () => {
      const store = open();
      const { agent, mock } = echoAgent();
      const chat = await store.chat(agent);
      const [first, second, third] = await Promise.all([chat.send('one'), chat.send('two'), chat.send('three')]);
      expect(compactPrompt(mock.prompts[2] ?? []).slice(1)).toEqual(compactMessages([...first!.messages, ...second!.messages, { role: 'user', content: 'three' }]));
      expect(await store.getMessages(chat.id)).toEqual([...first!.messages, ...second!.messages, ...third!.messages]);
      await store.close();
    });

    it('streams a turn, and a chat opened later by id or resume continues the conversation', async () => {
      const store = open();
      const { agent, mock } = echoAgent();
      const chat = await store.chat(agent, { id: 'user-7-support', userId: 'user-7', metadata: { plan: 'pro' } });
      expect(chat.id).toBe('user-7-support');
      expect(await store.get(chat.id)).toMatchObject({ userId: 'user-7', metadata: { plan: 'pro' } });

      const stream = chat.stream('Hello there');
      let streamed = '';
      for await (const text of stream.textStream) streamed += text;
      const result = await stream.result;
      expect(streamed).toBe(result.output);
      expect(result.output).toBe('echo: Hello there');

      const again = await store.chat(agent, { id: 'user-7-support' });
      await again.send('Still there?');
      const resumed = await store.chat(agent, { resume: 'user-7-support' });
      await resumed.send('And now?');
      expect(compactPrompt(mock.prompts[2] ?? []).slice(1).map((message) => message.text)).toEqual([
        'Hello there',
        'echo: Hello there',
        'Still there?',
        'echo: Still there?',
        'And now?',
      ]);
      await expect(store.chat(agent, { resume: 'nobody-here' })).rejects.toSatisfy(SessionNotFoundError.isInstance);
      await store.close();
    });
  });

  describe('with autoSave off', () => {
    it('keeps turns in memory until save() appends them in one call with an operation id', async () => {
      const store = open();
      const { agent, mock } = echoAgent();
      const chat = await store.chat(agent, { autoSave: false, metadata: { draft: true } });
      const first = await chat.send('one');
      const streamed = chat.stream('two');
      for await (const _event of streamed);
      const second = await streamed.result;

      expect(await store.get(chat.id)).toBeUndefined();
      expect((await store.list()).sessions).toEqual([]);
      expect(compactPrompt(mock.prompts[1] ?? []).slice(1)).toEqual(compactMessages([...first.messages, { role: 'user', content: 'two' }]));
      const unsaved = await chat.history();
      expect(unsaved).toEqual([...first.messages, ...second.messages]);
      expect(chat.unsavedMessageCount).toBe(4);
      expect(await chat.runs()).toEqual([]);

      const append = vi.spyOn(store, 'append');
      const written = await chat.save();
      expect(append).toHaveBeenCalledTimes(1);
      expect((append.mock.calls[0]?.[2] as AppendOptions | undefined)?.operationId).toEqual(expect.any(String));
      expect(written).toEqual(unsaved.map(({ runId: _runId, ...message }) => expect.objectContaining(message)));
      expect(await store.getMessages(chat.id)).toEqual(written);
      expect(await store.get(chat.id)).toMatchObject({ metadata: { draft: true }, messageCount: 4 });
      expect(chat.unsavedMessageCount).toBe(0);

      const runs = await chat.runs();
      expect(runs.map((run) => [run.id, run.status])).toEqual([
        [first.runId, 'completed'],
        [second.runId, 'completed'],
      ]);
      expect(runs.map((run) => run.usage)).toEqual([first.usage, second.usage]);
      expect((await store.get(chat.id))?.usage).toEqual({
        inputTokens: first.usage.inputTokens + second.usage.inputTokens,
        outputTokens: first.usage.outputTokens + second.usage.outputTokens,
        totalTokens: first.usage.totalTokens + second.usage.totalTokens,
      });
      expect((await chat.runEvents(first.runId)).map((event) => event.type)).toEqual(['run-start', 'step-start', 'text', 'step-end', 'run-end']);
      await store.close();
    });

    it('a save retried after a failure it did not see writes nothing twice', async () => {
      const store = open();
      const { agent } = echoAgent();
      const chat = await store.chat(agent, { autoSave: false });
      await chat.send('only once please');
      const realAppend = store.append.bind(store);
      // The append reaches the store, but the caller sees an error (a timeout after the commit, say).
      vi.spyOn(store, 'append').mockImplementationOnce(async (...appendArguments) => {
        await realAppend(...appendArguments);
        throw new Error('connection reset after commit');
      });
      await expect(chat.save()).rejects.toThrow('connection reset after commit');
      expect(chat.unsavedMessageCount).toBe(2);
      await chat.save();
      expect(compactMessages(await store.getMessages(chat.id)).map((message) => message.text)).toEqual(['only once please', 'echo: only once please']);
      expect(await store.runs(chat.id)).toHaveLength(1);
      await store.close();
    });

    it('on an existing session, sends see the stored conversation and save appends after it', async () => {
      const store = open();
      const { agent, mock } = echoAgent();
      const session = await store.create({ messages: [{ role: 'user', content: 'stored question' }, { role: 'assistant', content: 'stored answer' }] });
      const chat = await store.chat(agent, { resume: session.id, autoSave: false });
      await chat.send('new question');
      expect(compactPrompt(mock.prompts[0] ?? []).slice(1).map((message) => message.text)).toEqual(['stored question', 'stored answer', 'new question']);
      expect((await store.get(session.id))?.messageCount).toBe(2);
      await chat.save();
      expect(compactMessages(await store.getMessages(session.id)).map((message) => message.text)).toEqual([
        'stored question',
        'stored answer',
        'new question',
        'echo: new question',
      ]);
      await store.close();
    });
  });
});
