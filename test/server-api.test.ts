/**
 * The HTTP API, over real sockets: `startServer` on a free port, `fetch` as the client. Covers the
 * routes, the error mapping, tokens and scoping, and the guards against cross-site requests, DNS
 * rebinding, oversize bodies and file paths arriving from the network.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, SessionStore, StoreUnavailableError, type MessageInput, type Session } from '../src/index.js';
import { startServer, type RunningServer, type ServerOptions } from '../src/server/index.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-server-'));
const running: RunningServer[] = [];
const stores: SessionStore[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
  await Promise.all(stores.splice(0).map((store) => store.close()));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const ALICE_TOKEN = 'alice-token-0123456789abcdef';
const BOB_TOKEN = 'bob-token-0123456789abcdefghij';
const ADMIN_TOKEN = 'admin-token-0123456789abcdef';

function memoryStore(): SessionStore {
  const store = SessionStore.memory();
  stores.push(store);
  return store;
}

async function serve(options: Partial<ServerOptions> = {}): Promise<{ server: RunningServer; store: SessionStore }> {
  const store = options.store ?? memoryStore();
  const server = await startServer({ port: 0, logger: { error: () => {} }, ...options, store });
  running.push(server);
  return { server, store };
}

interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

interface CallOptions {
  body?: unknown;
  /** Sent as is, instead of `body` as JSON. */
  raw?: string;
  token?: string;
  headers?: Record<string, string>;
}

async function call(server: RunningServer, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }) };
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined || (method !== 'GET' && method !== 'HEAD')) {
    body = options.body === undefined ? undefined : JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  Object.assign(headers, options.headers);
  const response = await fetch(server.url + path, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** Raw HTTP, for headers `fetch` decides itself (Host). */
function rawRequest(server: RunningServer, path: string, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port: server.port, path, method: 'GET', headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) }));
    });
    request.on('error', reject);
    request.end();
  });
}

function expectError(reply: Reply, status: number, code: string): void {
  expect({ status: reply.status, code: reply.body?.error?.code }).toEqual({ status, code });
  expect(typeof reply.body.error.message).toBe('string');
}

/** AI SDK messages with every kind of content part the store must keep exactly. */
const richMessages: MessageInput[] = [
  { role: 'system', content: 'You are terse.' },
  {
    role: 'user',
    content: [
      { type: 'text', text: 'What is in this picture? ünïcödé ✓' },
      { type: 'image', image: 'https://example.com/cat.png', mediaType: 'image/png' },
      { type: 'file', data: 'aGVsbG8=', mediaType: 'text/plain', filename: 'hello.txt' },
    ],
    metadata: { source: 'web' },
  },
  {
    role: 'assistant',
    content: [
      { type: 'reasoning', text: 'Look at the picture first.' },
      { type: 'text', text: 'Let me check.' },
      { type: 'tool-call', toolCallId: 'call-1', toolName: 'describe', input: { url: 'https://example.com/cat.png', detail: 2, exact: true } },
    ],
    providerOptions: { anthropic: { cacheControl: { type: 'ephemeral' } } },
  },
  {
    role: 'tool',
    content: [{ type: 'tool-result', toolCallId: 'call-1', toolName: 'describe', output: { type: 'json', value: { animal: 'cat', count: 1, tags: ['fluffy', null] } } }],
  },
  { role: 'assistant', content: 'A cat.' },
];

function withoutStoredFields(message: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, createdAt: _createdAt, ...rest } = message;
  return rest;
}

