/**
 * Approvals over HTTP, on a real socket: a run of a registered agent stops for approval; `GET
 * /api/approvals` lists the request (a token bound to another user sees none and cannot answer);
 * `POST /api/runs/:id/approvals` answers it and the server continues the run with its agent (the
 * tool runs once, or the model is sent the denial); answering twice is a 409, a malformed answer a
 * 400, both changing nothing.
 */
import { DefaultChatTransport, readUIMessageStream, type UIMessage } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { Runner, SessionStore, type PendingApproval } from '../src/index.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { FINISHED_PREFIX, refundAgent } from './fixtures/approval-agents.js';

const running: RunningServer[] = [];
const stores: SessionStore[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

const ADMIN = 'admin-token-0123456789abcdef';
const ADA = 'ada-token-0123456789abcdefghij';
const BOB = 'bob-token-0123456789abcdefghij';

async function serve(executed: string[]) {
  const store = SessionStore.memory();
  stores.push(store);
  const agent = refundAgent(undefined);
  const tools = agent.tools as Record<string, { execute?: (...args: unknown[]) => unknown }>;
  const original = tools.refund!.execute!;
  tools.refund!.execute = async (...args: unknown[]) => {
    executed.push(JSON.stringify(args[0]));
    return original(...args);
  };
  const server = await startServer({
    port: 0,
    store,
    logger: { error: () => {} },
    agents: { refunds: agent },
    tokens: [{ token: ADMIN }, { token: ADA, userId: 'ada' }, { token: BOB, userId: 'bob' }],
  });
  running.push(server);
  return { server, store, agent };
}

function call(server: RunningServer, path: string, token: string, body?: unknown): Promise<Response> {
  return fetch(server.url + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('timed out waiting');
}

describe('approvals over HTTP', () => {
  it('lists requests per user, answers them, and continues the run with the registered agent', async () => {
    const executed: string[] = [];
    const { server, store } = await serve(executed);
    const session = await store.create({ userId: 'ada' });
    const started = await call(server, `/api/sessions/${session.id}/runs`, ADA, { agent: 'refunds', input: 'Refund order 42' });
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    await until(() => store.getRun(runId), (run) => run?.status === 'awaiting-approval');

    const listed = (await (await call(server, '/api/approvals', ADA)).json()) as { approvals: PendingApproval[] };
    expect(listed.approvals).toHaveLength(1);
    expect(listed.approvals[0]).toMatchObject({ runId, toolName: 'refund', input: { order: '42', amount: 30 }, userId: 'ada' });
    expect(((await (await call(server, '/api/approvals', BOB)).json()) as { approvals: unknown[] }).approvals).toEqual([]);
    expect(((await (await call(server, `/api/approvals?runId=${runId}`, ADMIN)).json()) as { approvals: unknown[] }).approvals).toHaveLength(1);
    const approvalId = listed.approvals[0]!.approvalId;

    // Bob's token cannot answer Ada's run; a malformed answer is a 400; neither changes anything.
    expect((await call(server, `/api/runs/${runId}/approvals`, BOB, { approvals: [{ approvalId, approved: true }] })).status).toBe(404);
    expect((await call(server, `/api/runs/${runId}/approvals`, ADA, { approvals: [{ approvalId, approved: 'yes' }] })).status).toBe(400);
    expect((await call(server, `/api/runs/${runId}/approvals`, ADA, { approvals: [{ approvalId, approved: true }], agent: 'nobody' })).status).toBe(400);
    expect(await store.pendingApprovals()).toHaveLength(1);

    const answered = await call(server, `/api/runs/${runId}/approvals`, ADA, { approvals: [{ approvalId, approved: true }] });
    expect(answered.status).toBe(202);
    expect(await answered.json()).toMatchObject({ resumed: true, events: `/api/runs/${runId}/events?follow=1` });
    const done = await until(() => store.getRun(runId), (run) => run?.status === 'completed');
    expect(done?.approvals?.[0]?.decision?.approved).toBe(true);
    expect(executed).toEqual(['{"order":"42","amount":30}']);
    const last = (await store.getMessages(session.id)).at(-1);
    expect(last?.content).toEqual([{ type: 'text', text: `${FINISHED_PREFIX}refund:json:{"refunded":"42","amount":30}` }]);
    const twice = await call(server, `/api/runs/${runId}/approvals`, ADA, { approvals: [{ approvalId, approved: false }] });
    expect(twice.status).toBe(409);
    expect(executed).toHaveLength(1);
  });

  it('a denial over HTTP reaches the model with its reason', async () => {
    const executed: string[] = [];
    const { server, store, agent } = await serve(executed);
    const first = await Runner.run(agent, { input: 'Refund order 42', session: { store, userId: 'ada' } });
    const [request] = await store.pendingApprovals();
    const answered = await call(server, `/api/runs/${first.runId}/approvals`, ADMIN, { approvals: [{ approvalId: request!.approvalId, approved: false, reason: 'Not this one' }] });
    expect(answered.status).toBe(202);
    await until(() => store.getRun(first.runId), (run) => run?.status === 'completed');
    const last = (await store.getMessages(first.sessionId)).at(-1);
    expect(last?.content).toEqual([{ type: 'text', text: `${FINISHED_PREFIX}refund:execution-denied:Not this one` }]);
    expect(executed).toEqual([]);
  });

  it('cancelling a waiting run over HTTP ends it; its request can no longer be answered', async () => {
    const executed: string[] = [];
    const { server, store, agent } = await serve(executed);
    const first = await Runner.run(agent, { input: 'Refund order 42', session: { store, userId: 'ada' } });
    const [request] = await store.pendingApprovals();
    const cancelled = await call(server, `/api/runs/${first.runId}/cancel`, ADA, { reason: 'changed my mind' });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ status: 'cancelled' });
    expect(((await (await call(server, '/api/approvals', ADA)).json()) as { approvals: unknown[] }).approvals).toEqual([]);
    const answered = await call(server, `/api/runs/${first.runId}/approvals`, ADA, { approvals: [{ approvalId: request!.approvalId, approved: true }] });
    expect(answered.status).toBe(409);
    expect(executed).toEqual([]);
  });

  it("speaks the AI SDK's approval parts in the chat protocol: useChat sees the request, and the reloaded conversation the answer", async () => {
    const executed: string[] = [];
    const { server, store } = await serve(executed);
    const transport = new DefaultChatTransport({ api: `${server.url}/api/chat`, headers: { authorization: `Bearer ${ADMIN}` }, body: { agent: 'refunds' } });
    const message: UIMessage = { id: 'ui-1', role: 'user', parts: [{ type: 'text', text: 'Refund order 42' }] };
    const stream = await transport.sendMessages({ chatId: 'chat-approval', messages: [message], trigger: 'submit-message', messageId: undefined, abortSignal: undefined });
    let reply: UIMessage | undefined;
    for await (const built of readUIMessageStream({ stream })) reply = built;
    const asked = reply?.parts.find((part) => part.type === 'tool-refund') as { state?: string; approval?: { id: string }; input?: unknown } | undefined;
    expect(asked).toMatchObject({ state: 'approval-requested', input: { order: '42', amount: 30 } });
    const [request] = await store.pendingApprovals({ sessionId: 'chat-approval' });
    expect(asked?.approval?.id).toBe(request!.approvalId);

    const answered = await call(server, `/api/runs/${request!.runId}/approvals`, ADMIN, { approvals: [{ approvalId: request!.approvalId, approved: true }] });
    expect(answered.status).toBe(202);
    await until(() => store.getRun(request!.runId), (run) => run?.status === 'completed');
    const loaded = (await (await call(server, '/api/chat/chat-approval', ADMIN)).json()) as { messages: UIMessage[] };
    const settled = loaded.messages.at(-1)?.parts.find((part) => part.type === 'tool-refund');
    expect(settled).toMatchObject({ state: 'output-available', output: { refunded: '42', amount: 30 } });
    expect(executed).toHaveLength(1);
  });

  it("takes useChat's own approval answers (addToolApprovalResponse): the run goes on and the stream continues the same message", async () => {
    const executed: string[] = [];
    const { server, store } = await serve(executed);
    const transport = new DefaultChatTransport({ api: `${server.url}/api/chat`, headers: { authorization: `Bearer ${ADMIN}` }, body: { agent: 'refunds' } });
    const message: UIMessage = { id: 'ui-1', role: 'user', parts: [{ type: 'text', text: 'Refund order 42' }] };
    const send = (messages: UIMessage[]) => transport.sendMessages({ chatId: 'chat-usechat', messages, trigger: 'submit-message', messageId: undefined, abortSignal: undefined });
    let reply: UIMessage | undefined;
    for await (const built of readUIMessageStream({ stream: await send([message]) })) reply = built;
    // What addToolApprovalResponse does to the message the client holds.
    const answered = structuredClone(reply!);
    const part = answered.parts.find((candidate) => candidate.type === 'tool-refund') as { state: string; approval: { id: string; approved?: boolean; reason?: string } };
    Object.assign(part, { state: 'approval-responded', approval: { id: part.approval.id, approved: false, reason: 'Not without a receipt' } });
    let continued: UIMessage | undefined;
    for await (const built of readUIMessageStream({ stream: await send([message, answered]), message: answered })) continued = built;
    expect(continued?.id).toBe(reply?.id);
    expect(continued?.parts.find((candidate) => candidate.type === 'tool-refund')).toMatchObject({ state: 'output-denied' });
    const text = continued?.parts.flatMap((candidate) => (candidate.type === 'text' ? [candidate.text] : [])).join('');
    expect(text).toContain(`${FINISHED_PREFIX}refund:execution-denied:Not without a receipt`);
    expect((await store.runs('chat-usechat')).map((run) => run.status)).toEqual(['completed']);
    expect(executed).toEqual([]);
    // Sent again (a retry), the answered conversation is refused and changes nothing.
    expect((await fetch(`${server.url}/api/chat`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ id: 'chat-usechat', messages: [message, answered], agent: 'refunds' }) })).status).toBe(400);
  });
});
