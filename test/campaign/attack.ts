/**
 * An attack campaign against the HTTP API, as an attacker holding one user's token would run it:
 * every route with another user's ids, hostile ids and bodies (deep nesting, huge strings,
 * prototype keys, wrong types), missing and wrong tokens, spoofed Hosts, cross-site content types,
 * and guesses of the other user's ids from one's own. It counts what matters: answers that leak the
 * victim's data (cross-user reads), server errors, and whether the victim's sessions changed.
 * Run in-process through the Hono app (`app.request`), so thousands of requests take seconds.
 */
import { createApp } from '../../src/server/app.js';
import { SessionStore } from '../../src/index.js';

export interface CampaignResult {
  requests: number;
  /** Distinct kinds of hostile input tried. */
  hostileKinds: number;
  crossUserReads: number;
  serverErrors: number;
  /** The victim's sessions as read before and after, unchanged. */
  victimUnchanged: boolean;
  /** Ids of the victim guessed right from the attacker's own. */
  idsGuessed: number;
  /** The first few leaking requests, for the report. */
  leaks: string[];
}

const ALICE = 'alice-token-0123456789abcdef';
const BOB = 'bob-token-0123456789abcdef01';
const SECRET = `BOB-SECRET-${Math.random().toString(36).slice(2)}`;

/** JSON text of a value nested `depth` levels deep (as text: JSON.stringify itself overflows on it). */
function nested(depth: number): string {
  return '{"a":['.repeat(depth / 2) + '"x"' + ']}'.repeat(depth / 2);
}

/** A hostile body: JSON text, so values too deep to stringify can be sent. */
const raw = (text: string) => ({ raw: text });

/** Ids near one of ours: the same time prefix, the random part nudged (what monotonic ids gave away). */
function neighbours(id: string, count: number): string[] {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const [prefix, body] = [id.slice(0, id.indexOf('_') + 1), id.slice(id.indexOf('_') + 1)];
  const out: string[] = [];
  for (let delta = 1; delta <= count; delta += 1) {
    const last = alphabet.indexOf(body[body.length - 1]!);
    out.push(prefix + body.slice(0, -1) + alphabet[(last + delta) % 32]);
    out.push(prefix + body.slice(0, -1) + alphabet[(last - delta + 32 * count) % 32]);
  }
  return out;
}

