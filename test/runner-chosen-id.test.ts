/** `Runner.run({ session: { id } })`: the first run creates the session under that id, later runs continue it. */
import { describe, expect, it } from 'vitest';
import { Agent, Runner, ScriptedLanguageModel, SessionConflictError, SessionStore, messageText } from '../src/index.js';

function rememberingAgent() {
  // Answers with what it was told before, so a continued conversation shows in the output.
  const model = new ScriptedLanguageModel({
    fallback: ({ prompt }) => ({
      text: `I have heard: ${prompt
        .filter((message) => message.role === 'user')
        .map((message) => (message.content as Array<{ type: string; text?: string }>).map((part) => part.text ?? '').join(''))
        .join(' | ')}`,
    }),
  });
  return new Agent({ name: 'memory test', model });
}

describe('Runner.run with a caller-chosen session id', () => {
  it('creates the session on the first run and continues it on the next', async () => {
    const store = SessionStore.memory();
    const agent = rememberingAgent();
    const first = await Runner.run(agent, { input: 'My name is Alice.', session: { store, id: 'order-42' } });
    expect(first.sessionId).toBe('order-42');
    const second = await Runner.run(agent, { input: 'What is my name?', session: { store, id: 'order-42' } });
    expect(second.sessionId).toBe('order-42');
    expect(second.output).toBe('I have heard: My name is Alice. | What is my name?');
    const messages = await store.getMessages('order-42');
    expect(messages.map((message) => [message.role, messageText(message)])).toEqual([
      ['user', 'My name is Alice.'],
      ['assistant', 'I have heard: My name is Alice.'],
      ['user', 'What is my name?'],
      ['assistant', 'I have heard: My name is Alice. | What is my name?'],
    ]);
    expect(await store.runs('order-42')).toHaveLength(2);
  });

  it('continues from the store without writing when persist is false', async () => {
    const store = SessionStore.memory();
    const agent = rememberingAgent();
    await Runner.run(agent, { input: 'First.', session: { store, id: 'chat-1' } });
    const dry = await Runner.run(agent, { input: 'Second.', session: { store, id: 'chat-1', persist: false } });
    expect(dry.output).toBe('I have heard: First. | Second.');
    expect(await store.getMessages('chat-1')).toHaveLength(2);
  });

  it('lets two first runs with the same id race: the session is created once, and the second run waits its turn or is refused', async () => {
    const store = SessionStore.memory();
    const agent = rememberingAgent();
    const outcomes = await Promise.allSettled([
      Runner.run(agent, { input: 'One.', session: { store, id: 'raced' } }),
      Runner.run(agent, { input: 'Two.', session: { store, id: 'raced' } }),
    ]);
    const succeeded = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(succeeded.length).toBeGreaterThanOrEqual(1);
    // One run at a time per session: a run that meets the other one running is refused, naming it.
    for (const outcome of refused) expect(SessionConflictError.isInstance(outcome.reason)).toBe(true);
    expect((await store.list()).sessions.map((session) => session.id)).toEqual(['raced']);
    expect(await store.getMessages('raced')).toHaveLength(2 * succeeded.length);
  });

  it('runs both racing first runs when concurrent runs are allowed: one creates, the other continues', async () => {
    const store = SessionStore.memory();
    const agent = rememberingAgent();
    const results = await Promise.all([
      Runner.run(agent, { input: 'One.', session: { store, id: 'raced', allowConcurrentRuns: true } }),
      Runner.run(agent, { input: 'Two.', session: { store, id: 'raced', allowConcurrentRuns: true } }),
    ]);
    expect(results.map((result) => result.sessionId)).toEqual(['raced', 'raced']);
    expect(await store.getMessages('raced')).toHaveLength(4);
  });
});
