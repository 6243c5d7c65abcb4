/**
 * Finding and reading anything over HTTP, on a real socket: `GET /api/sessions/:id/messages/:messageId`
 * (rewound and compacted messages too) and `GET /api/search`, scoped by user-bound tokens.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SessionStore } from '../src/index.js';
import { startServer, type RunningServer } from '../src/server/index.js';

const ALICE_TOKEN = 'alice-token-0123456789abcdef';
const BOB_TOKEN = 'bob-token-0123456789abcdefghij';
const ADMIN_TOKEN = 'admin-token-0123456789abcdef';

const running: RunningServer[] = [];
const stores: SessionStore[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

async function serve(): Promise<{ server: RunningServer; store: SessionStore }> {
  const store = SessionStore.memory();
  stores.push(store);
  const server = await startServer({
    port: 0,
    logger: { error: () => {} },
    store,
    tokens: [{ token: ALICE_TOKEN, userId: 'alice' }, { token: BOB_TOKEN, userId: 'bob' }, { token: ADMIN_TOKEN }],
  });
  running.push(server);
  return { server, store };
}

async function get(server: RunningServer, path: string, token: string): Promise<{ status: number; body: any }> {
  const response = await fetch(server.url + path, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json() };
}

/** Alice's session: four messages, the last two rewound off the path. */
async function aliceSession(store: SessionStore) {
  const session = await store.create({ id: 'alice-trip', userId: 'alice' });
  const messages = await store.append(session.id, [
    { role: 'user', content: 'Book the ferry to Tangier.' },
    { role: 'assistant', content: 'Which day?' },
    { role: 'user', content: 'Saturday, the early crossing.' },
    { role: 'assistant', content: 'Booked the 08:00 crossing.' },
  ]);
  await store.rewind(session.id, { toMessage: messages[1]!.id });
  return { session, messages };
}

describe('GET /api/sessions/:id/messages/:messageId', () => {
  it('reads a rewound message with where it lives, and a message on the path', async () => {
    const { server, store } = await serve();
    const { session, messages } = await aliceSession(store);
    const rewound = await get(server, `/api/sessions/${session.id}/messages/${messages[3]!.id}`, ALICE_TOKEN);
    expect(rewound).toEqual({ status: 200, body: { message: messages[3], location: { placement: 'rewound', position: 4, writtenBy: session.id } } });
    const onPath = await get(server, `/api/sessions/${session.id}/messages/${messages[0]!.id}`, ALICE_TOKEN);
    expect(onPath.body.location.placement).toBe('path');
  });

  it("answers another user's message, an unknown message and a hostile id with errors that reveal nothing", async () => {
    const { server, store } = await serve();
    const { session, messages } = await aliceSession(store);
    const foreign = await get(server, `/api/sessions/${session.id}/messages/${messages[3]!.id}`, BOB_TOKEN);
    expect({ status: foreign.status, code: foreign.body.error.code }).toEqual({ status: 404, code: 'SESSION_NOT_FOUND' });
    const unknown = await get(server, `/api/sessions/${session.id}/messages/msg_unknown`, ALICE_TOKEN);
    expect({ status: unknown.status, code: unknown.body.error.code }).toEqual({ status: 404, code: 'MESSAGE_NOT_FOUND' });
    const hostile = await get(server, `/api/sessions/${session.id}/messages/%24not%20an%20id`, ALICE_TOKEN);
    expect({ status: hostile.status, code: hostile.body.error.code }).toEqual({ status: 400, code: 'INVALID_ARGUMENT' });
  });
});

