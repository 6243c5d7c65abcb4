/**
 * The fourth seed's (003) `SessionStorage`: `save(state)`, `load(id)`, `delete(id)`, `list()` of
 * session ids, over sessionloom stores. `MemorySessionStorage` (with synchronous `clear()` and
 * `size()`) and `FileSessionStorage(dir)` are the built-in ones; `createSessionStorage(type)` makes
 * either; `setDefaultStorage` sets the one `createSession` uses when given none. A storage of your
 * own (any object with the four methods) works too: it becomes the backend of a store (see
 * storage-adapter.ts).
 */
import { InvalidArgumentError } from '../errors.js';
import { SessionStore } from '../session-store.js';
import { IndexedMemoryDriver } from './indexed-memory.js';
import { fromCompatMessage, replaceMessages, toCompatMessage } from './messages.js';
import { storageAdapter } from './storage-adapter.js';
import type { SessionState, SessionStateInput, SessionStorage } from './storage-types.js';

export type { SessionState, SessionStateInput, SessionStorage };

/** A `SessionStorage` over a sessionloom store; `store` is that store (fork, rewind, runs, ...). */
export abstract class StoreSessionStorage implements SessionStorage {
  abstract get store(): SessionStore;

  /** Creates the session, or makes its conversation and metadata those of `state`. */
  async save(state: SessionState | SessionStateInput): Promise<void> {
    const store = this.store;
    if (!(await store.get(state.id))) {
      const messages = state.messages.map(fromCompatMessage);
      await store.create({ id: state.id, metadata: state.metadata ?? {}, ...(messages.length > 0 ? { messages } : {}) });
      return;
    }
    if (state.metadata !== undefined) await store.updateMetadata(state.id, state.metadata);
    await replaceMessages(store, state.id, state.messages);
  }

  async load(sessionId: string): Promise<SessionState | undefined> {
    const session = await this.store.get(sessionId);
    if (!session) return undefined;
    const messages = (await this.store.getMessages(sessionId)).map(toCompatMessage);
    return {
      id: session.id,
      messages,
      usage: session.usage,
      metadata: session.metadata,
      createdAt: session.createdAt,
      updatedAt: session.updatedAt,
      ...(session.parentId === undefined ? {} : { parentId: session.parentId }),
    };
  }

  async delete(sessionId: string): Promise<void> {
    await this.store.delete(sessionId);
  }

  async list(): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.list({ orderBy: 'createdAt', order: 'asc', limit: 500, ...(cursor === undefined ? {} : { cursor }) });
      ids.push(...page.sessions.map((session) => session.id));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return ids;
  }
}

/** Sessions for the life of the process. */
export class MemorySessionStorage extends StoreSessionStorage {
  private driver = new IndexedMemoryDriver();
  private current = SessionStore.fromDriver(this.driver);

  get store(): SessionStore {
    return this.current;
  }

  /** Forgets every session, at once. */
  clear(): void {
    const previous = this.current;
    this.driver = new IndexedMemoryDriver();
    this.current = SessionStore.fromDriver(this.driver);
    void previous.close();
  }

  /** How many sessions are stored. */
  size(): number {
    return this.driver.sessionCount;
  }
}

/** Sessions in a directory (sessionloom's file store: append-only JSON Lines, several processes may share it). */
export class FileSessionStorage extends StoreSessionStorage {
  readonly directory: string;
  private readonly backing: SessionStore;

  constructor(directory: string) {
    super();
    this.directory = directory;
    this.backing = SessionStore.file(directory);
  }

  get store(): SessionStore {
    return this.backing;
  }
}

/** `createSessionStorage('memory')`, or `createSessionStorage('file', { directory })` (also `{ path }` or the directory itself). */
export function createSessionStorage(type: 'memory' | 'file', options?: { directory?: string; path?: string } | string): StoreSessionStorage {
  if (type === 'memory') return new MemorySessionStorage();
  if (type === 'file') {
    const directory = typeof options === 'string' ? options : (options?.directory ?? options?.path ?? './sessions');
    return new FileSessionStorage(directory);
  }
  throw new InvalidArgumentError({ argument: 'storage type', message: `expected "memory" or "file", got ${JSON.stringify(type)}.` });
}

let defaultStorage: SessionStorage | undefined;

/** The storage `createSession` uses when given none (a `MemorySessionStorage` until set). */
export function setDefaultStorage(storage: SessionStorage): void {
  defaultStorage = storage;
}

export function getDefaultStorage(): SessionStorage {
  defaultStorage ??= new MemorySessionStorage();
  return defaultStorage;
}

const storesOfCustomStorages = new WeakMap<SessionStorage, SessionStore>();

/** The sessionloom store behind a storage: its own for the built-in ones, one over the storage for a storage of your own. */
export function storeOfStorage(storage: SessionStorage): SessionStore {
  if (storage instanceof StoreSessionStorage) return storage.store;
  let store = storesOfCustomStorages.get(storage);
  if (!store) {
    store = SessionStore.fromAdapter(storageAdapter(storage), { name: 'session storage' });
    storesOfCustomStorages.set(storage, store);
  }
  return store;
}
