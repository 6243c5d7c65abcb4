/**
 * `SessionStore` as the first seed (000) uses it: the real class (every factory, every instance
 * method) plus static helpers that take the store as an argument, `SessionStore.get(id, store)`,
 * `list(store, options)`, `fork(id, { store, ... })`, `rewind(id, { store, ... })`,
 * `getMessages(id, store, options)`, and `SessionStore.inMemory()`. Instances are the real stores,
 * so they go to `Runner.run` as they are. And the stores the second seed (001) constructs:
 * `new FileSessionStore(dir)` and `new MemorySessionStore()`.
 */
import { SessionNotFoundError } from '../errors.js';
import { SessionStore as CoreSessionStore, type StoreOptions } from '../session-store.js';
import type { FileStoreOptions } from '../drivers/registry.js';
import type { ForkOptions, GetMessagesOptions, ListOptions, RewindOptions, RewindResult, Session } from '../types.js';
import { toCompatMessage, type CompatMessage } from './messages.js';

/** A session with its whole path, as `SessionStore.get(id, store)` returns it. */
export interface SessionWithMessages extends Session {
  /** The session's id again, as the seed's fork result is read (`fork.sessionId`). */
  sessionId: string;
  messages: CompatMessage[];
}

/** A page of sessions: an array, with `nextCursor` for the next page (absent on the last). */
export type SessionList = Session[] & { nextCursor?: string };

/** The session a fork made, with `sessionId` as the seed reads it. */
export type ForkedSession = Session & { sessionId: string };

/** Thrown when a static helper is asked for a session that does not exist (the seed reads the result without a check). */
function notFound(id: string): SessionNotFoundError {
  return new SessionNotFoundError({ sessionId: id, message: `Session not found: ${id}` });
}

const staticHelpers = {
  /** An in-memory store (for tests): `SessionStore.memory()`. */
  inMemory(options?: StoreOptions): CoreSessionStore {
    return CoreSessionStore.memory(options);
  },
  /** The session with its messages (text as `content`); `SessionNotFoundError` when there is none. */
  async get(id: string, store: CoreSessionStore): Promise<SessionWithMessages> {
    const session = await store.get(id);
    if (!session) throw notFound(id);
    const messages = (await store.getMessages(id)).map(toCompatMessage);
    return { ...session, sessionId: session.id, messages };
  },
  /** One page of sessions as an array (`nextCursor` on it for the next page). */
  async list(store: CoreSessionStore, options?: ListOptions): Promise<SessionList> {
    const { sessions, nextCursor } = await store.list(options);
    return nextCursor === undefined ? sessions : Object.assign(sessions, { nextCursor });
  },
  async fork(id: string, options: ForkOptions & { store: CoreSessionStore }): Promise<ForkedSession> {
    const { store, ...forkOptions } = options;
    const fork = await store.fork(id, forkOptions);
    return { ...fork, sessionId: fork.id };
  },
  /**
   * `store.rewind`; with `rewindFiles` and no `workspace`, the directory the checkpoint was taken
   * of (recorded with it, and used only while it is still that directory), not the caller's working directory.
   */
  async rewind(id: string, options: RewindOptions & { store: CoreSessionStore }): Promise<RewindResult> {
    const { store, ...rewindOptions } = options;
    return store.rewind(id, rewindOptions);
  },
  /** The session's messages (text as `content`), paged as `store.getMessages`. */
  async getMessages(id: string, store: CoreSessionStore, options?: GetMessagesOptions): Promise<CompatMessage[]> {
    return (await store.getMessages(id, options)).map(toCompatMessage);
  },
};

/** The real `SessionStore` class with the first seed's static helpers. */
export const SessionStore = new Proxy(CoreSessionStore, {
  get(target, property, receiver) {
    return Object.hasOwn(staticHelpers, property) ? staticHelpers[property as keyof typeof staticHelpers] : Reflect.get(target, property, receiver);
  },
}) as typeof CoreSessionStore & typeof staticHelpers;
export type SessionStore = CoreSessionStore;

/** The second seed's file store: `new FileSessionStore('./sessions')` is `SessionStore.file('./sessions')`. */
export interface FileSessionStore extends CoreSessionStore {}
export class FileSessionStore {
  constructor(directory: string, options?: StoreOptions & FileStoreOptions) {
    return CoreSessionStore.file(directory, options) as FileSessionStore;
  }
  static [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof CoreSessionStore && value.backend === 'file';
  }
}

/** The second seed's memory store: `new MemorySessionStore()` is `SessionStore.memory()`. */
export interface MemorySessionStore extends CoreSessionStore {}
export class MemorySessionStore {
  constructor(options?: StoreOptions) {
    return CoreSessionStore.memory(options) as MemorySessionStore;
  }
  static [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof CoreSessionStore && value.backend === 'memory';
  }
}
