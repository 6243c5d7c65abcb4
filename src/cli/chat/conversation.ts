/**
 * The conversation a `sessionloom chat` is in: which session, on which store, with which agent.
 * A fork moves the conversation to the fork; a rewind moves the session's head back. The session
 * is created with the first message, so starting the REPL and leaving leaves no empty session behind.
 */
import type { Agent } from '../../agent/agent.js';
import type { Chat } from '../../agent/chat.js';
import type { RunResult } from '../../agent/run-result.js';
import type { RunStream } from '../../agent/run-stream.js';
import { Runner } from '../../agent/runner.js';
import type { ApprovalAnswer } from '../../session/approvals.js';
import { InvalidArgumentError, SessionNotFoundError } from '../../errors.js';
import type { SessionStore } from '../../session/store.js';
import type { Session, StoredMessage } from '../../types.js';

export interface ForkOutcome {
  fromSessionId: string;
  session: Session;
}

export interface RewindOutcome {
  session: Session;
  position: number;
  toMessageId: string;
  removedMessages: number;
}

export interface HistoryPage {
  /** The path position (from 1) of the first message shown. */
  firstPosition: number;
  messageCount: number;
  messages: StoredMessage[];
}

export class Conversation {
  private chat: Chat | undefined;

  private constructor(
    private readonly store: SessionStore,
    private readonly agent: Agent,
    /** Owner of the sessions this conversation creates, and whose sessions `/sessions` lists. */
    readonly userId: string,
  ) {}

  /** A conversation on `resume` (which must exist), or one whose session is created by the first message. */
  static async open(store: SessionStore, agent: Agent, options: { userId: string; resume?: string }): Promise<Conversation> {
    const conversation = new Conversation(store, agent, options.userId);
    if (options.resume !== undefined) conversation.chat = await store.chat(agent, { resume: options.resume });
    return conversation;
  }

  /** The current session's id; undefined until the first message creates it. */
  get sessionId(): string | undefined {
    return this.chat?.id;
  }

  /** Sends a user turn and streams the agent's answer (its run is recorded like any `Runner` run). */
  async send(text: string, signal: AbortSignal): Promise<RunStream> {
    this.chat ??= await this.store.chat(this.agent, { userId: this.userId, metadata: { source: 'sessionloom chat' } });
    return this.chat.stream(text, { signal });
  }

  /** Continues a run that waited for approval, with the person's answers. */
  async resume(runId: string, answers: ApprovalAnswer[]): Promise<RunResult> {
    return Runner.resume(this.agent, { runId, approvals: answers, store: this.store });
  }

  async session(): Promise<Session | undefined> {
    return this.sessionId === undefined ? undefined : this.store.get(this.sessionId);
  }

  /** The newest `limit` messages of the path, with where they sit on it (what `/rewind N` counts). */
  async history(limit: number): Promise<HistoryPage> {
    const session = await this.session();
    if (!session) return { firstPosition: 1, messageCount: 0, messages: [] };
    const messages = await this.store.getMessages(session.id, { last: limit });
    return { firstPosition: session.messageCount - messages.length + 1, messageCount: session.messageCount, messages };
  }

  /** Forks the session at message `position` (default: its head) and continues in the fork. */
  async fork(position?: number): Promise<ForkOutcome> {
    const source = await this.requireSession('/fork');
    const fromMessage = position === undefined ? undefined : (await this.messageAt(source, position, '/fork')).id;
    const fork = await this.store.fork(source.id, {
      ...(fromMessage === undefined ? {} : { fromMessage }),
      metadata: { source: 'sessionloom chat' },
    });
    this.chat = await this.store.chat(this.agent, { resume: fork.id });
    return { fromSessionId: source.id, session: fork };
  }

  /** Moves the session's head back to message `position`; later messages leave the path but stay stored. */
  async rewind(position: number): Promise<RewindOutcome> {
    const session = await this.requireSession('/rewind');
    const target = await this.messageAt(session, position, '/rewind');
    const result = await this.store.rewind(session.id, { toMessage: target.id });
    return { session: result.session, position, toMessageId: target.id, removedMessages: result.removedMessages };
  }

  /** The user's most recently active sessions. */
  async recentSessions(limit: number): Promise<Session[]> {
    return (await this.store.list({ userId: this.userId, orderBy: 'lastActiveAt', order: 'desc', limit })).sessions;
  }

  private async requireSession(command: string): Promise<Session> {
    const session = await this.session();
    if (session) return session;
    if (this.sessionId !== undefined) throw new SessionNotFoundError({ sessionId: this.sessionId });
    throw new InvalidArgumentError({ argument: command, message: 'there is no conversation yet; say something first.' });
  }

  /** The message at a 1-based position of the session's path, read from the end (it costs the distance from the head). */
  private async messageAt(session: Session, position: number, command: string): Promise<StoredMessage> {
    if (session.messageCount === 0) throw new InvalidArgumentError({ argument: command, message: 'the session has no messages yet.' });
    if (!Number.isSafeInteger(position) || position < 1 || position > session.messageCount) {
      const range = session.messageCount === 1 ? '1' : `1 to ${session.messageCount}`;
      throw new InvalidArgumentError({ argument: command, message: `expected a message number from ${range} (as /history numbers them).` });
    }
    const [message] = await this.store.getMessages(session.id, { last: session.messageCount - position + 1 });
    if (!message) throw new InvalidArgumentError({ argument: command, message: `message ${position} is no longer on the path.` });
    return message;
  }
}
