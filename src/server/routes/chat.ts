/**
 * The AI SDK chat protocol over sessionloom sessions and runs, so `useChat` (its
 * `DefaultChatTransport`) works against this server, reloads included:
 *
 * - `POST /api/chat` `{ id, messages, trigger, agent? }`: the chat id is the session id (created on
 *   the first message; under a token bound to a user it must be `USER:NAME`, see chosen-ids.ts); the newest (user) message is stored and a run of the agent answers it; the
 *   answer is that run's UI message stream. Only the newest message is read: the session already
 *   holds the rest, so a conversation is never stored twice. A message already stored (a retried
 *   request) is not stored again: the request then follows the run in progress.
 * - `GET /api/chat/:id/stream` (what `useChat({ resume: true })` calls on load): the session's run in
 *   progress replayed from its start, then live; 204 when none is (the SDK then does nothing).
 * - `GET /api/chat/:id`: the conversation as UI messages, to show before reconnecting.
 * - A conversation ending with an assistant message whose tool parts carry approval answers
 *   (`addToolApprovalResponse`) answers the chat's waiting run and continues it (chat-approvals.ts).
 */
import type { Hono } from 'hono';
import { loadAi } from '../../agent/ai-module.js';
import type { RunInput } from '../../agent/run-input.js';
import { ID_PATTERN } from '../../common/ids.js';
import { InvalidArgumentError, SessionNotFoundError } from '../../errors.js';
import type { SessionStore } from '../../session/store.js';
import { pickAgent } from '../agents.js';
import { readObject } from '../body.js';
import { approvalAnswersOf, continueChatAfterApproval } from '../chat-approvals.js';
import { assertChosenId } from '../chosen-ids.js';
import type { ServerEnv } from '../env.js';
import { startBackgroundRun } from '../start-run.js';
import { UI_MESSAGE_STREAM_HEADERS, uiMessageStream } from '../ui-message-stream.js';
import { toUiMessages } from '../ui-messages.js';
import type { LiveRunRouteOptions } from './live-runs.js';

/** How far back a retried message is looked for. */
const RECENT_MESSAGES = 20;

interface UiUserMessage {
  id: string;
  role: 'user';
  parts: unknown[];
}

export function registerChatRoutes(app: Hono<ServerEnv>, options: LiveRunRouteOptions): void {
  app.post('/api/chat', async (c) => {
    // Not restricted to known fields: the SDK's transport sends more (trigger, messageId, the app's own body).
    const body = await readObject(c);
    const chatId = chatIdOf(body.id);
    // The chat id becomes a session id the client chose: under a user-bound token, only in its namespace.
    assertChosenId(c.get('userId'), chatId, 'id');
    if (body.trigger !== undefined && body.trigger !== 'submit-message') {
      throw new InvalidArgumentError({ argument: 'trigger', message: 'only "submit-message" is supported (to answer again, rewind the session, then send).' });
    }
    const agent = pickAgent(options.agents, body.agent, { defaultToOnly: true });
    const store = c.get('store');
    const answers = approvalAnswersOf(body.messages);
    if (answers !== undefined) {
      // useChat answering tool approvals: the waiting run goes on, and the stream continues its message.
      const { runId, afterSeq } = await continueChatAfterApproval(store, agent, chatId, answers, options.logger);
      return c.body(chatStream(store, runId, options, afterSeq), 200, UI_MESSAGE_STREAM_HEADERS);
    }
    const message = newestUserMessage(body.messages);
    await ensureSession(store, chatId);
    const runId = (await storedAlready(store, chatId, message.id))
      ? ((await runInProgress(store, chatId)) ?? (await startBackgroundRun(agent, { store, sessionId: chatId })))
      : await startBackgroundRun(agent, { store, sessionId: chatId, input: await toModelInput(message) });
    return c.body(chatStream(store, runId, options), 200, UI_MESSAGE_STREAM_HEADERS);
  });

  app.get('/api/chat/:id/stream', async (c) => {
    const store = c.get('store');
    const chatId = chatIdOf(c.req.param('id'));
    if (!(await store.get(chatId))) return c.body(null, 204);
    const runId = await runInProgress(store, chatId);
    if (runId === undefined) return c.body(null, 204);
    return c.body(chatStream(store, runId, options), 200, UI_MESSAGE_STREAM_HEADERS);
  });

  app.get('/api/chat/:id', async (c) => {
    const chatId = chatIdOf(c.req.param('id'));
    const store = c.get('store');
    if (!(await store.get(chatId))) throw new SessionNotFoundError({ sessionId: chatId });
    return c.json({ id: chatId, messages: toUiMessages(await store.getMessages(chatId)) });
  });
}

function chatStream(store: SessionStore, runId: string, options: LiveRunRouteOptions, afterSeq = 0): ReadableStream<Uint8Array> {
  return uiMessageStream({
    follow: (signal) => store.followRun(runId, { signal, afterSeq }),
    messageId: runId,
    heartbeatMs: options.heartbeatMs,
    onError: (error) => options.logger.error(`sessionloom server: the chat stream of run ${runId} failed`, error),
  });
}

function chatIdOf(id: unknown): string {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw new InvalidArgumentError({ argument: 'id', message: 'expected the chat id: a letter or digit, then letters, digits, ".", "_", ":", "@" or "-".' });
  }
  return id;
}

function newestUserMessage(messages: unknown): UiUserMessage {
  const newest = Array.isArray(messages) ? (messages.at(-1) as Partial<UiUserMessage> | undefined) : undefined;
  if (typeof newest !== 'object' || newest === null || newest.role !== 'user' || typeof newest.id !== 'string' || !Array.isArray(newest.parts)) {
    throw new InvalidArgumentError({ argument: 'messages', message: 'expected UI messages ending with the user\'s new message ({ id, role: "user", parts }).' });
  }
  return newest as UiUserMessage;
}

async function ensureSession(store: SessionStore, chatId: string): Promise<void> {
  if (await store.get(chatId)) return;
  try {
    await store.create({ id: chatId });
  } catch (error) {
    // Created by a request that raced this one: fine. (Another user's chat id is refused by create.)
    if (!(await store.get(chatId))) throw error;
  }
}

async function storedAlready(store: SessionStore, chatId: string, uiMessageId: string): Promise<boolean> {
  const recent = await store.getMessages(chatId, { last: RECENT_MESSAGES });
  return recent.some((stored) => stored.role === 'user' && (stored.metadata as { uiMessageId?: unknown } | undefined)?.uiMessageId === uiMessageId);
}

async function runInProgress(store: SessionStore, chatId: string): Promise<string | undefined> {
  const runs = await store.runs(chatId);
  return runs.filter((run) => run.status === 'running').at(-1)?.id;
}

/** The UI message as the model message stored and sent, remembering its UI id. */
async function toModelInput(message: UiUserMessage): Promise<RunInput> {
  const { convertToModelMessages } = (await loadAi()).ai;
  let converted;
  try {
    converted = await convertToModelMessages([{ role: 'user', parts: message.parts as never }]);
  } catch (error) {
    throw new InvalidArgumentError({ argument: 'messages', message: `the new message's parts could not be read: ${error instanceof Error ? error.message : String(error)}`, cause: error });
  }
  const [input] = converted;
  if (input === undefined || input.role !== 'user') throw new InvalidArgumentError({ argument: 'messages', message: 'the new message has no content.' });
  return { ...input, metadata: { uiMessageId: message.id } } as RunInput;
}

