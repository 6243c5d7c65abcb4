/**
 * Live runs over HTTP, on real sockets: starting a run of a registered agent (202), following it as
 * Server-Sent Events (ids are seqs, Last-Event-ID resumes exactly, 204 once nothing more can come,
 * clear 400s for a malformed or beyond-the-end Last-Event-ID, heartbeats), cancelling it, tokens bound
 * to a user, and a client that stops reading (the server pulls no further than the socket takes).
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, ScriptedLanguageModel, SessionStore, type RunEvent } from '../src/index.js';
import { startServer, type RunningServer, type ServerOptions } from '../src/server/index.js';
import { readFollow } from './fixtures/sse.js';

const running: RunningServer[] = [];
const stores: SessionStore[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

const ALICE = 'alice-token-0123456789abcdef';
const BOB = 'bob-token-0123456789abcdefghij';
const answer = Array.from({ length: 60 }, (_, index) => `word${index}`).join(' ');

function typist(chunkDelayMs: number): Agent {
  return new Agent({ name: 'typist', model: new ScriptedLanguageModel({ fallback: { text: answer }, chunkDelayMs }) });
}

async function serve(options: Partial<ServerOptions> = {}): Promise<{ server: RunningServer; store: SessionStore }> {
  const store = options.store ?? SessionStore.memory();
  stores.push(store);
  const server = await startServer({
    port: 0,
    logger: { error: () => {} },
    agents: { quick: typist(0), slow: typist(25) },
    heartbeatMs: 50,
    ...options,
    store,
  });
  running.push(server);
  return { server, store };
}

function post(server: RunningServer, path: string, body: unknown, token?: string): Promise<Response> {
  return fetch(server.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

function follow(server: RunningServer, runId: string, headers: Record<string, string> = {}, query = ''): Promise<Response> {
  return fetch(`${server.url}/api/runs/${runId}/events?follow=1${query}`, { headers });
}

async function startRun(server: RunningServer, sessionId: string, agent: string, token?: string): Promise<string> {
  const response = await post(server, `/api/sessions/${sessionId}/runs`, { agent, input: 'Hello there' }, token);
  expect(response.status).toBe(202);
  const body = (await response.json()) as { runId: string; sessionId: string; status: string; events: string };
  expect(body).toMatchObject({ sessionId, status: 'running', events: `/api/runs/${body.runId}/events?follow=1` });
  expect(response.headers.get('location')).toBe(`/api/runs/${body.runId}`);
  return body.runId;
}

describe('runs over HTTP', () => {
  it('starts a run (202) and streams its events as SSE, ids being seqs, to the end of the run', async () => {
    const { server, store } = await serve();
    const session = await store.create();
    const runId = await startRun(server, session.id, 'slow');
    const response = await follow(server, runId);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const followed = await readFollow(response);
    expect(followed.end).toEqual({ runId, status: 'completed' });
    expect(followed.events).toEqual(JSON.parse(JSON.stringify(await store.runEvents(runId))));
    expect(followed.events.filter((event) => event.type === 'text-delta').map((event) => (event.data as { text: string }).text).join('')).toBe(answer);
    expect(followed.comments).toContain('heartbeat');
    const messages = await store.getMessages(session.id);
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant']);
  });

  it('resumes exactly after Last-Event-ID, answers 204 once nothing more can come, and 400 for a bad or beyond-the-end id', async () => {
    const { server, store } = await serve();
    const session = await store.create();
    const runId = await startRun(server, session.id, 'quick');
    const whole = await readFollow(await follow(server, runId));
    const total = whole.events.length;
    expect(total).toBeGreaterThan(3);
    const resumed = await readFollow(await follow(server, runId, { 'Last-Event-ID': '2' }));
    expect(resumed.events.map((event) => event.seq)).toEqual(whole.events.slice(2).map((event) => event.seq));
    // The query parameter is the first connection's resume point; Last-Event-ID wins on a reconnect.
    expect((await readFollow(await follow(server, runId, {}, '&afterSeq=3'))).events[0]?.seq).toBe(4);
    expect((await readFollow(await follow(server, runId, { 'Last-Event-ID': '1' }, '&afterSeq=3'))).events[0]?.seq).toBe(2);
    expect((await follow(server, runId, { 'Last-Event-ID': String(total) })).status).toBe(204);

    for (const bad of ['abc', '-1', '1.5', '9'.repeat(30), String(total + 1)]) {
      const response = await follow(server, runId, { 'Last-Event-ID': bad });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string; argument: string } }).error).toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'Last-Event-ID' });
    }
    expect((await follow(server, runId, {}, '&afterSeq=-2')).status).toBe(400);
    expect((await fetch(`${server.url}/api/runs/${runId}/events?follow=2`)).status).toBe(400);
    expect((await follow(server, 'run-unknown')).status).toBe(404);
    // Without follow, the same path is the JSON log.
    const log = (await (await fetch(`${server.url}/api/runs/${runId}/events`)).json()) as { events: RunEvent[] };
    expect(log.events).toHaveLength(total);
  });

  it('cancels a running run: 202 with the request, the stream ends with the run cancelled within a second', async () => {
    const { server, store } = await serve();
    const session = await store.create();
    const runId = await startRun(server, session.id, 'slow');
    const response = await follow(server, runId);
    const reading = readFollow(response);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const askedAt = Date.now();
    const cancel = await post(server, `/api/runs/${runId}/cancel`, { reason: 'user left' });
    expect(cancel.status).toBe(202);
    expect(await cancel.json()).toMatchObject({ id: runId, status: 'running', cancelRequested: { reason: 'user left' } });
    const followed = await reading;
    expect(Date.now() - askedAt).toBeLessThan(1_000);
    expect(followed.end).toEqual({ runId, status: 'cancelled' });
    expect(followed.events.at(-1)).toMatchObject({ type: 'run-end', data: { status: 'cancelled' } });
    const again = await post(server, `/api/runs/${runId}/cancel`, {});
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: 'cancelled' });
    expect((await post(server, '/api/runs/run-unknown/cancel', {})).status).toBe(404);
    expect((await post(server, `/api/runs/${runId}/cancel`, { reason: 7 })).status).toBe(400);
  });

  it('refuses an unknown agent, a missing input, unknown fields, and a second run while one is in progress (409 naming it)', async () => {
    const { server, store } = await serve();
    const session = await store.create();
    const reply = async (body: unknown) => {
      const response = await post(server, `/api/sessions/${session.id}/runs`, body);
      return { status: response.status, error: ((await response.json()) as { error: Record<string, unknown> }).error };
    };
    expect(await reply({ agent: 'nobody', input: 'x' })).toMatchObject({ status: 400, error: { code: 'INVALID_ARGUMENT', argument: 'agent' } });
    expect(await reply({ agent: 'quick' })).toMatchObject({ status: 400, error: { argument: 'input' } });
    expect(await reply({ agent: 'quick', input: 'x', model: 'other' })).toMatchObject({ status: 400 });
    expect(await reply({ agent: 'quick', input: 42 })).toMatchObject({ status: 400 });
    expect((await post(server, '/api/sessions/no-such-session/runs', { agent: 'quick', input: 'x' })).status).toBe(404);
    const first = await startRun(server, session.id, 'slow');
    expect(await reply({ agent: 'quick', input: 'x' })).toMatchObject({ status: 409, error: { code: 'SESSION_CONFLICT', runningRunId: first } });
    const beside = await post(server, `/api/sessions/${session.id}/runs`, { agent: 'quick', input: 'x', allowConcurrent: true });
    expect(beside.status).toBe(202);
    expect(await store.runs(session.id)).toHaveLength(2);
    const agents = (await (await fetch(`${server.url}/api/agents`)).json()) as { agents: Array<{ name: string }> };
    expect(agents.agents.map((agent) => agent.name)).toEqual(['quick', 'slow']);
  });

  it('lets a user-bound token start, follow and cancel only its user\'s runs', async () => {
    const { server, store } = await serve({ tokens: [{ token: ALICE, userId: 'alice' }, { token: BOB, userId: 'bob' }] });
    await store.create({ id: 'alice-chat', userId: 'alice' });
    const runId = await startRun(server, 'alice-chat', 'slow', ALICE);
    expect((await post(server, '/api/sessions/alice-chat/runs', { agent: 'quick', input: 'x' }, BOB)).status).toBe(404);
    expect((await follow(server, runId, { authorization: `Bearer ${BOB}` })).status).toBe(404);
    expect((await post(server, `/api/runs/${runId}/cancel`, {}, BOB)).status).toBe(404);
    expect((await follow(server, runId)).status).toBe(401);
    expect((await store.getRun(runId))?.cancelRequested).toBeUndefined();
    // Message ids in the input are chosen ids: only in the token's namespace.
    await store.create({ id: 'alice-2', userId: 'alice' });
    const chosen = await post(server, '/api/sessions/alice-2/runs', { agent: 'quick', input: [{ role: 'user', content: 'x', id: 'someone-elses-id' }] }, ALICE);
    expect(chosen.status).toBe(400);
    expect((await store.getMessages('alice-2'))).toEqual([]);
    const followed = await readFollow(await follow(server, runId, { authorization: `Bearer ${ALICE}` }));
    expect(followed.end).toMatchObject({ status: 'completed' });
  });

  it('pulls no further than a client that stops reading takes, and stops following when it goes away', async () => {
    const store = SessionStore.memory();
    let pulled = 0;
    let finished = false;
    const followRun = store.followRun.bind(store);
    store.followRun = (runId, options) => {
      const events = followRun(runId, options);
      return (async function* () {
        try {
          for await (const event of events) {
            pulled += 1;
            yield event;
          }
        } finally {
          finished = true;
        }
      })();
    };
    const { server } = await serve({ store });
    const session = await store.create();
    const run = await store.startRun(session.id);
    const big = 'x'.repeat(16 * 1024);
    for (let batch = 0; batch < 40; batch += 1) {
      await store.recordRunEvents(run.id, Array.from({ length: 50 }, (_, index) => ({ type: 'text-delta', data: { batch, index, big } })));
    }
    // 2,000 events of 16 KiB (32 MiB): a client that reads nothing must not make the server hold them.
    let request: ClientRequest | undefined;
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      request = httpRequest({ host: '127.0.0.1', port: server.port, path: `/api/runs/${run.id}/events?follow=1` }, resolve);
      request.on('error', reject);
      request.end();
    });
    expect(response.statusCode).toBe(200);
    response.pause();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const pulledWhilePaused = pulled;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pulled).toBe(pulledWhilePaused);
    // Socket buffers on both sides hold a few MiB at most: far from the 2,000 events.
    expect(pulled).toBeLessThan(400);
    request!.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(finished).toBe(true);
  });
});
