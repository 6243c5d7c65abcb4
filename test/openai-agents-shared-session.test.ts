/**
 * One session, two SDKs: what sessionloom's `Runner` wrote is read through `SessionloomSession` as
 * Agents SDK items (and a real Agents SDK run continues it), what the Agents SDK wrote the Runner
 * continues; cutting the history inside a message the Runner wrote keeps that message's earlier
 * items; and no rewind or fork through the adapter keeps a function call without its result.
 */
import { Agent as AgentsSdkAgent, Runner as AgentsSdkRunner, type AgentInputItem } from '@openai/agents-core';
import { tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SessionloomSession } from '../src/adapters/openai-agents/index.js';
import { Agent, Runner, ScriptedLanguageModel, SessionStore } from '../src/index.js';
import { assistantSays, ScriptedModel } from './fixtures/agents-sdk-model.js';

const lookupInvoice = tool({ inputSchema: z.object({ id: z.string() }), execute: async ({ id }) => ({ id, total: 42 }) });

/** A Runner turn: the model says something, calls the tool in the same step, then answers. */
async function runnerTurn(store: SessionStore) {
  const model = new ScriptedLanguageModel({
    turns: [{ text: 'Let me look.', toolCalls: [{ toolName: 'lookupInvoice', input: { id: '7' }, toolCallId: 'call_1' }] }, { text: 'Invoice 7 is 42.' }],
  });
  const agent = new Agent({ name: 'support', model, tools: { lookupInvoice } });
  return Runner.run(agent, { input: 'Total of invoice 7?', session: { store } });
}

const kinds = (items: AgentInputItem[]) => items.map((item) => ('role' in item ? item.role : item.type));

describe('a session the Runner wrote, through SessionloomSession', () => {
  it('reads as the Agents SDK items its messages hold, whole or the newest few', async () => {
    const store = SessionStore.memory();
    const { sessionId } = await runnerTurn(store);
    const session = new SessionloomSession({ store, sessionId });
    const items = await session.getItems();
    expect(kinds(items)).toEqual(['user', 'assistant', 'function_call', 'function_call_result', 'assistant']);
    expect(items).toEqual([
      { role: 'user', content: 'Total of invoice 7?' },
      { role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Let me look.' }] },
      { type: 'function_call', callId: 'call_1', name: 'lookupInvoice', arguments: '{"id":"7"}', status: 'completed' },
      { type: 'function_call_result', callId: 'call_1', name: 'lookupInvoice', status: 'completed', output: '{"id":"7","total":42}' },
      { role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Invoice 7 is 42.' }] },
    ]);
    // The assistant message holds two items: a limit counts items, not messages.
    expect(await session.getItems(3)).toEqual(items.slice(2));
    expect(await session.getItems(4)).toEqual(items.slice(1));
  });

  it('is continued by an Agents SDK run, which the Runner then continues, each sent the whole conversation', async () => {
    const store = SessionStore.memory();
    const { sessionId } = await runnerTurn(store);

    const agentsModel = new ScriptedModel([() => [assistantSays('Anything else about invoice 7?')]]);
    const agentsAgent = new AgentsSdkAgent({ name: 'support', instructions: 'Help with invoices.', model: agentsModel });
    const agentsRun = await new AgentsSdkRunner({ tracingDisabled: true }).run(agentsAgent, 'Is it paid?', {
      session: new SessionloomSession({ store, sessionId }),
    });
    expect(agentsRun.finalOutput).toBe('Anything else about invoice 7?');
    expect(kinds(agentsModel.inputs[0]!)).toEqual(['user', 'assistant', 'function_call', 'function_call_result', 'assistant', 'user']);

    const model = new ScriptedLanguageModel({ turns: [{ text: 'Yes, paid.' }] });
    const next = await Runner.run(new Agent({ name: 'support', model, tools: { lookupInvoice } }), { input: 'Thanks.', session: { store, resume: sessionId } });
    expect(next.output).toBe('Yes, paid.');
    const sent = model.calls[0]!.prompt.map((message) => message.role);
    expect(sent).toEqual(['user', 'assistant', 'tool', 'assistant', 'user', 'assistant', 'user']);
    expect(JSON.stringify(model.calls[0]!.prompt)).toContain('Anything else about invoice 7?');
  });

  it('pops only the newest item of a message holding several, keeping the others', async () => {
    const store = SessionStore.memory();
    const { sessionId } = await runnerTurn(store);
    const session = new SessionloomSession({ store, sessionId });
    await session.popItem(); // the answer
    await session.popItem(); // the tool result
    expect(await session.popItem()).toMatchObject({ type: 'function_call', callId: 'call_1' });
    expect(kinds(await session.getItems())).toEqual(['user', 'assistant']);
    expect((await store.getMessages(sessionId)).map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(await session.popItem()).toMatchObject({ role: 'assistant' });
    expect(await session.popItem()).toMatchObject({ role: 'user' });
    expect(await session.popItem()).toBeUndefined();
  });
});

describe('rewind and fork through the adapter keep calls and results paired', () => {
  it('a rewind to a function call whose result it would drop moves back to before the call', async () => {
    const store = SessionStore.memory();
    const { sessionId } = await runnerTurn(store);
    const session = new SessionloomSession({ store, sessionId });
    expect(await session.rewind(2)).toEqual({ removedItems: 3 }); // item 2 is the call, item 3 its result
    const items = await session.getItems();
    expect(kinds(items)).toEqual(['user', 'assistant']);
    expect(items[1]).toEqual({ role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Let me look.' }] });
    // The rewound messages stay in the audit trail.
    const { rewoundTails } = await store.branches(sessionId);
    expect(rewoundTails.flatMap((tail) => tail.messageIds)).toHaveLength(3);
  });

  it('a rewind to the result keeps the call; a fork at the call forks before it', async () => {
    const store = SessionStore.memory();
    const { sessionId } = await runnerTurn(store);
    const session = new SessionloomSession({ store, sessionId });
    const fork = await session.fork(2);
    expect(kinds(await fork.getItems())).toEqual(['user', 'assistant']);
    expect(await session.rewind(3)).toEqual({ removedItems: 1 });
    expect(kinds(await session.getItems())).toEqual(['user', 'assistant', 'function_call', 'function_call_result']);
  });

  it('with items the adapter wrote: a rewind between parallel calls and their results moves before the calls', async () => {
    const store = SessionStore.memory();
    const session = new SessionloomSession({ store });
    const call = (callId: string): AgentInputItem => ({ type: 'function_call', callId, name: 'lookup', arguments: '{}', status: 'completed' });
    const result = (callId: string): AgentInputItem => ({ type: 'function_call_result', callId, name: 'lookup', status: 'completed', output: 'ok' });
    await session.addItems([{ role: 'user', content: 'both' }, call('a'), call('b'), result('a'), result('b')]);
    expect(await session.rewind(3)).toEqual({ removedItems: 4 }); // keeping a's result would leave b's call open
    expect(kinds(await session.getItems())).toEqual(['user']);
  });
});
