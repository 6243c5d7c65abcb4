/**
 * The Agents SDK 0.20 session extensions over a sessionloom store: `replaceHistoryWithCompaction`
 * replaces what the SDK sees in one write while sessionloom keeps the whole conversation, and
 * `applyHistoryMutations` rewrites function calls as the SDK's `MemorySession` does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Agent, Runner, type AgentInputItem, type AgentOutputItem } from '@openai/agents-core';
import { describe, expect, it, vi } from 'vitest';
import { SessionloomSession } from '../src/adapters/openai-agents/index.js';
import { SessionStore } from '../src/index.js';
import { assistantSays, ScriptedModel } from './fixtures/agents-sdk-model.js';

/** The installed Agents SDK's version (its package.json is not among its exports: found from its entry). */
function agentsCoreVersionOf(): string {
  let directory = dirname(createRequire(import.meta.url).resolve('@openai/agents-core'));
  while (!existsSync(join(directory, 'package.json')) || JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')).name !== '@openai/agents-core') {
    if (dirname(directory) === directory) throw new Error('@openai/agents-core has no package.json above its entry');
    directory = dirname(directory);
  }
  return JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')).version;
}
const agentsCoreVersion = agentsCoreVersionOf();
const [, agentsCoreMinor] = agentsCoreVersion.split('.').map(Number);

const user = (content: string): AgentInputItem => ({ role: 'user', content });
const said = (text: string): AgentInputItem => ({ role: 'assistant', status: 'completed', content: [{ type: 'output_text', text }] });
const compaction = { type: 'compaction', encrypted_content: 'opaque-summary' } as unknown as AgentInputItem;
const call = (callId: string, args = '{}'): AgentInputItem => ({ type: 'function_call', callId, name: 'lookup', arguments: args, status: 'completed' });
const result = (callId: string): AgentInputItem => ({ type: 'function_call_result', callId, name: 'lookup', status: 'completed', output: 'ok' });

async function compacted() {
  const store = SessionStore.memory();
  const session = new SessionloomSession({ store });
  await session.addItems([user('a'), said('b'), user('c'), said('d')]);
  const before = { ...(await store.get(session.sessionId))!, messages: await store.getMessages(session.sessionId) };
  await session.replaceHistoryWithCompaction([compaction, said('d')]);
  return { store, session, before };
}

describe('replaceHistoryWithCompaction', () => {
  it('is one write: the SDK then sees the replacement, sessionloom the whole conversation', async () => {
    const { store, session, before } = await compacted();
    const after = (await store.get(session.sessionId))!;
    expect(after.version).toBe(before.version + 1);
    expect(await session.getItems()).toEqual([compaction, said('d')]);
    // A sessionloom compaction: the path is its summary (which the SDK does not see) and the replacement...
    const path = await store.getMessages(session.sessionId);
    expect(path.map((message) => message.role)).toEqual(['user', 'assistant', 'assistant']);
    expect((await store.branches(session.sessionId)).compactions).toHaveLength(1);
    // ...and history reads the conversation as it was written.
    expect(await store.history(session.sessionId)).toEqual(before.messages);
  });

  it('bounds limits, later appends, pops, rewinds and transactions by the compacted history', async () => {
    const { store, session } = await compacted();
    expect(await session.getItems(1)).toEqual([said('d')]);
    expect(await session.getItems(10)).toEqual([compaction, said('d')]);
    await session.addItems([user('e')]);
    expect(await session.getItems()).toEqual([compaction, said('d'), user('e')]);
    await expect(session.rewind(-4)).rejects.toThrow(/holds 3 item/);
    expect(await session.rewind(0)).toEqual({ removedItems: 2 });
    expect(await session.getItems()).toEqual([compaction]);
    await session.applyHistoryTransaction({ operationId: 'op-1', transaction: { type: 'replace_suffix', expectedSuffix: [compaction], replacement: [user('f')] } });
    expect(await session.getItems()).toEqual([user('f')]);
    // Emptying the SDK's view went back to the compaction's summary: the conversation behind it stays the session's history.
    const path = await store.getMessages(session.sessionId);
    expect(path.map((message) => message.content)).toEqual([expect.stringContaining('The OpenAI Agents SDK compacted'), 'f']);
    expect((await store.history(session.sessionId)).map((message) => message.content)).toEqual(['a', [{ type: 'text', text: 'b' }], 'c', [{ type: 'text', text: 'd' }], 'f']);
  });

  it('popping the compacted history empty does not bring back what it replaced', async () => {
    const { session } = await compacted();
    expect(await session.popItem()).toEqual(said('d'));
    expect(await session.popItem()).toEqual(compaction);
    expect(await session.getItems()).toEqual([]);
    expect(await session.popItem()).toBeUndefined();
  });

  it('with no items clears the session', async () => {
    const { session } = await compacted();
    await session.replaceHistoryWithCompaction([]);
    expect(await session.getItems()).toEqual([]);
  });
});

