/**
 * The chat route against the AI SDK's own client code (`DefaultChatTransport`, `readUIMessageStream`):
 * a conversation persisted in a session, an answer streamed as UI message chunks the SDK accepts,
 * a client that drops mid-answer and reconnects (what `useChat({ resume: true })` does after a
 * reload) getting the whole answer, and the session holding each message exactly once.
 */
import { tool, DefaultChatTransport, readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, ScriptedLanguageModel, SessionStore } from '../src/index.js';
import { startServer, type RunningServer } from '../src/server/index.js';

const running: RunningServer[] = [];
const stores: SessionStore[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

const answer = Array.from({ length: 80 }, (_, index) => `word${index}`).join(' ');

function agents() {
  const weather = tool({ inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => ({ city, sky: 'clear' }) });
  return {
    typist: new Agent({ name: 'typist', model: new ScriptedLanguageModel({ fallback: { text: answer }, chunkDelayMs: 15 }) }),
    forecaster: new Agent({
      name: 'forecaster',
      model: new ScriptedLanguageModel({
        fallback: (context) => (context.afterToolResults ? { text: 'Clear skies in Porto.' } : { text: 'Let me look.', toolCalls: [{ toolName: 'weather', input: { city: 'Porto' } }] }),
      }),
      tools: { weather },
    }),
  };
}

const ALICE = 'alice-token-0123456789abcdef';
const BOB = 'bob-token-0123456789abcdefghij';

async function serve(options: { tokens?: boolean } = {}) {
  const store = SessionStore.memory();
  stores.push(store);
  const tokens = options.tokens ? { tokens: [{ token: ALICE, userId: 'alice' }, { token: BOB, userId: 'bob' }] } : {};
  const server = await startServer({ store, port: 0, logger: { error: () => {} }, agents: agents(), ...tokens });
  running.push(server);
  return { server, store };
}

function userMessage(id: string, text: string): UIMessage {
  return { id, role: 'user', parts: [{ type: 'text', text }] };
}

async function lastMessage(stream: ReadableStream<UIMessageChunk>): Promise<UIMessage | undefined> {
  let last: UIMessage | undefined;
  for await (const message of readUIMessageStream({ stream })) last = message;
  return last;
}

function textOf(message: UIMessage | undefined): string {
  return (message?.parts ?? []).flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('');
}

describe('the AI SDK chat protocol', () => {
  it('answers a chat message as a UI message stream the SDK reads, persisting the conversation in a session', async () => {
    const { server, store } = await serve();
    const transport = new DefaultChatTransport({ api: `${server.url}/api/chat`, body: { agent: 'typist' } });
    const first = userMessage('ui-1', 'Hello');
    const reply = await lastMessage(await transport.sendMessages({ chatId: 'chat-1', messages: [first], trigger: 'submit-message', messageId: undefined, abortSignal: undefined }));
    expect(reply?.role).toBe('assistant');
    expect(textOf(reply)).toBe(answer);
    const [run] = await store.runs('chat-1');
    expect(reply?.id).toBe(run?.id);

    // The next turn sends the whole conversation; only the new message is stored.
    const second = userMessage('ui-2', 'Again');
    await lastMessage(await transport.sendMessages({ chatId: 'chat-1', messages: [first, reply!, second], trigger: 'submit-message', messageId: undefined, abortSignal: undefined }));
    const stored = await store.getMessages('chat-1');
    expect(stored.map((message) => [message.role, typeof message.content === 'string' ? message.content : textOf({ parts: message.content } as never)])).toEqual([
      ['user', 'Hello'],
      ['assistant', answer],
      ['user', 'Again'],
      ['assistant', answer],
    ]);
    const loaded = (await (await fetch(`${server.url}/api/chat/chat-1`)).json()) as { messages: UIMessage[] };
    expect(loaded.messages.map((message) => [message.id, message.role, textOf(message)])).toEqual([
      ['ui-1', 'user', 'Hello'],
      [run!.id, 'assistant', answer],
      ['ui-2', 'user', 'Again'],
      [(await store.runs('chat-1'))[1]!.id, 'assistant', answer],
    ]);
  });

  it('lets a client that dropped mid-answer reconnect and get the whole answer, stored exactly once', async () => {
    const { server, store } = await serve();
    const transport = new DefaultChatTransport({ api: `${server.url}/api/chat`, body: { agent: 'typist' } });
    const controller = new AbortController();
    const stream = await transport.sendMessages({ chatId: 'chat-reload', messages: [userMessage('ui-1', 'Tell me')], trigger: 'submit-message', messageId: undefined, abortSignal: controller.signal });
    const reader = stream.getReader();
    let deltas = 0;
    while (deltas < 5) {
      const { value } = await reader.read();
      if (value?.type === 'text-delta') deltas += 1;
    }
    // The page is reloaded: the request goes away mid-answer, and the run goes on.
    controller.abort();
    await reader.cancel().catch(() => undefined);
    expect((await store.runs('chat-reload'))[0]?.status).toBe('running');

    const reloaded = new DefaultChatTransport({ api: `${server.url}/api/chat` });
    const resumed = await reloaded.reconnectToStream({ chatId: 'chat-reload' });
    expect(resumed).not.toBeNull();
    const reply = await lastMessage(resumed!);
    expect(textOf(reply)).toBe(answer);
    const stored = await store.getMessages('chat-reload');
    expect(stored.map((message) => message.role)).toEqual(['user', 'assistant']);
    // Nothing in progress any more: the SDK is told so (204) and does nothing.
    expect(await reloaded.reconnectToStream({ chatId: 'chat-reload' })).toBeNull();
    expect(await reloaded.reconnectToStream({ chatId: 'never-used' })).toBeNull();
  });

  it('streams tool calls and their results as tool parts', async () => {
    const { server } = await serve();
    const transport = new DefaultChatTransport({ api: `${server.url}/api/chat`, body: { agent: 'forecaster' } });
    const reply = await lastMessage(await transport.sendMessages({ chatId: 'chat-tools', messages: [userMessage('ui-1', 'Weather?')], trigger: 'submit-message', messageId: undefined, abortSignal: undefined }));
    const toolPart = reply?.parts.find((part) => part.type === 'tool-weather') as { state: string; input: unknown; output: unknown } | undefined;
    expect(toolPart).toMatchObject({ state: 'output-available', input: { city: 'Porto' }, output: { city: 'Porto', sky: 'clear' } });
    expect(textOf(reply)).toBe('Let me look.Clear skies in Porto.');
    const loaded = (await (await fetch(`${server.url}/api/chat/chat-tools`)).json()) as { messages: UIMessage[] };
    expect(loaded.messages[1]?.parts.find((part) => part.type === 'tool-weather')).toMatchObject({ state: 'output-available', output: { city: 'Porto', sky: 'clear' } });
  });

  it('does not store a retried message twice, and refuses what it cannot answer', async () => {
    const { server, store } = await serve();
    const send = (body: unknown) => fetch(`${server.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const message = userMessage('ui-1', 'Once');
    const first = await send({ id: 'chat-retry', messages: [message], agent: 'typist' });
    const retried = await send({ id: 'chat-retry', messages: [message], agent: 'typist' });
    await Promise.all([first.text(), retried.text()]);
    expect((await store.getMessages('chat-retry')).filter((stored) => stored.role === 'user')).toHaveLength(1);
    expect(await store.runs('chat-retry')).toHaveLength(1);

    expect((await send({ id: '../x', messages: [message], agent: 'typist' })).status).toBe(400);
    expect((await send({ id: 'chat-x', messages: [], agent: 'typist' })).status).toBe(400);
    expect((await send({ id: 'chat-x', messages: [message], agent: 'nobody' })).status).toBe(400);
    // With two agents registered, the request must name one.
    expect((await send({ id: 'chat-x', messages: [message] })).status).toBe(400);
    expect((await send({ id: 'chat-x', messages: [message], agent: 'typist', trigger: 'regenerate-message' })).status).toBe(400);
    expect((await fetch(`${server.url}/api/chat/no-such-chat`)).status).toBe(404);
  });

  it('keeps a user-bound token to chats in its own namespace, and other users\' chats out of reach', async () => {
    const { server, store } = await serve({ tokens: true });
    const as = (token: string) => new DefaultChatTransport({ api: `${server.url}/api/chat`, headers: { authorization: `Bearer ${token}` }, body: { agent: 'typist' } });
    const reply = await lastMessage(await as(ALICE).sendMessages({ chatId: 'alice:chat-1', messages: [userMessage('ui-1', 'Mine')], trigger: 'submit-message', messageId: undefined, abortSignal: undefined }));
    expect(textOf(reply)).toBe(answer);
    expect((await store.get('alice:chat-1'))?.userId).toBe('alice');

    // Outside the namespace: the same refusal whether or not the id exists, so nothing is learnt.
    const refusal = (chatId: string) => as(BOB).sendMessages({ chatId, messages: [userMessage('ui-2', 'x')], trigger: 'submit-message', messageId: undefined, abortSignal: undefined });
    const existing = await refusal('alice:chat-1').catch((error: Error) => error.message);
    const missing = await refusal('alice:chat-2').catch((error: Error) => error.message);
    expect(existing).toMatch(/bob:NAME/);
    expect(missing).toBe(existing);
    expect(await as(BOB).reconnectToStream({ chatId: 'alice:chat-1' })).toBeNull();
    const read = await fetch(`${server.url}/api/chat/alice:chat-1`, { headers: { authorization: `Bearer ${BOB}` } });
    expect(read.status).toBe(404);
    expect((await store.getMessages('alice:chat-1')).map((message) => message.role)).toEqual(['user', 'assistant']);
  });
});
