/**
 * The fifth seed's (004) five-method adapter (`insert`, `fetchById`, `fetchMany`, `update`,
 * `delete`) as a record adapter, so `createSessionStore({ adapter })` is a sessionloom store over
 * it. Each sessionloom record is one adapter entry: a session's record under the session's own id,
 * shaped as the seed's session (`userId`, `state`, `attachedSurfaces`, ...: what your `fetchMany`
 * filters on), every other record under its key (`message~ID`, ...), all with the record itself in
 * `record`. The adapter has no compare-and-set, so one process writes at a time (the
 * single-writer rule). `InMemorySessionStoreAdapter` is the seed's map-backed one, deep-cloning
 * what goes in and out.
 */
import type { RecordAdapter } from '../drivers/adapter/adapter.js';
import { decodePart, encodePart } from '../drivers/adapter/keys.js';
import type { Slot } from '../drivers/adapter/transaction.js';
import { SessionNotFoundError } from '../errors.js';
import type { JsonValue, SessionState } from '../types.js';

/** An adapter entry: the seed's session shape, with the sessionloom record it holds. */
export interface AdapterSession {
  id: string;
  userId?: string;
  workspaceId?: string;
  state: SessionState | 'record';
  createdAt: string;
  lastActivityAt: string;
  attachedSurfaces: string[];
  metadata: Record<string, unknown>;
  record: JsonValue;
}

export interface AdapterSessionQuery {
  userId?: string;
  workspaceId?: string;
  state?: AdapterSession['state'] | Array<AdapterSession['state']>;
  surfaceId?: string;
  activeAfter?: string;
  limit?: number;
}

export interface SessionStoreAdapter {
  insert(session: AdapterSession): Promise<void>;
  fetchById(id: string): Promise<AdapterSession | null | undefined>;
  fetchMany(query: AdapterSessionQuery): Promise<AdapterSession[]>;
  update(id: string, patch: Partial<AdapterSession>): Promise<AdapterSession>;
  delete(id: string): Promise<void>;
}

const SESSION_KEY = 'session~';

/** A session's record is filed under the session id (ids never hold `~`); every other record under its key. */
const entryId = (key: string): string => (key.startsWith(SESSION_KEY) ? decodePart(key.slice(SESSION_KEY.length)) : key);
const keyOf = (id: string): string => (id.includes('~') ? id : `${SESSION_KEY}${encodePart(id)}`);

function entryFor(key: string, value: JsonValue): AdapterSession {
  const session = key.startsWith(SESSION_KEY) ? (value as unknown as Slot).record : null;
  const iso = (time: number | undefined) => new Date(time ?? Date.now()).toISOString();
  return {
    id: entryId(key),
    ...(session?.userId === undefined ? {} : { userId: session.userId }),
    ...(session?.workspaceId === undefined ? {} : { workspaceId: session.workspaceId }),
    state: session?.state ?? 'record',
    createdAt: iso(session?.createdAt),
    lastActivityAt: iso(session?.lastActiveAt),
    attachedSurfaces: session?.attachedSurfaces ?? [],
    metadata: session?.metadata ?? {},
    record: value,
  };
}

export function recordAdapterOf(adapter: SessionStoreAdapter): RecordAdapter {
  return {
    async get(key) {
      return (await adapter.fetchById(entryId(key)))?.record;
    },
    async put(key, value) {
      const entry = entryFor(key, value);
      if (await adapter.fetchById(entry.id)) await adapter.update(entry.id, entry);
      else await adapter.insert(entry);
    },
    async delete(key) {
      await adapter.delete(entryId(key));
    },
    async list(prefix) {
      const entries = await adapter.fetchMany({ limit: Number.MAX_SAFE_INTEGER });
      return entries.map((entry) => keyOf(entry.id)).filter((key) => key.startsWith(prefix));
    },
  };
}

export class InMemorySessionStoreAdapter implements SessionStoreAdapter {
  private readonly sessions = new Map<string, AdapterSession>();

  async insert(session: AdapterSession): Promise<void> {
    if (this.sessions.has(session.id)) throw new Error(`session "${session.id}" already exists`);
    this.sessions.set(session.id, structuredClone(session));
  }

  async fetchById(id: string): Promise<AdapterSession | null> {
    const session = this.sessions.get(id);
    return session ? structuredClone(session) : null;
  }

  async fetchMany(query: AdapterSessionQuery): Promise<AdapterSession[]> {
    const states = query.state === undefined ? undefined : Array.isArray(query.state) ? query.state : [query.state];
    const matches = [...this.sessions.values()].filter(
      (session) =>
        (query.userId === undefined || session.userId === query.userId) &&
        (query.workspaceId === undefined || session.workspaceId === query.workspaceId) &&
        (states === undefined || states.includes(session.state)) &&
        (query.surfaceId === undefined || session.attachedSurfaces.includes(query.surfaceId)) &&
        (query.activeAfter === undefined || Date.parse(session.lastActivityAt) > Date.parse(query.activeAfter)),
    );
    return matches.slice(0, query.limit ?? 50).map((session) => structuredClone(session));
  }

  async update(id: string, patch: Partial<AdapterSession>): Promise<AdapterSession> {
    const existing = this.sessions.get(id);
    if (!existing) throw new SessionNotFoundError({ sessionId: id });
    const next = structuredClone({ ...existing, ...patch });
    this.sessions.set(id, next);
    return structuredClone(next);
  }

  async delete(id: string): Promise<void> {
    this.sessions.delete(id);
  }
}
