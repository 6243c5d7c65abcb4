/**
 * Trust boundaries over HTTP (issue 10, items 4 and 7), through a real socket:
 * - nesting: metadata 1,000 deep and message content 100,000 deep are a 400 INVALID_ARGUMENT (the
 *   reproduction: a 500 from a stack overflow, and SQLite's filtered list failing for everyone);
 * - chosen ids under a user-bound token: an id another user holds answers exactly as an id nobody
 *   holds (the reproduction: "already exists" versus 201 confirmed a guess), and the user's own
 *   namespace `<userId>:NAME` works.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SessionStore } from '../src/index.js';
import { startServer, type RunningServer } from '../src/server/index.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-trust-http-'));
const running: RunningServer[] = [];
const stores: SessionStore[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
  await Promise.all(stores.splice(0).map((store) => store.close()));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const ALICE = 'alice-token-0123456789abcdef';
const BOB = 'bob-token-0123456789abcdefghij';
const ADMIN = 'admin-token-0123456789abcdef';

async function serve(store: SessionStore): Promise<RunningServer> {
  stores.push(store);
  const server = await startServer({
    store,
    port: 0,
    logger: { error: () => {} },
    tokens: [{ token: ALICE, userId: 'alice' }, { token: BOB, userId: 'bob' }, { token: ADMIN }],
  });
  running.push(server);
  return server;
}

async function call(server: RunningServer, method: string, path: string, token: string, body?: string | object): Promise<{ status: number; body: any }> {
  const response = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

/** `{"a":{"a":...}}` with `levels` objects, as JSON text (stringify would overflow on the deep ones). */
function nestedJson(levels: number): string {
  return '{"a":'.repeat(levels) + '"leaf"' + '}'.repeat(levels);
}

describe('nesting limits over HTTP', () => {
  it.each([
    ['memory', () => SessionStore.memory()],
    ['sqlite', () => SessionStore.sqlite(join(directory, `depth-${Date.now()}.db`))],
  ])('answers 400 to metadata 1,000 deep and content 100,000 deep on %s, and other users still list', async (_name, open) => {
    const server = await serve(open());
    const created = await call(server, 'POST', '/api/sessions', BOB, { metadata: { team: 'red' } });
    expect(created.status).toBe(201);

    const poisoned = await call(server, 'POST', '/api/sessions', ALICE, `{"metadata":${nestedJson(1_000)}}`);
    expect(poisoned.status).toBe(400);
    expect(poisoned.body.error).toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'create options.metadata' });

    const own = await call(server, 'POST', '/api/sessions', ALICE, {});
    const content = `[{"type":"text","text":"deep","providerOptions":${nestedJson(100_000)}}]`;
    const deep = await call(server, 'POST', `/api/sessions/${own.body.id}/messages`, ALICE, `{"messages":{"role":"user","content":${content}}}`);
    expect(deep.status).toBe(400);
    expect(deep.body.error.code).toBe('INVALID_ARGUMENT');
    const patched = await call(server, 'PATCH', `/api/sessions/${own.body.id}`, ALICE, `{"metadata":{"x":${nestedJson(100_000)}}}`);
    expect(patched.status).toBe(400);

    const listed = await call(server, 'GET', '/api/sessions?filter.team=red', ADMIN);
    expect(listed.status).toBe(200);
    expect(listed.body.sessions.map((session: { id: string }) => session.id)).toEqual([created.body.id]);
  });
});

describe('chosen ids under user-bound tokens', () => {
  it("answers an id another user holds exactly as an id nobody holds, so a guess is never confirmed", async () => {
    const store = SessionStore.memory();
    const server = await serve(store);
    // Bob's sessions and message, with the kind of ids people choose.
    await store.create({ id: 'order-42', userId: 'bob', messages: [{ id: 'bob-note-1', role: 'user', content: 'private' }] });
    expect((await call(server, 'POST', '/api/sessions', BOB, { id: 'bob:inbox' })).status).toBe(201);
    const mine = await call(server, 'POST', '/api/sessions', ALICE, {});

    for (const [held, free] of [
      ['order-42', 'order-43'],
      ['bob:inbox', 'bob:outbox'],
    ] as const) {
      const taken = await call(server, 'POST', '/api/sessions', ALICE, { id: held });
      const untaken = await call(server, 'POST', '/api/sessions', ALICE, { id: free });
      expect(taken.status).toBe(400);
      expect(taken).toEqual(untaken);
      const forkTaken = await call(server, 'POST', `/api/sessions/${mine.body.id}/fork`, ALICE, { id: held });
      expect(forkTaken.status).toBe(400);
      expect(forkTaken).toEqual(await call(server, 'POST', `/api/sessions/${mine.body.id}/fork`, ALICE, { id: free }));
    }
    const messageTaken = await call(server, 'POST', `/api/sessions/${mine.body.id}/messages`, ALICE, { messages: [{ id: 'bob-note-1', role: 'user', content: 'x' }] });
    const messageFree = await call(server, 'POST', `/api/sessions/${mine.body.id}/messages`, ALICE, { messages: [{ id: 'bob-note-2', role: 'user', content: 'x' }] });
    expect(messageTaken.status).toBe(400);
    expect(messageTaken).toEqual(messageFree);
    expect(messageTaken.body.error.message).not.toMatch(/already exists/);
    // Nothing of Bob's changed, and Alice took none of his names.
    expect((await store.get('order-42'))!.userId).toBe('bob');
    expect(await store.get('order-43')).toBeUndefined();
    expect(await store.get('bob:outbox')).toBeUndefined();
  });

  it("lets a user choose ids in their own namespace; a collision there can only be with the user's own", async () => {
    const store = SessionStore.memory();
    const server = await serve(store);
    const created = await call(server, 'POST', '/api/sessions', ALICE, { id: 'alice:chat-1', messages: [{ id: 'alice:m-1', role: 'user', content: 'hi' }] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'alice:chat-1', userId: 'alice' });
    const again = await call(server, 'POST', '/api/sessions', ALICE, { id: 'alice:chat-1' });
    expect(again.status).toBe(400);
    expect((await call(server, 'GET', '/api/sessions/alice:chat-1', ALICE)).status).toBe(200);
    const appended = await call(server, 'POST', '/api/sessions/alice:chat-1/messages', ALICE, { messages: { id: 'alice:m-2', role: 'user', content: 'again' } });
    expect(appended.status).toBe(201);
    expect((await call(server, 'POST', '/api/sessions/alice:chat-1/fork', ALICE, { id: 'alice:chat-1-fork' })).status).toBe(201);
    // A name holding ":" would reach into another user's namespace ("alice:b" is a user too).
    expect((await call(server, 'POST', '/api/sessions', ALICE, { id: 'alice:b:chat' })).status).toBe(400);
    // Unbound tokens choose any id.
    expect((await call(server, 'POST', '/api/sessions', ADMIN, { id: 'anything-at-all' })).status).toBe(201);
  });
});
