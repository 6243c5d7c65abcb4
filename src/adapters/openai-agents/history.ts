/**
 * One sessionloom session as the adapter reads and writes it: read messages (all, or a page),
 * append (creating the session on the first write), reset. Items are `item-history.ts`'s concern.
 * A session that does not exist yet reads as empty, as an Agents SDK session
 * with a new id does; that also makes a reset interrupted between its delete and create harmless.
 */
import { SessionNotFoundError } from '../../errors.js';
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

  /** Empties the session, keeping its id (see `reset.ts`). */
  async reset(): Promise<void> {
    await resetSession(this.store, this.sessionId, { archive: this.archiveOnClear });
  }
}
