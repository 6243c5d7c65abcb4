/**
 * The OpenAI Agents SDK's `OpenAIResponsesCompactionSession` (in `@openai/agents-openai` 0.20)
 * over `SessionloomSession`, end to end against a local OpenAI Responses API server: the SDK's
 * runner talks to the server's `/v1/responses`, the compaction session to `/v1/responses/compact`,
 * and its clear-then-add of the compacted items lands in sessionloom as ONE compaction: the
 * session's path is the compacted view, and `history` still reads every message written before,
 * byte-identical. The package is only in the Node 22 lane (scripts/lane-package.mjs: the main
 * lane's Agents SDK is 0.14), so elsewhere this file is skipped, saying so.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, Runner, type AgentInputItem, type Session as AgentsSession } from '@openai/agents-core';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { SessionloomSession } from '../src/adapters/openai-agents/index.js';
import { SessionStore, type StoredMessage } from '../src/index.js';
import { startResponsesServer, type ResponsesServer } from './fixtures/openai-responses-server.js';
import { temporaryDirectory } from './fixtures/workspace.js';

// Named through variables, so the main lane (which has neither package) type-checks this file.
const agentsOpenaiName = '@openai/agents-openai';
const openaiName = 'openai';
interface CompactionSessionOptions {
  client: unknown;
  underlyingSession: AgentsSession;
  model: string;
  compactionMode: 'input';
  shouldTriggerCompaction: (context: { compactionCandidateItems: AgentInputItem[] }) => boolean | Promise<boolean>;
}
type CompactionSession = AgentsSession & { runCompaction(args?: { force?: boolean }): Promise<unknown> };
const agentsOpenai = (await import(agentsOpenaiName).catch(() => undefined)) as
  | {
      OpenAIResponsesCompactionSession: new (options: CompactionSessionOptions) => CompactionSession;
      OpenAIResponsesModel: new (client: unknown, model: string) => Agent['model'];
    }
  | undefined;
const OpenAI = ((await import(openaiName).catch(() => undefined)) as { default: new (options: { apiKey: string; baseURL: string }) => unknown } | undefined)?.default;
if (!agentsOpenai || !OpenAI) console.warn('openai-agents-compaction-session: @openai/agents-openai is not installed here (only in the Node 22 lane); skipped.');

const directory = temporaryDirectory('agents-compaction');
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let server: ResponsesServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe.skipIf(!agentsOpenai || !OpenAI)('OpenAIResponsesCompactionSession over SessionloomSession, against a Responses API server', () => {
  it('compacts in one write: the path is the compacted view, history reads every earlier message byte-identical', async () => {
    server = await startResponsesServer(['Sunny, 24 degrees.', 'Rain in the afternoon.', 'You asked about Paris twice.']);
    const client = new OpenAI!({ apiKey: 'test-key', baseURL: server.baseURL });
    const store = SessionStore.sqlite(join(directory, 'sessions.db'));
    const underlying = new SessionloomSession({ store, sessionId: 'weather-chat' });
    let beforeCompaction: StoredMessage[] | undefined;
    let versionBefore = 0;
    const session = new agentsOpenai!.OpenAIResponsesCompactionSession({
      client,
      underlyingSession: underlying,
      model: 'gpt-4.1',
      compactionMode: 'input',
      // Compact once two answers are in the history; first note what sessionloom holds then.
      shouldTriggerCompaction: async ({ compactionCandidateItems }) => {
        if (compactionCandidateItems.length < 2) return false;
        beforeCompaction = await store.getMessages('weather-chat');
        versionBefore = (await store.get('weather-chat'))!.version;
        return true;
      },
    });
    const agent = new Agent({ name: 'forecaster', model: new agentsOpenai!.OpenAIResponsesModel(client, 'gpt-4.1') });
    const runner = new Runner({ tracingDisabled: true });
    const deletes = vi.spyOn(store, 'delete');
    const compacts = vi.spyOn(store, 'compact');

    await runner.run(agent, 'Weather in Paris?', { session });
    expect(beforeCompaction).toBeUndefined();
    await runner.run(agent, 'And tomorrow?', { session });

    // The compaction happened, against the server's compact endpoint, with the whole history as input.
    const compactRequests = server.requests.filter((request) => request.path === '/v1/responses/compact');
    expect(compactRequests).toHaveLength(1);
    expect(JSON.stringify(compactRequests[0]!.body.input)).toContain('Sunny, 24 degrees.');
    // One write: the session's version moved by one, by one compaction, and nothing was deleted.
    expect(compacts).toHaveBeenCalledTimes(1);
    expect(deletes).not.toHaveBeenCalled();
    expect((await store.get('weather-chat'))!.version).toBe(versionBefore + 1);

    // sessionloom keeps the conversation: every message written before, byte-identical.
    expect(beforeCompaction!.map((message) => message.content)).toEqual([
      'Weather in Paris?',
      [{ type: 'text', text: 'Sunny, 24 degrees.' }],
      'And tomorrow?',
      [{ type: 'text', text: 'Rain in the afternoon.' }],
    ]);
    expect(await store.history('weather-chat')).toEqual(beforeCompaction);
    // The path is the compacted view: a summary the SDK does not see, then the compacted items.
    const items = await session.getItems();
    expect(items.map((item) => item.type)).toEqual(['message', 'message', 'compaction']);
    expect(items[2]).toMatchObject({ type: 'compaction', encrypted_content: 'opaque-summary-1-of-4-items' });
    const path = await store.getMessages('weather-chat');
    expect(path).toHaveLength(1 + items.length);
    expect((await store.branches('weather-chat')).compactions).toEqual([expect.objectContaining({ messageId: path[0]!.id, count: 4, added: 3 })]);
    expect(JSON.stringify(path)).not.toContain('Sunny, 24 degrees.');

    // The next turn sends the model the compacted history, and is appended after it.
    await runner.run(agent, 'What did I ask?', { session });
    const lastInput = JSON.stringify(server.requests.filter((request) => request.path === '/v1/responses').at(-1)!.body.input);
    expect(lastInput).toContain('opaque-summary-1-of-4-items');
    expect(lastInput).not.toContain('Sunny, 24 degrees.');
    const history = await store.history('weather-chat');
    expect(history.slice(0, 4)).toEqual(beforeCompaction);
    expect(history.slice(4).map((message) => message.content)).toEqual(['What did I ask?', [{ type: 'text', text: 'You asked about Paris twice.' }]]);

    // A forced compaction through the SDK is one write too.
    const version = (await store.get('weather-chat'))!.version;
    await session.runCompaction({ force: true });
    expect((await store.get('weather-chat'))!.version).toBe(version + 1);
    expect((await store.history('weather-chat')).slice(0, 6)).toEqual(history);
    await store.close();
  });
});
