/**
 * The fourth seed's (003) sessions: `createSession({ model, tools, sessionStorage, resume, fork })`,
 * then `session.send(text)` and `for await (const event of session.receive())`, `session.id` and
 * `session.close()`; `resumeSession(id, options)` and `forkSession(id, options)`. Each turn is a
 * `Runner.stream` on the session, so every turn is stored as it happens, with its run.
 */
import type { LanguageModel, ToolSet } from 'ai';
import { Agent } from '../agent/agent.js';
import type { RunResult } from '../agent/run-result.js';
import type { RunStream } from '../agent/run-stream.js';
import { Runner } from '../agent/runner.js';
import { InvalidArgumentError, SessionNotFoundError } from '../errors.js';
import type { SessionStore } from '../session-store.js';
import type { Metadata, ModelMessage } from '../types.js';
import { messageText } from '../common/message-text.js';
import { toCompatMessage, type CompatMessage } from './messages.js';
import { resolveCompatModel } from './models.js';
import { getDefaultStorage, storeOfStorage } from './session-storage.js';
import type { SessionStorage } from './storage-types.js';

export interface CreateSessionOptions {
  /** An AI SDK model or a model id (see `setModelResolver`). */
  model?: LanguageModel;
  tools?: ToolSet;
  /** Where the session is kept (default: see `setDefaultStorage`). */
  sessionStorage?: SessionStorage;
  /** Continue this session (`Session not found: ID` when there is none). */
  resume?: string;
  /** Continue a fork of this session (the original is untouched). */
  fork?: string;
  /** Id of a new session (default: a generated one). */
  sessionId?: string;
  systemPrompt?: string;
  metadata?: Metadata;
  maxSteps?: number;
}

/** What `receive()` yields for a turn. */
export type SessionEvent =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; name: string; content: string; is_error: boolean }
  | { type: 'stop'; result: RunResult };

export class StreamingSession {
  private turn: RunStream | undefined;
  private closed = false;

  constructor(
    private readonly agent: Agent,
    private readonly storage: SessionStorage,
    /** The session's id (keep it to resume later). */
    readonly id: string,
  ) {}

  /** Starts a turn; its events come from `receive()`. A turn waits for the one before to end. */
  async send(message: string | ModelMessage | ModelMessage[]): Promise<void> {
    if (this.closed) throw new InvalidArgumentError({ argument: 'session', message: 'this session was closed.' });
    await this.turn?.result.catch(() => undefined);
    this.turn = Runner.stream(this.agent, { input: message, session: { store: this.store(), id: this.id } });
  }

  /** The events of the last turn sent, as they happen; ends with `stop` (throws if the turn failed). */
  async *receive(): AsyncGenerator<SessionEvent> {
    const turn = this.turn;
    if (!turn) return;
    for await (const event of turn) {
      if (event.type === 'text-delta') yield { type: 'text', text: event.text };
      else if (event.type === 'tool-call') yield { type: 'tool_use', id: event.toolCallId, name: event.toolName, input: event.input };
      else if (event.type === 'tool-result') {
        yield {
          type: 'tool_result',
          tool_use_id: event.toolCallId,
          name: event.toolName,
          content: messageText({ content: [{ type: 'tool-result', toolCallId: event.toolCallId, toolName: event.toolName, output: event.output }] }),
          is_error: event.isError,
        };
      } else if (event.type === 'run-end') yield { type: 'stop', result: event.result };
    }
  }

  /** The session's conversation so far (text as `content`). */
  async getMessages(): Promise<CompatMessage[]> {
    return (await this.store().getMessages(this.id)).map(toCompatMessage);
  }

  /** Waits for the turn in progress; later sends are refused. The session stays stored. */
  async close(): Promise<void> {
    this.closed = true;
    await this.turn?.result.catch(() => undefined);
  }

  private store(): SessionStore {
    return storeOfStorage(this.storage);
  }
}

export async function createSession(options: CreateSessionOptions = {}): Promise<StreamingSession> {
  if (options.resume !== undefined && options.fork !== undefined) {
    throw new InvalidArgumentError({ argument: 'createSession options', message: 'give `resume` or `fork`, not both.' });
  }
  const storage = options.sessionStorage ?? getDefaultStorage();
  const store = storeOfStorage(storage);
  const agent = new Agent({
    name: 'session',
    model: await resolveCompatModel(options.model),
    ...(options.tools === undefined ? {} : { tools: options.tools }),
    ...(options.systemPrompt === undefined ? {} : { instructions: options.systemPrompt }),
    ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
  });
  const source = options.resume ?? options.fork;
  if (source !== undefined && !(await store.get(source))) {
    throw new SessionNotFoundError({ sessionId: source, message: `Session not found: ${source}` });
  }
  if (options.resume !== undefined) return new StreamingSession(agent, storage, options.resume);
  const session =
    options.fork !== undefined
      ? await store.fork(options.fork, { ...(options.sessionId === undefined ? {} : { id: options.sessionId }), ...(options.metadata === undefined ? {} : { metadata: options.metadata }) })
      : await store.create({ ...(options.sessionId === undefined ? {} : { id: options.sessionId }), ...(options.metadata === undefined ? {} : { metadata: options.metadata }) });
  return new StreamingSession(agent, storage, session.id);
}

export function resumeSession(sessionId: string, options: Omit<CreateSessionOptions, 'resume' | 'fork'> = {}): Promise<StreamingSession> {
  return createSession({ ...options, resume: sessionId });
}

export function forkSession(sessionId: string, options: Omit<CreateSessionOptions, 'resume' | 'fork'> = {}): Promise<StreamingSession> {
  return createSession({ ...options, fork: sessionId });
}