describe('GET /api/sessions?titlePrefix=', () => {
  it('lists the sessions whose title starts with the prefix, scoped like every list', async () => {
    const { server, store } = await serve();
    await store.create({ id: 'alice-lisbon', userId: 'alice', title: 'Trip to Lisbon' });
    await store.create({ id: 'alice-porto', userId: 'alice', title: 'Trip to Porto' });
    await store.create({ id: 'alice-odd', userId: 'alice', title: "100% O'Brien" });
    await store.create({ id: 'bob-lisbon', userId: 'bob', title: 'Trip to Lisbon' });
    const ids = async (query: string, token: string): Promise<string[]> =>
      (await get(server, `/api/sessions?${query}`, token)).body.sessions.map((session: { id: string }) => session.id).sort();
    expect(await ids('titlePrefix=Trip%20to', ALICE_TOKEN)).toEqual(['alice-lisbon', 'alice-porto']);
    expect(await ids('titlePrefix=Trip%20to%20L', ADMIN_TOKEN)).toEqual(['alice-lisbon', 'bob-lisbon']);
    expect(await ids(`titlePrefix=${encodeURIComponent("100% O'")}`, ALICE_TOKEN)).toEqual(['alice-odd']);
    expect(await ids('titlePrefix=%25', ALICE_TOKEN)).toEqual([]);
    expect(await ids('titlePrefix=Trip&userId=alice', BOB_TOKEN)).toEqual([]);
    for (const query of ['titlePrefix=', `titlePrefix=${'x'.repeat(201)}`, 'titlePrefix=a&titlePrefix=b']) {
      const refused = await get(server, `/api/sessions?${query}`, ALICE_TOKEN);
      expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 400, code: 'INVALID_ARGUMENT' });
    }
  });
});

describe('GET /api/search', () => {
  it('finds a rewound message with a snippet, and the hit opens with the message route', async () => {
    const { server, store } = await serve();
    const { session, messages } = await aliceSession(store);
    const found = await get(server, '/api/search?q=early%20crossing', ALICE_TOKEN);
    expect(found.status).toBe(200);
    expect(found.body.hits.map((hit: { sessionId: string; messageId: string }) => [hit.sessionId, hit.messageId])).toEqual([
      [session.id, messages[2]!.id],
    ]);
    expect(found.body.hits[0].snippet).toBe('Saturday, the early crossing.');
    const opened = await get(server, `/api/sessions/${session.id}/messages/${found.body.hits[0].messageId}`, ALICE_TOKEN);
    expect(opened.body.location.placement).toBe('rewound');
  });

  it("gives a user-bound token its user's messages only, whatever it asks for", async () => {
    const { server, store } = await serve();
    const { session } = await aliceSession(store);
    await store.create({ id: 'bob-trip', userId: 'bob', messages: [{ role: 'user', content: 'The ferry to Tangier is late.' }] });
    const bob = await get(server, '/api/search?q=ferry%20tangier', BOB_TOKEN);
    expect(bob.body.hits.map((hit: { sessionId: string }) => hit.sessionId)).toEqual(['bob-trip']);
    expect((await get(server, '/api/search?q=ferry&userId=alice', BOB_TOKEN)).body).toEqual({ hits: [] });
    const foreign = await get(server, `/api/search?q=ferry&sessionId=${session.id}`, BOB_TOKEN);
    expect({ status: foreign.status, code: foreign.body.error.code }).toEqual({ status: 404, code: 'SESSION_NOT_FOUND' });
    const everyone = await get(server, '/api/search?q=ferry%20tangier', ADMIN_TOKEN);
    expect(everyone.body.hits.map((hit: { sessionId: string }) => hit.sessionId).sort()).toEqual(['alice-trip', 'bob-trip']);
  });

  it('pages with the cursor, and answers bad input with 400 INVALID_ARGUMENT', async () => {
    const { server, store } = await serve();
    await store.create({ id: 'many', messages: ['one', 'two', 'three'].map((word) => ({ role: 'user' as const, content: `ferry ${word}` })) });
    const first = await get(server, '/api/search?q=ferry&limit=2', ADMIN_TOKEN);
    expect(first.body.hits).toHaveLength(2);
    const second = await get(server, `/api/search?q=ferry&limit=2&cursor=${first.body.nextCursor}`, ADMIN_TOKEN);
    expect(second.body.hits).toHaveLength(1);
    expect(second.body.nextCursor).toBeUndefined();
    for (const path of ['/api/search', '/api/search?q=', '/api/search?q=%22%22', '/api/search?q=a&limit=0', '/api/search?q=a&limit=x', '/api/search?q=a&unknown=1', '/api/search?q=a&q=b', '/api/search?q=a&cursor=nope']) {
      const refused = await get(server, path, ADMIN_TOKEN);
      expect({ path, status: refused.status, code: refused.body.error.code }).toEqual({ path, status: 400, code: 'INVALID_ARGUMENT' });
    }
    const hostile = await get(server, `/api/search?q=${encodeURIComponent("ferry'; DROP TABLE messages; --")}`, ADMIN_TOKEN);
    expect(hostile.body).toEqual({ hits: [] });
    expect((await get(server, '/api/search?q=ferry', ADMIN_TOKEN)).body.hits).toHaveLength(3);
  });
});
