/**
 * The third seed's (002) session store interface: `get`, `create(data | id)`, `update(id, { messages })`,
 * `getMessages`, `appendMessage`, `delete`, with messages whose `content` is their text (see
 * messages.ts). `DbSessionStore` is that interface over any sessionloom store (`store` gives the
 * store itself, for everything else); `InMemorySessionStore` adds `retentionDays` and a synchronous
 * `pruneExpired()`; `FallbackSessionStore` adds `isDegraded()` and `recover()`.
 */
import type { FallbackOptions } from '../drivers/fallback/driver.js';
import { SessionNotFoundError } from '../errors.js';
import { SessionStore } from '../session-store.js';
import type { Metadata, Session } from '../types.js';
import { IndexedMemoryDriver } from './indexed-memory.js';
import { fromCompatMessage, replaceMessages, toCompatMessage, type CompatMessage, type CompatMessageInput } from './messages.js';

/** A session with its messages, as `get` and `create` return it. */
export type SessionData = Session & { messages: CompatMessage[] };

export interface CreateSessionData {
  id?: string;
  agentId?: string;
  userId?: string;
  metadata?: Metadata;
  messages?: CompatMessageInput[];
}

/** A database the store opens (`SqliteAgentDb`, `PostgresAgentDb`), or a sessionloom store. */
export interface AgentDb {
  openSessionStore(): SessionStore;
}

export class DbSessionStore {
  /** Calls made after `pruneExpired()` wait for the pruning it started. */
  protected pending: Promise<unknown> = Promise.resolve();
  private readonly backing: SessionStore;

  constructor(db: AgentDb | SessionStore) {
    this.backing = db instanceof SessionStore ? db : db.openSessionStore();
  }

  /** The sessionloom store underneath (for fork, rewind, runs and the rest of the API). */
  get store(): SessionStore {
    return this.backing;
  }

  /** The store underneath, once any pruning in progress is done. */
  async ready(): Promise<SessionStore> {
    await this.pending;
    return this.backing;
  }

  async get(id: string): Promise<SessionData | undefined> {
    const store = await this.ready();
    const session = await store.get(id);
    return session && { ...session, messages: (await store.getMessages(id)).map(toCompatMessage) };
  }

  /** A new session; a string is its id. */
  async create(data: CreateSessionData | string = {}): Promise<SessionData> {
    const store = await this.ready();
    const init = typeof data === 'string' ? { id: data } : data;
    const session = await store.create({
      ...(init.id === undefined ? {} : { id: init.id }),
      ...(init.agentId === undefined ? {} : { agentId: init.agentId }),
      ...(init.userId === undefined ? {} : { userId: init.userId }),
      ...(init.metadata === undefined ? {} : { metadata: init.metadata }),
      ...(init.messages === undefined ? {} : { messages: init.messages.map(fromCompatMessage) }),
    });
    return { ...session, messages: (await store.getMessages(session.id)).map(toCompatMessage) };
  }

  /** Makes the session's conversation exactly `messages` (earlier messages that differ stay readable as a rewound tail). */
  async update(id: string, data: { messages: CompatMessageInput[] }): Promise<void> {
    const store = await this.ready();
    if (!(await store.get(id))) throw new SessionNotFoundError({ sessionId: id });
    await replaceMessages(store, id, data.messages);
  }

  async getMessages(id: string): Promise<CompatMessage[]> {
    return (await (await this.ready()).getMessages(id)).map(toCompatMessage);
  }

  async appendMessage(id: string, message: CompatMessageInput): Promise<void> {
    await (await this.ready()).append(id, fromCompatMessage(message));
  }

  async delete(id: string): Promise<void> {
    await (await this.ready()).delete(id);
  }

  async close(): Promise<void> {
    await (await this.ready()).close();
  }
}

export interface InMemorySessionStoreOptions {
  /** `pruneExpired()` deletes sessions not updated for this many days (default 30). */
  retentionDays?: number;
  /** The time source in epoch ms (default `Date.now`; tests pass a clock they move). */
  clock?: () => number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export class InMemorySessionStore extends DbSessionStore {
  private readonly driver: IndexedMemoryDriver;
  private readonly retentionDays: number;
  private readonly clock: () => number;

  constructor(options: InMemorySessionStoreOptions = {}) {
    const driver = new IndexedMemoryDriver();
    super(SessionStore.fromDriver(driver, options.clock === undefined ? {} : { clock: options.clock }));
    this.driver = driver;
    this.retentionDays = options.retentionDays ?? 30;
    this.clock = options.clock ?? Date.now;
  }

  /** How many sessions are stored. */
  size(): number {
    return this.driver.sessionCount;
  }

  /**
   * Deletes the sessions not updated for `retentionDays` and returns how many, at once. The
   * deleting finishes in the background; every later call on this store waits for it.
   */
  pruneExpired(): number {
    const olderThan = this.clock() - this.retentionDays * DAY_MS;
    const count = this.driver.countUpdatedBefore(olderThan);
    if (count > 0) this.pending = this.pending.then(() => this.store.prune({ olderThan })).catch(() => undefined);
    return count;
  }
}

/** The seed's fallback options: `fallback: 'in-memory'` (default) keeps the journal in memory. */
export interface FallbackSessionStoreOptions extends Omit<FallbackOptions, 'fallback' | 'onRecover'> {
  fallback?: 'in-memory' | FallbackOptions['fallback'];
  onRecover?: () => void;
}

export class FallbackSessionStore extends DbSessionStore {
  constructor(primary: DbSessionStore | SessionStore, options: FallbackSessionStoreOptions = {}) {
    const { fallback, onRecover, ...rest } = options;
    super(
      SessionStore.fallback(primary instanceof DbSessionStore ? primary.store : primary, {
        ...rest,
        fallback: fallback === undefined || fallback === 'in-memory' ? 'memory' : fallback,
        ...(onRecover === undefined ? {} : { onRecover: () => onRecover() }),
      }),
    );
  }

  /** True while the primary is down and the fallback serves. */
  isDegraded(): boolean {
    return this.store.isDegraded();
  }

  /** Checks the primary now and replays what was written meanwhile if it answers (never rejects: the probe keeps trying). */
  async recover(): Promise<void> {
    await this.store.recover().catch(() => undefined);
  }
}