describe('applyHistoryMutations', () => {
  it('replaces a function call where it is, keeping what follows, and ignores unknown calls', async () => {
    const store = SessionStore.memory();
    const session = new SessionloomSession({ store });
    await session.addItems([user('q'), call('a'), result('a'), call('b'), result('b'), said('done')]);
    await session.applyHistoryMutations({ mutations: [{ type: 'replace_function_call', callId: 'missing', replacement: call('missing') }] });
    expect(await session.getItems()).toHaveLength(6);
    const replacement = call('b', '{"id":"7"}');
    await session.applyHistoryMutations({ mutations: [{ type: 'replace_function_call', callId: 'b', replacement }] });
    expect(await session.getItems()).toEqual([user('q'), call('a'), result('a'), replacement, result('b'), said('done')]);
    // The replaced tail stays readable through branches.
    const { rewoundTails } = await store.branches(session.sessionId);
    expect(rewoundTails.flatMap((tail) => tail.messageIds)).toHaveLength(3);
  });
});

// The Agents SDK's runner replaces the session's history when a model answers with a compaction
// item (OpenAI's server-side compaction) from 0.20 on; the main lane runs 0.14, the Node 22 lane 0.20.
describe.skipIf((agentsCoreMinor ?? 0) < 20)(`an Agents SDK ${agentsCoreVersion} run whose model compacts`, () => {
  it('replaces the history in one write, the next turn is sent the compacted history, and sessionloom keeps it all', async () => {
    const store = SessionStore.memory();
    const session = new SessionloomSession({ store });
    const replace = vi.spyOn(session, 'replaceHistoryWithCompaction');
    const clear = vi.spyOn(session, 'clearSession');
    const compactionItem = { type: 'compaction', encrypted_content: 'opaque-summary-of-turn-1' } as unknown as AgentOutputItem;
    const model = new ScriptedModel([
      () => [assistantSays('Paris is sunny.')],
      () => [compactionItem, assistantSays('Still sunny.')],
      () => [assistantSays('You asked three things.')],
    ]);
    const agent = new Agent({ name: 'forecaster', model });
    const runner = new Runner({ tracingDisabled: true });
    await runner.run(agent, 'Weather in Paris?', { session });
    await runner.run(agent, 'And tomorrow?', { session });

    expect(replace).toHaveBeenCalledTimes(1);
    expect(clear).not.toHaveBeenCalled();
    const items = await session.getItems();
    expect(items[0]).toMatchObject({ type: 'compaction', encrypted_content: 'opaque-summary-of-turn-1' });
    // The path is the compacted view; history reads the conversation as written.
    expect(JSON.stringify(await store.getMessages(session.sessionId))).not.toContain('Paris is sunny.');
    const history = await store.history(session.sessionId);
    expect(history[0]!.content).toBe('Weather in Paris?');
    expect(JSON.stringify(history)).toContain('Paris is sunny.');

    await runner.run(agent, 'And the day after?', { session });
    expect(model.inputs[2]![0]).toMatchObject({ type: 'compaction' });
    expect(JSON.stringify(model.inputs[2])).not.toContain('Paris is sunny.');
  });
});