describe('sessions over HTTP', () => {
  it('answers health with the backend and degraded state', async () => {
    const { server } = await serve();
    const reply = await call(server, 'GET', '/api/health');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ ok: true, backend: 'memory', degraded: false });
    expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("shows a fallback store's journal and last replay in health, to unbound tokens only", async () => {
    const store = SessionStore.fallback(memoryStore(), { fallback: { directory: join(directory, 'health-journal') }, probeIntervalMs: 60_000 });
    stores.push(store);
    const { server } = await serve({ store, tokens: [{ token: ALICE_TOKEN, userId: 'alice' }, { token: ADMIN_TOKEN }] });
    const admin = await call(server, 'GET', '/api/health', { token: ADMIN_TOKEN });
    expect(admin.status).toBe(200);
    expect(admin.body).toMatchObject({ ok: true, degraded: false, fallback: { degraded: false, journalLength: 0 } });
    expect(admin.body.fallback.journalLocation).toEqual(expect.stringContaining('health-journal'));
    const alice = await call(server, 'GET', '/api/health', { token: ALICE_TOKEN });
    expect(alice.status).toBe(200);
    expect(alice.body).toEqual({ ok: true, backend: admin.body.backend, degraded: false });
  });

  it('creates, reads and deletes a session', async () => {
    const { server } = await serve();
    const created = await call(server, 'POST', '/api/sessions', { body: { id: 'chat-1', userId: 'alice', tags: ['a'], metadata: { team: 'x' } } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'chat-1', userId: 'alice', tags: ['a'], metadata: { team: 'x' }, version: 1, state: 'active' });

    const read = await call(server, 'GET', '/api/sessions/chat-1');
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);

    const deleted = await call(server, 'DELETE', '/api/sessions/chat-1');
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expectError(await call(server, 'GET', '/api/sessions/chat-1'), 404, 'SESSION_NOT_FOUND');
    expectError(await call(server, 'DELETE', '/api/sessions/chat-1'), 404, 'SESSION_NOT_FOUND');
  });

  it('creates a session from an empty body', async () => {
    const { server } = await serve();
    const created = await call(server, 'POST', '/api/sessions');
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^session_/);
  });

  it('lists with filters (user, agent, state, repeated tags, string metadata) and pages with the cursor', async () => {
    const { server, store } = await serve();
    for (let index = 0; index < 7; index += 1) {
      await store.create({
        id: `s-${index}`,
        userId: index % 2 === 0 ? 'alice' : 'bob',
        agentId: index < 5 ? 'helper' : 'other',
        tags: index % 3 === 0 ? ['red', 'big'] : ['red'],
        metadata: { team: index < 4 ? 'core' : 'edge', count: index, label: String(index) },
      });
    }
    await store.expire('s-6');

    const ids = (reply: Reply) => (reply.body.sessions as Session[]).map((session) => session.id).sort();
    expect(ids(await call(server, 'GET', '/api/sessions?userId=alice'))).toEqual(['s-0', 's-2', 's-4', 's-6']);
    expect(ids(await call(server, 'GET', '/api/sessions?userId=alice&agentId=helper'))).toEqual(['s-0', 's-2', 's-4']);
    expect(ids(await call(server, 'GET', '/api/sessions?tag=red&tag=big'))).toEqual(['s-0', 's-3', 's-6']);
    expect(ids(await call(server, 'GET', '/api/sessions?filter.team=core&tag=big'))).toEqual(['s-0', 's-3']);
    expect(ids(await call(server, 'GET', '/api/sessions?state=expired'))).toEqual(['s-6']);
    expect(ids(await call(server, 'GET', '/api/sessions?state=expired&state=active&userId=bob'))).toEqual(['s-1', 's-3', 's-5']);
    // Filters over HTTP compare strings: "3" matches the string label, not the number count.
    expect(ids(await call(server, 'GET', '/api/sessions?filter.label=3'))).toEqual(['s-3']);
    expect(ids(await call(server, 'GET', '/api/sessions?filter.count=3'))).toEqual([]);

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const query = `/api/sessions?orderBy=createdAt&order=asc&limit=3${cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
      const page = await call(server, 'GET', query);
      expect(page.status).toBe(200);
      seen.push(...(page.body.sessions as Session[]).map((session) => session.id));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual(['s-0', 's-1', 's-2', 's-3', 's-4', 's-5', 's-6']);

    // A cursor is bound to its filters: reusing it with others is the store's 400.
    const first = await call(server, 'GET', '/api/sessions?limit=2');
    expectError(await call(server, 'GET', `/api/sessions?limit=2&userId=bob&cursor=${first.body.nextCursor}`), 400, 'INVALID_ARGUMENT');
  });

  it('appends and reads AI SDK messages, content parts round-tripping exactly', async () => {
    const { server } = await serve();
    await call(server, 'POST', '/api/sessions', { body: { id: 'rich' } });
    const appended = await call(server, 'POST', '/api/sessions/rich/messages', { body: { messages: richMessages, expectedVersion: 1 } });
    expect(appended.status).toBe(201);
    expect(appended.body.messages).toHaveLength(richMessages.length);

    const read = await call(server, 'GET', '/api/sessions/rich/messages');
    expect(read.status).toBe(200);
    expect(read.body.messages.map(withoutStoredFields)).toEqual(richMessages);
    expect(read.body.messages.map((message: { id: string }) => message.id)).toEqual(appended.body.messages.map((message: { id: string }) => message.id));

    // One message without an array; an operation id makes a retry append nothing.
    const single = { messages: { role: 'user', content: 'Thanks!' }, operationId: 'op-1' };
    const once = await call(server, 'POST', '/api/sessions/rich/messages', { body: single });
    const again = await call(server, 'POST', '/api/sessions/rich/messages', { body: single });
    expect(once.status).toBe(201);
    expect(again.body.messages).toEqual(once.body.messages);
    expect((await call(server, 'GET', '/api/sessions/rich')).body.messageCount).toBe(richMessages.length + 1);

    const ids: string[] = (await call(server, 'GET', '/api/sessions/rich/messages')).body.messages.map((message: { id: string }) => message.id);
    const last2 = await call(server, 'GET', '/api/sessions/rich/messages?last=2');
    expect(last2.body.messages.map((message: { id: string }) => message.id)).toEqual(ids.slice(-2));
    const desc = await call(server, 'GET', '/api/sessions/rich/messages?order=desc&limit=2');
    expect(desc.body.messages.map((message: { id: string }) => message.id)).toEqual([ids[5], ids[4]]);
    const between = await call(server, 'GET', `/api/sessions/rich/messages?after=${ids[0]}&before=${ids[3]}`);
    expect(between.body.messages.map((message: { id: string }) => message.id)).toEqual([ids[1], ids[2]]);
    expectError(await call(server, 'GET', '/api/sessions/rich/messages?last=2&limit=2'), 400, 'INVALID_ARGUMENT');
    expectError(await call(server, 'GET', '/api/sessions/rich/messages?after=msg_nope'), 404, 'MESSAGE_NOT_FOUND');
  });

  it('forks, rewinds (dry run, to a message, to the start) and shows the branches', async () => {
    const { server } = await serve();
    await call(server, 'POST', '/api/sessions', { body: { id: 'source', messages: richMessages } });
    const ids: string[] = (await call(server, 'GET', '/api/sessions/source/messages')).body.messages.map((message: { id: string }) => message.id);

    const fork = await call(server, 'POST', '/api/sessions/source/fork', { body: { fromMessage: ids[1], id: 'fork-1', tags: ['what-if'] } });
    expect(fork.status).toBe(201);
    expect(fork.body).toMatchObject({ id: 'fork-1', parentId: 'source', messageCount: 2, tags: ['what-if'], forkedFrom: { sessionId: 'source', messageId: ids[1] } });
    const headFork = await call(server, 'POST', '/api/sessions/source/fork');
    expect(headFork.status).toBe(201);
    expect(headFork.body.messageCount).toBe(richMessages.length);

    const plan = await call(server, 'POST', '/api/sessions/source/rewind', { body: { toMessage: ids[2], dryRun: true } });
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({ removedMessages: 2, dryRun: true, session: { messageCount: 5 } });
    expect((await call(server, 'GET', '/api/sessions/source')).body.messageCount).toBe(5);

    const rewound = await call(server, 'POST', '/api/sessions/source/rewind', { body: { toMessage: ids[2] } });
    expect(rewound.status).toBe(200);
    expect(rewound.body).toMatchObject({ removedMessages: 2, session: { id: 'source', messageCount: 3 } });
    expect((await call(server, 'GET', '/api/sessions/source/messages')).body.messages.map((message: { id: string }) => message.id)).toEqual(ids.slice(0, 3));

    const branches = await call(server, 'GET', '/api/sessions/source/branches');
    expect(branches.status).toBe(200);
    expect(branches.body.forks.map((node: { session: Session }) => node.session.id).sort()).toEqual(['fork-1', headFork.body.id].sort());
    expect(branches.body.rewoundTails).toEqual([{ afterMessageId: ids[2], messageIds: ids.slice(3), messageCount: 2 }]);
    const forkBranches = await call(server, 'GET', '/api/sessions/fork-1/branches');
    expect(forkBranches.body.parents.map((session: Session) => session.id)).toEqual(['source']);

    const toStart = await call(server, 'POST', '/api/sessions/source/rewind', { body: { toStart: true } });
    expect(toStart.body).toMatchObject({ removedMessages: 3, session: { messageCount: 0 } });
    expectError(await call(server, 'POST', '/api/sessions/source/rewind', { body: {} }), 400, 'INVALID_ARGUMENT');
    expectError(await call(server, 'POST', '/api/sessions/source/rewind', { body: { toMessage: 'msg_missing' } }), 404, 'MESSAGE_NOT_FOUND');
  });

  it('lists file checkpoints (none here)', async () => {
    const { server } = await serve();
    await call(server, 'POST', '/api/sessions', { body: { id: 'plain' } });
    const reply = await call(server, 'GET', '/api/sessions/plain/checkpoints');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ checkpoints: [] });
  });

  it('updates, and answers a stale expectedVersion with 409 and both versions, changing nothing', async () => {
    const { server } = await serve();
    await call(server, 'POST', '/api/sessions', { body: { id: 'versioned', metadata: { a: 1 } } });
    const updated = await call(server, 'PATCH', '/api/sessions/versioned', { body: { metadata: { b: 2 }, tags: ['t'], expectedVersion: 1 } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ metadata: { a: 1, b: 2 }, tags: ['t'], version: 2 });

    const stale = await call(server, 'PATCH', '/api/sessions/versioned', { body: { metadata: { c: 3 }, expectedVersion: 1 } });
    expectError(stale, 409, 'SESSION_CONFLICT');
    expect(stale.body.error).toMatchObject({ expectedVersion: 1, actualVersion: 2, sessionId: 'versioned' });
    expect((await call(server, 'GET', '/api/sessions/versioned')).body).toEqual(updated.body);

    const staleAppend = await call(server, 'POST', '/api/sessions/versioned/messages', { body: { messages: [{ role: 'user', content: 'x' }], expectedVersion: 1 } });
    expectError(staleAppend, 409, 'SESSION_CONFLICT');
    expect(staleAppend.body.error).toMatchObject({ expectedVersion: 1, actualVersion: 2 });
  });

  it('answers an append to an expired session with 410; it stays readable', async () => {
    const { server, store } = await serve();
    await store.create({ id: 'old', messages: [{ role: 'user', content: 'hi' }] });
    await store.expire('old');
    expectError(await call(server, 'POST', '/api/sessions/old/messages', { body: { messages: [{ role: 'user', content: 'again' }] } }), 410, 'SESSION_EXPIRED');
    expectError(await call(server, 'POST', '/api/sessions/old/fork', { body: {} }), 410, 'SESSION_EXPIRED');
    expect((await call(server, 'GET', '/api/sessions/old/messages')).body.messages).toHaveLength(1);
  });

  it('serves runs and their events', async () => {
    const { server, store } = await serve({ store: (() => { const store = SessionStore.sqlite(join(directory, 'runs.db')); stores.push(store); return store; })() });
    await store.create({ id: 'with-runs' });
    const run = await store.startRun('with-runs', { agentName: 'helper', id: 'run-1' });
    await store.recordRunEvents(run.id, [
      { type: 'text', data: { text: 'hello' } },
      { type: 'tool-call', data: { toolName: 'search', input: { q: 'x' } } },
      { type: 'tool-result', data: { output: [1, 2, 3] } },
    ]);
    await store.finishRun(run.id, { status: 'completed', usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 } });

    const runs = await call(server, 'GET', '/api/sessions/with-runs/runs');
    expect(runs.status).toBe(200);
    expect(runs.body.runs).toHaveLength(1);
    expect(runs.body.runs[0]).toMatchObject({ id: 'run-1', sessionId: 'with-runs', status: 'completed', agentName: 'helper', usage: { totalTokens: 15 } });
    expect((await call(server, 'GET', '/api/runs/run-1')).body).toEqual(runs.body.runs[0]);

    const events = await call(server, 'GET', '/api/runs/run-1/events');
    expect(events.body.events.map((event: { seq: number; type: string }) => [event.seq, event.type])).toEqual([[1, 'text'], [2, 'tool-call'], [3, 'tool-result']]);
    expect(events.body.events[1].data).toEqual({ toolName: 'search', input: { q: 'x' } });
    const after = await call(server, 'GET', '/api/runs/run-1/events?afterSeq=1&limit=1');
    expect(after.body.events.map((event: { seq: number }) => event.seq)).toEqual([2]);

    expectError(await call(server, 'GET', '/api/runs/run-missing'), 404, 'RUN_NOT_FOUND');
    expectError(await call(server, 'GET', '/api/runs/run-missing/events'), 404, 'RUN_NOT_FOUND');
    expectError(await call(server, 'GET', '/api/runs/run-1/events?afterSeq=x'), 400, 'INVALID_ARGUMENT');
  });
});

describe('invalid input over HTTP', () => {
  it('answers 400 INVALID_ARGUMENT and changes nothing', async () => {
    const { server, store } = await serve();
    await store.create({ id: 'kept', messages: [{ role: 'user', content: 'hi' }] });
    const before = await store.get('kept');

    const cases: Array<[string, string, unknown?]> = [
      ['GET', `/api/sessions/${encodeURIComponent('../x')}`],
      ['GET', `/api/sessions/${encodeURIComponent('../x')}/messages`],
      ['POST', `/api/sessions/${encodeURIComponent('../x')}/messages`, { messages: [{ role: 'user', content: 'x' }] }],
      ['DELETE', `/api/sessions/${encodeURIComponent('../kept')}`],
      ['POST', '/api/sessions', { id: '../x' }],
      ['POST', '/api/sessions', { id: 'ok', unknownField: 1 }],
      ['POST', '/api/sessions', ['not', 'an', 'object']],
      ['GET', '/api/sessions?limit=abc'],
      ['GET', '/api/sessions?limit=1.5'],
      ['GET', '/api/sessions?limit=10abc'],
      ['GET', '/api/sessions?limit=0'],
      ['GET', '/api/sessions?limit=1&limit=2'],
      ['GET', '/api/sessions?orderBy=bogus'],
      ['GET', '/api/sessions?order=sideways'],
      ['GET', '/api/sessions?state=sleeping'],
      ['GET', '/api/sessions?tags=red'],
      ['GET', '/api/sessions?filter.__proto__=x'],
      ['GET', '/api/sessions?userId='],
      ['GET', '/api/sessions/kept/messages?limit=-1'],
      ['GET', '/api/sessions/kept/messages?after=../x'],
      ['POST', '/api/sessions/kept/messages', { messages: [] }],
      ['POST', '/api/sessions/kept/messages', { messages: [{ role: 'wizard', content: 'x' }] }],
      ['POST', '/api/sessions/kept/messages', { message: { role: 'user', content: 'x' } }],
      ['POST', '/api/sessions/kept/messages', { messages: [{ role: 'user', content: 'x' }], expectedVersion: '1' }],
      ['POST', '/api/sessions/kept/messages', { messages: [{ role: 'user', content: 'x' }], runId: 'run-1' }],
      ['PATCH', '/api/sessions/kept', { ttlMs: -5 }],
      ['PATCH', '/api/sessions/kept', { state: 'expired' }],
      ['POST', '/api/sessions/kept/fork', { id: '../escape' }],
      ['POST', '/api/sessions/kept/rewind', { toMessage: '../x' }],
      ['POST', '/api/sessions/kept/rewind', { toStart: true, extra: 1 }],
    ];
    for (const [method, path, body] of cases) {
      const reply = await call(server, method, path, body === undefined ? {} : { body });
      expect({ method, path, body, status: reply.status, code: reply.body?.error?.code }).toEqual({ method, path, body, status: 400, code: 'INVALID_ARGUMENT' });
    }
    // JSON.stringify would drop a __proto__ key set in an object literal: send it as written.
    for (const raw of ['{"id":"ok","metadata":{"__proto__":{"polluted":true}}}', '{"id":"ok","__proto__":{"polluted":true}}']) {
      expectError(await call(server, 'POST', '/api/sessions', { raw, headers: { 'content-type': 'application/json' } }), 400, 'INVALID_ARGUMENT');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await store.get('kept')).toEqual(before);
    expect((await store.list()).sessions.map((session) => session.id)).toEqual(['kept']);
  });

  it('answers malformed JSON with 400 INVALID_ARGUMENT', async () => {
    const { server, store } = await serve();
    const reply = await call(server, 'POST', '/api/sessions', { raw: '{"id": "x",', headers: { 'content-type': 'application/json' } });
    expectError(reply, 400, 'INVALID_ARGUMENT');
    expect(reply.body.error.message).toMatch(/not valid JSON/);
    expect((await store.list()).sessions).toEqual([]);
  });

  it('refuses file rewinds over HTTP, leaving the session and the files alone', async () => {
    const { server, store } = await serve();
    const workspace = join(directory, 'workspace');
    mkdirSync(workspace, { recursive: true });
    writeFileSync(join(workspace, 'a.txt'), 'before');
    await store.create({ id: 'files', messages: [{ role: 'user', content: 'one' }] });
    const [first] = await store.getMessages('files');
    await store.checkpoint('files', { workspace });
    await store.append('files', { role: 'assistant', content: 'edited a.txt' });
    writeFileSync(join(workspace, 'a.txt'), 'after');
    const before = await store.get('files');

    for (const body of [
      { toMessage: first!.id, rewindFiles: true, workspace },
      { toMessage: first!.id, rewindFiles: true, workspace, dryRun: true },
      { toMessage: first!.id, workspace: '/etc' },
      { toMessage: first!.id, force: true },
      { toMessage: first!.id, rewindFiles: false },
    ]) {
      const reply = await call(server, 'POST', '/api/sessions/files/rewind', { body });
      expectError(reply, 400, 'INVALID_ARGUMENT');
      expect(reply.body.error.message).toMatch(/CLI or library on the machine that holds the workspace/);
    }
    expect(await store.get('files')).toEqual(before);
    expect(readFileSync(join(workspace, 'a.txt'), 'utf8')).toBe('after');
  });

  it('answers unknown routes with a JSON 404 and serves nothing at /', async () => {
    const { server } = await serve();
    expectError(await call(server, 'GET', '/api/nothing'), 404, 'ROUTE_NOT_FOUND');
    expectError(await call(server, 'PUT', '/api/sessions/x', { body: {} }), 404, 'ROUTE_NOT_FOUND');
    expectError(await call(server, 'GET', '/'), 404, 'ROUTE_NOT_FOUND');
  });

  it('lets another module mount routes outside /api, without shadowing API 404s', async () => {
    const { server } = await serve({
      mount: (app) => {
        app.get('*', (c) => c.html('<h1>inspector</h1>'));
      },
    });
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe('<h1>inspector</h1>');
    expectError(await call(server, 'GET', '/api/nothing'), 404, 'ROUTE_NOT_FOUND');
    expect((await call(server, 'GET', '/api/health')).status).toBe(200);
  });

  it('answers unexpected errors with a generic 500 and logs them, leaking no details', async () => {
    const logged: unknown[] = [];
    const store = memoryStore();
    store.get = async () => {
      throw new Error('secret internal detail /var/lib/db');
    };
    store.list = async () => {
      throw new StoreUnavailableError({ store: 'postgres', message: 'connect ECONNREFUSED 10.1.2.3:5432' });
    };
    const { server } = await serve({ store, logger: { error: (_message, error) => logged.push(error) } });

    const crash = await call(server, 'GET', '/api/sessions/any');
    expectError(crash, 500, 'INTERNAL_ERROR');
    expect(JSON.stringify(crash.body)).not.toMatch(/secret|\/var\/lib|at /);

    const unavailable = await call(server, 'GET', '/api/sessions');
    expectError(unavailable, 503, 'STORE_UNAVAILABLE');
    expect(JSON.stringify(unavailable.body)).not.toMatch(/10\.1\.2\.3|ECONNREFUSED/);
    expect(logged.map((error) => (error as Error).message)).toEqual(['secret internal detail /var/lib/db', 'connect ECONNREFUSED 10.1.2.3:5432']);
  });
});

describe('tokens', () => {
  async function tokenServer() {
    const served = await serve({
      tokens: [
        { token: ALICE_TOKEN, userId: 'alice' },
        { token: BOB_TOKEN, userId: 'bob' },
        { token: ADMIN_TOKEN },
      ],
    });
    await served.store.create({ id: 'alice-1', userId: 'alice', messages: [{ role: 'user', content: 'private' }] });
    await served.store.create({ id: 'bob-1', userId: 'bob' });
    await served.store.create({ id: 'nobody-1' });
    return served;
  }

  it('refuses requests without a token or with a wrong one (same length or not) with 401', async () => {
    const { server } = await tokenServer();
    const sameLength = ALICE_TOKEN.slice(0, -1) + (ALICE_TOKEN.endsWith('f') ? 'e' : 'f');
    expect(sameLength).toHaveLength(ALICE_TOKEN.length);
    for (const [path, token, headers] of [
      ['/api/sessions', undefined, {}],
      ['/api/health', undefined, {}],
      ['/api/nothing', undefined, {}],
      ['/api/sessions', sameLength, {}],
      ['/api/sessions', 'short', {}],
      ['/api/sessions', ALICE_TOKEN + 'x', {}],
      ['/api/sessions', undefined, { authorization: `Basic ${Buffer.from(`alice:${ALICE_TOKEN}`).toString('base64')}` }],
      ['/api/sessions', undefined, { authorization: ALICE_TOKEN }],
    ] as Array<[string, string | undefined, Record<string, string>]>) {
      const reply = await call(server, 'GET', path, { ...(token === undefined ? {} : { token }), headers });
      expectError(reply, 401, 'UNAUTHORIZED');
      expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    const posted = await call(server, 'POST', '/api/sessions', { body: { id: 'sneaky' }, token: sameLength });
    expectError(posted, 401, 'UNAUTHORIZED');
    expect((await call(server, 'GET', '/api/sessions/sneaky', { token: ADMIN_TOKEN })).status).toBe(404);
  });

  it("gives a user-bound token its user's sessions only; another user's read as 404 and cannot be changed", async () => {
    const { server, store } = await tokenServer();
    const listed = await call(server, 'GET', '/api/sessions', { token: ALICE_TOKEN });
    expect(listed.body.sessions.map((session: Session) => session.id)).toEqual(['alice-1']);
    expect((await call(server, 'GET', '/api/sessions?userId=bob', { token: ALICE_TOKEN })).body.sessions).toEqual([]);
    expect((await call(server, 'GET', '/api/sessions/alice-1', { token: ALICE_TOKEN })).status).toBe(200);
    // The scheme is case-insensitive.
    expect((await call(server, 'GET', '/api/sessions/alice-1', { headers: { authorization: `bearer ${ALICE_TOKEN}` } })).status).toBe(200);

    const before = await store.get('bob-1');
    expectError(await call(server, 'GET', '/api/sessions/bob-1', { token: ALICE_TOKEN }), 404, 'SESSION_NOT_FOUND');
    expectError(await call(server, 'GET', '/api/sessions/bob-1/messages', { token: ALICE_TOKEN }), 404, 'SESSION_NOT_FOUND');
    expectError(await call(server, 'POST', '/api/sessions/bob-1/messages', { token: ALICE_TOKEN, body: { messages: [{ role: 'user', content: 'hi bob' }] } }), 404, 'SESSION_NOT_FOUND');
    expectError(await call(server, 'PATCH', '/api/sessions/bob-1', { token: ALICE_TOKEN, body: { tags: ['mine'] } }), 404, 'SESSION_NOT_FOUND');
    expectError(await call(server, 'POST', '/api/sessions/bob-1/fork', { token: ALICE_TOKEN, body: {} }), 404, 'SESSION_NOT_FOUND');
    expectError(await call(server, 'POST', '/api/sessions/bob-1/rewind', { token: ALICE_TOKEN, body: { toStart: true } }), 404, 'SESSION_NOT_FOUND');
    expectError(await call(server, 'DELETE', '/api/sessions/bob-1', { token: ALICE_TOKEN }), 404, 'SESSION_NOT_FOUND');
    expectError(await call(server, 'GET', '/api/sessions/nobody-1', { token: ALICE_TOKEN }), 404, 'SESSION_NOT_FOUND');
    expect(await store.get('bob-1')).toEqual(before);
    expect(await store.getMessages('bob-1')).toEqual([]);

    // Bob's run is as invisible to Alice as his session.
    const run = await store.startRun('bob-1', { id: 'run-bob' });
    expectError(await call(server, 'GET', `/api/runs/${run.id}`, { token: ALICE_TOKEN }), 404, 'RUN_NOT_FOUND');
    expect((await call(server, 'GET', `/api/runs/${run.id}`, { token: BOB_TOKEN })).status).toBe(200);

    // Sessions Alice creates are hers; she cannot create one for Bob.
    const created = await call(server, 'POST', '/api/sessions', { token: ALICE_TOKEN, body: { id: 'alice:2' } });
    expect(created.status).toBe(201);
    expect(created.body.userId).toBe('alice');
    expectError(await call(server, 'POST', '/api/sessions', { token: ALICE_TOKEN, body: { id: 'for-bob', userId: 'bob' } }), 400, 'INVALID_ARGUMENT');
    expect(await store.get('for-bob')).toBeUndefined();
  });

  it('gives an unbound token every session', async () => {
    const { server } = await tokenServer();
    const listed = await call(server, 'GET', '/api/sessions', { token: ADMIN_TOKEN });
    expect(listed.body.sessions.map((session: Session) => session.id).sort()).toEqual(['alice-1', 'bob-1', 'nobody-1']);
    expect((await call(server, 'GET', '/api/sessions/bob-1', { token: ADMIN_TOKEN })).status).toBe(200);
    const appended = await call(server, 'POST', '/api/sessions/bob-1/messages', { token: ADMIN_TOKEN, body: { messages: { role: 'user', content: 'hi' } } });
    expect(appended.status).toBe(201);
  });

  it('refuses bad token configurations at start-up', async () => {
    const store = memoryStore();
    for (const tokens of [[{ token: 'short' }], [{ token: 'has a space in it, long enough' }], [{ token: ALICE_TOKEN }, { token: ALICE_TOKEN, userId: 'x' }], [{ token: ALICE_TOKEN, userId: '../x' }]]) {
      await expect(startServer({ store, port: 0, tokens })).rejects.toSatisfy((error) => InvalidArgumentError.isInstance(error));
    }
  });
});

describe('network guards', () => {
  it('refuses to serve a non-loopback host without a token', async () => {
    const store = memoryStore();
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
      const error = await startServer({ store, host, port: 0 }).catch((caught: unknown) => caught);
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/without a token/);
    }
    await expect(startServer({ store, host: '0.0.0.0', port: 0, tokens: [] })).rejects.toSatisfy((error) => InvalidArgumentError.isInstance(error));
    await expect(startServer({ store, port: 1.5 })).rejects.toSatisfy((error) => InvalidArgumentError.isInstance(error));
  });

  it('serves on localhost and ::1 without a token', async () => {
    const { server } = await serve({ host: 'localhost' });
    expect(server.url).toBe(`http://localhost:${server.port}`);
    const v6 = await serve({ host: '::1' }).catch(() => undefined);
    if (v6) {
      expect(v6.server.url).toBe(`http://[::1]:${v6.server.port}`);
      expect((await call(v6.server, 'GET', '/api/health')).status).toBe(200);
    }
  });

  it('answers only loopback Host headers when open, against DNS rebinding', async () => {
    const { server } = await serve();
    for (const host of ['evil.example', `evil.example:${server.port}`, '127.0.0.1', `127.0.0.1:${server.port + 1}`, `localhost.evil.example:${server.port}`]) {
      const reply = await rawRequest(server, '/api/health', { host });
      expect({ host, status: reply.status, code: reply.body?.error?.code }).toEqual({ host, status: 403, code: 'FORBIDDEN_HOST' });
    }
    // The check covers every path, not only the API (the inspector will live at /).
    expect((await rawRequest(server, '/', { host: 'evil.example' })).status).toBe(403);
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, `LOCALHOST:${server.port}`, `[::1]:${server.port}`]) {
      expect((await rawRequest(server, '/api/health', { host })).status).toBe(200);
    }
  });

  it('requires Content-Type: application/json on POST, PATCH and DELETE (415)', async () => {
    const { server, store } = await serve();
    await store.create({ id: 'target' });
    const body = JSON.stringify({ messages: [{ role: 'user', content: 'csrf' }] });
    for (const [method, path, contentType] of [
      ['POST', '/api/sessions/target/messages', 'text/plain'],
      ['POST', '/api/sessions/target/messages', 'application/x-www-form-urlencoded'],
      ['POST', '/api/sessions/target/messages', 'multipart/form-data; boundary=x'],
      ['POST', '/api/sessions/target/messages', undefined],
      ['PATCH', '/api/sessions/target', 'text/plain'],
      ['DELETE', '/api/sessions/target', undefined],
    ] as Array<[string, string, string | undefined]>) {
      const response = await fetch(server.url + path, { method, body, ...(contentType === undefined ? {} : { headers: { 'content-type': contentType } }) });
      expect({ method, contentType, status: response.status }).toEqual({ method, contentType, status: 415 });
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    expect((await store.get('target'))?.version).toBe(1);
    const withCharset = await call(server, 'POST', '/api/sessions/target/messages', { raw: body, headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(withCharset.status).toBe(201);
  });

  it('refuses bodies over the limit with 413, by Content-Length or while streaming', async () => {
    const { server, store } = await serve({ maxBodyBytes: 1024 });
    await store.create({ id: 'small' });
    const big = JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(2048) }] });
    const declared = await call(server, 'POST', '/api/sessions/small/messages', { raw: big, headers: { 'content-type': 'application/json' } });
    expectError(declared, 413, 'PAYLOAD_TOO_LARGE');

    const chunks = [big.slice(0, 600), big.slice(600, 1200), big.slice(1200)];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks.shift();
        if (chunk === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(chunk));
      },
    });
    const streamed = await fetch(`${server.url}/api/sessions/small/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect((await store.get('small'))?.messageCount).toBe(0);

    const fits = await call(server, 'POST', '/api/sessions/small/messages', { body: { messages: [{ role: 'user', content: 'ok' }] } });
    expect(fits.status).toBe(201);

    // A streamed body under the limit is read whole and reaches the route.
    const small = JSON.stringify({ messages: [{ role: 'user', content: 'streamed' }] });
    const parts = [small.slice(0, 10), small.slice(10)];
    const streamedFits = await fetch(`${server.url}/api/sessions/small/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream<Uint8Array>({
        pull(controller) {
          const part = parts.shift();
          if (part === undefined) controller.close();
          else controller.enqueue(new TextEncoder().encode(part));
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamedFits.status).toBe(201);
    expect((await store.getMessages('small')).map((message) => message.content)).toEqual(['ok', 'streamed']);
  });
});