export async function runCampaign(options: { rounds: number }): Promise<CampaignResult> {
  const store = SessionStore.memory();
  const app = createApp({ store, auth: { tokens: [{ token: ALICE, userId: 'alice' }, { token: BOB, userId: 'bob' }] }, logger: { error: () => {} } });
  const result: CampaignResult = { requests: 0, hostileKinds: 0, crossUserReads: 0, serverErrors: 0, victimUnchanged: false, idsGuessed: 0, leaks: [] };

  const send = async (method: string, path: string, init: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { host: '127.0.0.1:4300', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) };
    let body: string | undefined;
    const given = init.body as { raw?: unknown } | undefined;
    if (init.raw !== undefined) body = init.raw;
    else if (given && typeof given === 'object' && typeof given.raw === 'string') body = given.raw;
    else if (init.body !== undefined) body = JSON.stringify(init.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    Object.assign(headers, init.headers);
    result.requests += 1;
    const response = await app.request(path, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    return { status: response.status, text };
  };

  // The victim: sessions, a fork, a run with events, all holding the secret.
  const bobSessions: string[] = [];
  const bobMessages: string[] = [];
  const bobRuns: string[] = [];
  for (let index = 0; index < 5; index += 1) {
    const session = JSON.parse((await send('POST', '/api/sessions', { token: BOB, body: { metadata: { note: SECRET }, tags: ['private'] } })).text);
    bobSessions.push(session.id);
    const appended = JSON.parse((await send('POST', `/api/sessions/${session.id}/messages`, { token: BOB, body: { messages: [{ role: 'user', content: `${SECRET} card 4242` }, { role: 'assistant', content: `${SECRET} noted` }] } })).text);
    bobMessages.push(...appended.messages.map((message: { id: string }) => message.id));
    const run = await store.withScope({ userId: 'bob' }).startRun(session.id, { agentName: 'bob-agent', metadata: { note: SECRET } });
    await store.recordRunEvents(run.id, [{ type: 'text', data: { text: SECRET } }]);
    bobRuns.push(run.id);
  }
  // A session the victim keeps writing to during the campaign (left out of the unchanged check).
  const chatty = JSON.parse((await send('POST', '/api/sessions', { token: BOB, body: {} })).text).id as string;
  const bobFork = JSON.parse((await send('POST', `/api/sessions/${bobSessions[0]}/fork`, { token: BOB, body: {} })).text).id as string;
  bobSessions.push(bobFork);
  const snapshot = async () => JSON.stringify(await Promise.all(bobSessions.map(async (id) => [await store.get(id), await store.getMessages(id)])));
  const before = await snapshot();

  // The attacker's own sessions and ids, to guess from.
  const alice = JSON.parse((await send('POST', '/api/sessions', { token: ALICE, body: {} })).text);
  const aliceMessages = JSON.parse((await send('POST', `/api/sessions/${alice.id}/messages`, { token: ALICE, body: { messages: [{ role: 'user', content: 'hi' }] } })).text).messages;

  const victimIds = [...bobSessions, ...bobMessages, ...bobRuns];
  const hostileIds = ['..', '../../etc/passwd', '%2e%2e%2f%2e%2e', 'a'.repeat(5000), 'x\u0000y', '__proto__', 'constructor', '😀', 'session_' + '0'.repeat(26), "'; DROP TABLE sessions; --", '*', '{"$gt":""}'];
  const hostileBodies: unknown[] = [
    raw(`{"metadata":${nested(200)}}`),
    raw(`{"metadata":{"deep":${nested(100_000)}}}`),
    raw(`{"messages":[{"role":"user","content":[{"type":"text","text":"x","providerOptions":${nested(100_000)}}]}]}`),
    raw(`{"messages":[{"role":"user","content":"x","metadata":${nested(1_000)}}]}`),
    { messages: [{ role: 'admin', content: 'x' }] },
    { metadata: JSON.parse('{"__proto__": {"polluted": true}}') },
    { messages: { role: 'user', content: 'x'.repeat(2_000_000) } },
    { userId: 'bob' },
    { id: bobSessions[1] },
    { expectedVersion: -1, messages: [] },
    { toMessage: bobMessages[0] },
    { fromMessage: bobMessages[0] },
    [],
    'string',
  ];
  const routes = (id: string): Array<[string, string]> => [
    ['GET', `/api/sessions/${id}`],
    ['GET', `/api/sessions/${id}/messages`],
    ['GET', `/api/sessions/${id}/messages?last=5`],
    ['GET', `/api/sessions/${id}/branches`],
    ['GET', `/api/sessions/${id}/checkpoints`],
    ['GET', `/api/sessions/${id}/runs`],
    ['GET', `/api/runs/${id}`],
    ['GET', `/api/runs/${id}/events`],
    ['GET', `/api/runs/${id}/events?follow=1`],
    ['POST', `/api/runs/${id}/cancel`],
    ['POST', `/api/sessions/${id}/runs`],
    ['GET', `/api/chat/${id}`],
    ['GET', `/api/chat/${id}/stream`],
    ['GET', `/api/export?ids=${id}`],
    ['PATCH', `/api/sessions/${id}`],
    ['DELETE', `/api/sessions/${id}`],
    ['POST', `/api/sessions/${id}/messages`],
    ['POST', `/api/sessions/${id}/fork`],
    ['POST', `/api/sessions/${id}/rewind`],
    ['GET', `/api/sessions?userId=bob`],
    ['GET', `/api/sessions?filter.note=${encodeURIComponent(SECRET)}`],
    ['GET', `/api/sessions?tag=private`],
    ['GET', `/api/export`],
  ];
  const kinds = new Set<string>();
  const check = (label: string, reply: { status: number; text: string }) => {
    if (reply.status >= 500) result.serverErrors += 1;
    if (reply.status < 300 && (reply.text.includes(SECRET) || victimIds.some((id) => reply.text.includes(id)))) {
      result.crossUserReads += 1;
      if (result.leaks.length < 5) result.leaks.push(`${label} -> ${reply.status} ${reply.text.slice(0, 120)}`);
    }
  };

  const random = (items: readonly unknown[]) => items[Math.floor(Math.random() * items.length)];
  for (let round = 0; round < options.rounds; round += 1) {
    const choice = round % 6;
    if (choice === 0 || choice === 1) {
      // Another user's ids on every route, with a hostile or empty body.
      const [method, path] = random(routes(String(random(victimIds)))) as [string, string];
      const body = method === 'GET' || method === 'DELETE' ? undefined : random([{}, ...hostileBodies]);
      kinds.add(`victim-id ${method} ${path.replace(/[A-Z0-9]{26}/g, 'ID').replace(/\?.*/, '')}`);
      check(`${method} ${path}`, await send(method, path, { token: ALICE, ...(body === undefined ? {} : { body }) }));
    } else if (choice === 2) {
      // Hostile ids in every position.
      const [method, path] = random(routes(encodeURIComponent(String(random(hostileIds))))) as [string, string];
      kinds.add(`hostile-id ${method}`);
      check(`${method} ${path.slice(0, 80)}`, await send(method, path, { token: ALICE, ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }) }));
    } else if (choice === 3) {
      // Hostile bodies on the attacker's own session and on creation.
      const body = random(hostileBodies);
      const path = random([`/api/sessions`, `/api/sessions/${alice.id}/messages`, `/api/sessions/${alice.id}`, `/api/sessions/${alice.id}/rewind`, `/api/sessions/${alice.id}/fork`]) as string;
      const method = path.endsWith(alice.id) ? 'PATCH' : 'POST';
      kinds.add(`hostile-body ${method} ${path.replace(alice.id, 'ID')} ${JSON.stringify(body).slice(0, 16)}`);
      check(`${method} ${path}`, await send(method, path, { token: ALICE, body }));
    } else if (choice === 4) {
      // Authentication and request-shape attacks.
      const variants: Array<[string, Parameters<typeof send>[2]]> = [
        ['no token', {}],
        ['wrong token', { token: 'alice-token-0123456789abcdeX' }],
        ['token prefix', { token: ALICE.slice(0, 20) }],
        ['spoofed host', { token: ALICE, headers: { host: 'evil.example' } }],
        ['text/plain cross-site post', { token: ALICE, raw: '{"messages":[]}', headers: { 'content-type': 'text/plain' } }],
        ['not JSON', { token: ALICE, raw: '{"messages": [' }],
        ['lowercase bearer', { headers: { authorization: `bearer ${BOB}x` } }],
      ];
      const [label, init] = random(variants) as [string, Parameters<typeof send>[2]];
      kinds.add(`request ${label}`);
      check(label, await send('POST', `/api/sessions/${bobSessions[0]}/messages`, init));
      const { raw: _raw, ...readInit } = init ?? {};
      check(label, await send('GET', `/api/sessions/${bobSessions[0]}/messages`, readInit));
    } else {
      // Guessing the victim's ids from one's own: neighbours of the attacker's newest ids.
      kinds.add('id guessing');
      // Both users write in the same instant; the attacker then guesses around its own new id.
      const [mine, theirs] = await Promise.all([
        send('POST', `/api/sessions/${alice.id}/messages`, { token: ALICE, body: { messages: [{ role: 'user', content: 'probe' }] } }),
        send('POST', `/api/sessions/${chatty}/messages`, { token: BOB, body: { messages: [{ role: 'user', content: `${SECRET} again` }, { role: 'assistant', content: 'ok' }] } }),
      ]);
      const fresh = JSON.parse(mine.text).messages[0].id as string;
      const theirIds = JSON.parse(theirs.text).messages.map((message: { id: string }) => message.id) as string[];
      victimIds.push(...theirIds);
      for (const guess of neighbours(fresh, 2)) {
        if (theirIds.includes(guess) || bobMessages.includes(guess)) result.idsGuessed += 1;
        const reply = await send('POST', `/api/sessions/${alice.id}/rewind`, { token: ALICE, body: { toMessage: guess, dryRun: true } });
        check(`rewind to guessed ${guess}`, reply);
      }
      for (const guess of neighbours(alice.id, 1)) {
        if (bobSessions.includes(guess)) result.idsGuessed += 1;
        check(`GET guessed ${guess}`, await send('GET', `/api/sessions/${guess}`, { token: ALICE }));
      }
    }
  }
  void aliceMessages;
  result.hostileKinds = kinds.size;
  result.victimUnchanged = (await snapshot()) === before;
  await store.close();
  return result;
}
