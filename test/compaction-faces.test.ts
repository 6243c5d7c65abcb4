/**
 * Compaction's faces: `sessionloom compact` and `show` (marks and --history) as a user runs them,
 * and the HTTP API's `POST /api/sessions/:id/compact` and `GET /api/sessions/:id/history`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Agent, COMPACTION_SUMMARY_PREFIX, Runner, ScriptedLanguageModel, SessionStore, type CompactResult, type StoredMessage } from '../src/index.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { runCliJson, runCliProcess, withLibraryStore } from './fixtures/cli-process.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-compaction-faces-'));
let counter = 0;
const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const newStoreUrl = (): string => `sqlite:${join(directory, `faces-${++counter}.db`)}`;
const turns = (count: number) => Array.from({ length: count }, (_, index) => ({ role: 'user' as const, content: `turn ${index + 1}` }));

async function seeded(storeUrl: string, count: number): Promise<{ id: string; messages: StoredMessage[] }> {
  return withLibraryStore(storeUrl, async (store) => {
    const session = await store.create();
    return { id: session.id, messages: await store.append(session.id, turns(count)) };
  });
}

describe('sessionloom compact and show', () => {
  it('compacts with a summary, keeping the newest messages, and show marks the compaction', async () => {
    const storeUrl = newStoreUrl();
    const { id, messages } = await seeded(storeUrl, 6);
    const result = await runCliJson<CompactResult & { sessionId: string }>(['compact', id, '--keep-messages', '2', '--summary', 'Six turns of counting.'], { storeUrl });
    expect(result).toMatchObject({ sessionId: id, compacted: true, compaction: { count: 4, kept: 2, from: messages[0]!.id, to: messages[3]!.id } });
    const shown = await runCliProcess(['show', id], { storeUrl });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/compaction \(4 messages replaced\)/);
    expect(shown.stdout).toMatch(/show --history reads them/);
    const history = await runCliJson<{ messages: StoredMessage[] }>(['show', id, '--history'], { storeUrl });
    expect(history.messages).toEqual(messages);
    const text = await runCliProcess(['compact', id, '--keep-messages', '10', '--summary', 'again'], { storeUrl });
    expect(text.stdout).toMatch(/Nothing compacted: keep \(lastMessages: 10\) covers the whole path of 3 messages/);
  });

  it('writes the summary with --model, and refuses to guess without --summary or --model', async () => {
    const storeUrl = newStoreUrl();
    const { id } = await seeded(storeUrl, 4);
    const result = await runCliJson<CompactResult>(['compact', id, '--keep-tokens', '0', '--model', 'scripted'], { storeUrl });
    expect(result.compaction).toMatchObject({ count: 4, kept: 0 });
    const path = await withLibraryStore(storeUrl, (store) => store.getMessages(id));
    expect(String(path[0]?.content)).toMatch(new RegExp(`^${COMPACTION_SUMMARY_PREFIX.slice(0, 20)}`));
    const refused = await runCliProcess(['compact', id], { storeUrl });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/--summary TEXT, or --model M/);
  });
});

describe('sessionloom replay', () => {
  it('tells what an automatic compaction did before a step', async () => {
    const storeUrl = newStoreUrl();
    const { id } = await seeded(storeUrl, 6);
    const runId = await withLibraryStore(storeUrl, async (store) => {
      const agent = new Agent({ name: 'compacting', model: new ScriptedLanguageModel({ turns: [{ text: 'ok' }] }) });
      const compaction = { triggerTokens: 50, keepTokens: 20, countTokens: () => 10, summarize: () => 'Six turns.' };
      return (await Runner.run(agent, { input: 'turn 7', session: { store, resume: id }, compaction })).runId;
    });
    const replay = await runCliProcess(['replay', runId], { storeUrl });
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/compaction\s+before step 1: 70 tokens -> 30, 5 messages replaced by a summary, 2 kept/);
  });
});

describe('compaction over HTTP', () => {
  async function serve() {
    const store = SessionStore.memory();
    const server = await startServer({ port: 0, logger: { error: () => {} }, store });
    running.push(server);
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(server.url + path, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    return { store, call };
  }

  it('compacts with POST /compact and reads everything with GET /history', async () => {
    const { store, call } = await serve();
    const session = await store.create();
    const messages = await store.append(session.id, turns(5));
    const compacted = await call('POST', `/api/sessions/${session.id}/compact`, { summary: 'Five turns.', keep: { lastMessages: 1 } });
    expect(compacted.status).toBe(200);
    expect(compacted.body).toMatchObject({ compacted: true, compaction: { count: 4, kept: 1 } });
    const path = await call('GET', `/api/sessions/${session.id}/messages`);
    expect(path.body.messages).toHaveLength(2);
    const history = await call('GET', `/api/sessions/${session.id}/history?last=2`);
    expect(history.body.messages).toEqual(messages.slice(-2));
    const all = await call('GET', `/api/sessions/${session.id}/history`);
    expect(all.body.messages).toEqual(messages);
  });

  it('refuses what a compaction over HTTP cannot take, changing nothing', async () => {
    const { store, call } = await serve();
    const session = await store.create({ messages: turns(3) });
    for (const body of [{ summary: '' }, { summary: 'x', summarize: 'evil' }, { summary: 'x', countTokens: 1 }, {}]) {
      const reply = await call('POST', `/api/sessions/${session.id}/compact`, body);
      expect({ status: reply.status, code: reply.body.error?.code }).toEqual({ status: 400, code: 'INVALID_ARGUMENT' });
    }
    const stale = await call('POST', `/api/sessions/${session.id}/compact`, { summary: 'x', expectedVersion: 0 });
    expect(stale.status).toBe(409);
    expect(await store.getMessages(session.id)).toHaveLength(3);
  });
});