describe('GET /api/export', () => {
  const exportText = async (server: RunningServer, path: string, token?: string) => {
    const response = await fetch(server.url + path, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };

  it('streams the sessions in scope as an export that imports into another store equal', async () => {
    const { server, store } = await serve({ tokens: [{ token: ALICE_TOKEN, userId: 'alice' }, { token: ADMIN_TOKEN }] });
    const alice = await store.create({ userId: 'alice' });
    await store.append(alice.id, [{ role: 'user', content: 'from alice' }]);
    const bob = await store.create({ userId: 'bob' });
    await store.append(bob.id, [{ role: 'user', content: 'from bob' }]);

    const scoped = await exportText(server, '/api/export', ALICE_TOKEN);
    expect(scoped.status).toBe(200);
    expect(scoped.type).toMatch(/^application\/x-ndjson/);
    expect(scoped.text).toContain('from alice');
    expect(scoped.text).not.toContain('from bob');
    const target = memoryStore();
    expect(await target.import(scoped.text)).toMatchObject({ sessions: { imported: 1, existing: 0 }, messages: 1 });
    expect(await target.getMessages(alice.id)).toEqual(await store.getMessages(alice.id));

    const one = await exportText(server, `/api/export?session=${bob.id}`, ADMIN_TOKEN);
    expect(one.text).toContain('from bob');
    expect(one.text).not.toContain('from alice');
    expect((await exportText(server, '/api/export')).status).toBe(401);
  });

  it('answers an unknown, foreign or hostile id with a JSON error before streaming anything', async () => {
    const { server, store } = await serve({ tokens: [{ token: ALICE_TOKEN, userId: 'alice' }] });
    const bob = await store.create({ userId: 'bob' });
    const foreign = await call(server, 'GET', `/api/export?session=${bob.id}`, { token: ALICE_TOKEN });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('SESSION_NOT_FOUND');
    const hostile = await call(server, 'GET', `/api/export?session=${encodeURIComponent('../x')}`, { token: ALICE_TOKEN });
    expect(hostile.status).toBe(400);
    expect(hostile.body.error.code).toBe('INVALID_ARGUMENT');
  });
});
