/**
 * One sessionloom session seen as a list of items, one message each: read the newest N, append
 * (creating the session on the first write), find the message at an item index, and keep only
 * the first N items. A session that does not exist yet reads as empty, as an Agents SDK session
 * with a new id does; that also makes a reset interrupted between its delete and create harmless.
 */
import { InvalidArgumentError, SessionNotFoundError } from '../../errors.js';
import type { SessionStore } from '../../session/store.js';
import type { CreateSessionInit, GetMessagesOptions, MessageInput, Session, StoredMessage } from '../../types.js';
import { resetSession } from './reset.js';

export interface StoredHistoryOptions {
  store: SessionStore;
  sessionId: string;
  /** What the session is created with when the first write finds none. */
  creation: Omit<CreateSessionInit, 'id' | 'messages'>;
  archiveOnClear: boolean;
}

export class StoredHistory {
  readonly store: SessionStore;
  readonly sessionId: string;
  private readonly creation: Omit<CreateSessionInit, 'id' | 'messages'>;
  private readonly archiveOnClear: boolean;

  constructor(options: StoredHistoryOptions) {
    this.store = options.store;
    this.sessionId = options.sessionId;
    this.creation = options.creation;
    this.archiveOnClear = options.archiveOnClear;
  }

  /** The session's messages (all, or a page); none when the session does not exist yet. */
  async read(options?: GetMessagesOptions): Promise<StoredMessage[]> {
    try {
      return await this.store.getMessages(this.sessionId, options);
    } catch (error) {
      if (SessionNotFoundError.isInstance(error)) return [];
      throw error;
    }
  }

  async session(): Promise<Session | undefined> {
    return this.store.get(this.sessionId);
  }

  /** The session, created empty now if it does not exist. */
  async ensureSession(): Promise<Session> {
    const existing = await this.session();
    if (existing) return existing;
    try {
      return await this.store.create({ ...this.creation, id: this.sessionId });
    } catch (error) {
      // Another writer created it first.
      const created = await this.session();
      if (created) return created;
      throw error;
    }
  }

  /** Appends at the head; the first write creates the session, with these messages, in one step. */
  async append(messages: MessageInput[]): Promise<void> {
    try {
      await this.store.append(this.sessionId, messages);
      return;
    } catch (error) {
      if (!SessionNotFoundError.isInstance(error)) throw error;
    }
    try {
      await this.store.create({ ...this.creation, id: this.sessionId, messages });
    } catch (error) {
      // Another writer created it first: append after what it wrote.
      if (!(await this.session())) throw error;
      await this.store.append(this.sessionId, messages);
    }
  }

  /**
   * The message holding the item at `index` (negative counts from the newest, as `Array.at`).
   * Reads from whichever end is nearer, so the cost is the distance to that end.
   */
  async messageAt(index: number): Promise<StoredMessage> {
    const count = (await this.session())?.messageCount ?? 0;
    const position = Number.isInteger(index) ? (index < 0 ? count + index : index) : Number.NaN;
    if (!(position >= 0 && position < count)) {
      throw new InvalidArgumentError({
        argument: 'item index',
        message: `${index} is not the index of an item: session "${this.sessionId}" holds ${count} item(s).`,
      });
    }
    const nearerStart = position < count - position;
    const message = nearerStart ? (await this.read({ limit: position + 1 })).at(-1) : (await this.read({ last: count - position }))[0];
    if (!message) throw new SessionNotFoundError({ sessionId: this.sessionId });
    return message;
  }

  /** Keeps the first `count` items: a rewind (the rest stay readable for audit), or a reset for none. */
  async keepFirst(count: number): Promise<void> {
    if (count === 0) {
      await this.reset();
      return;
    }
    const last = await this.messageAt(count - 1);
    await this.store.rewind(this.sessionId, { toMessage: last.id });
  }

  /** Empties the session, keeping its id (see `reset.ts`). */
  async reset(): Promise<void> {
    await resetSession(this.store, this.sessionId, { archive: this.archiveOnClear });
  }
}
