/**
 * The fifth seed's (004) session store: `createSessionStore({ adapter, defaultTtlMs })` with
 * `create`, `get` (null when missing), `find`, `touch`, `attachSurface`, `detachSurface`,
 * `expire`, `sweepStale(ttlMs)` (the sessions it suspended) and `updateMetadata`, over a
 * sessionloom store built on the adapter (`store` is that store, for fork, rewind, runs...). The
 * adapter is the seed's five-method one (see session-store-adapter.ts) or a record adapter.
 */
import type { RecordAdapter } from '../drivers/adapter/adapter.js';
import { DEFAULT_TTL_MS } from '../session/context.js';
import { SessionStore } from '../session-store.js';
import type { ListOptions, Metadata, Session, SessionState } from '../types.js';
import { recordAdapterOf, type SessionStoreAdapter } from './session-store-adapter.js';

export interface AssistantSessionStoreConfig {
  adapter: SessionStoreAdapter | RecordAdapter;
  /** Idle time before `sweepStale()` suspends a session (default one hour). */
  defaultTtlMs?: number;
}

export interface CreateAssistantSession {
  id: string;
  userId: string;
  workspaceId?: string;
  initialSurfaceId?: string;
  metadata?: Metadata;
}

export interface FindSessionsQuery {
  userId?: string;
  workspaceId?: string;
  state?: SessionState | SessionState[];
  surfaceId?: string;
  /** Only sessions active after this time (ISO text or epoch ms). */
  activeAfter?: string | number;
  /** Default 50. */
  limit?: number;
}

const PAGE = 200;

export class AssistantSessionStore {
  constructor(
    /** The sessionloom store underneath. */
    readonly store: SessionStore,
    private readonly defaultTtlMs: number,
  ) {}

  create(input: CreateAssistantSession): Promise<Session> {
    return this.store.create({
      id: input.id,
      userId: input.userId,
      ...(input.workspaceId === undefined ? {} : { workspaceId: input.workspaceId }),
      ...(input.initialSurfaceId === undefined ? {} : { surfaceId: input.initialSurfaceId }),
      ...(input.metadata === undefined ? {} : { metadata: input.metadata }),
    });
  }

  async get(id: string): Promise<Session | null> {
    return (await this.store.get(id)) ?? null;
  }

  /** Matching sessions, most recently active first. */
  async find(query: FindSessionsQuery = {}): Promise<Session[]> {
    const limit = query.limit ?? 50;
    const activeAfter = query.activeAfter === undefined ? undefined : typeof query.activeAfter === 'number' ? query.activeAfter : Date.parse(query.activeAfter);
    const options: ListOptions = {
      ...(query.userId === undefined ? {} : { userId: query.userId }),
      ...(query.workspaceId === undefined ? {} : { workspaceId: query.workspaceId }),
      ...(query.state === undefined ? {} : { state: query.state }),
      ...(query.surfaceId === undefined ? {} : { surfaceId: query.surfaceId }),
      orderBy: 'lastActiveAt',
      order: 'desc',
    };
    // Newest first, so the first session not active after `activeAfter` ends the search.
    return this.scan(options, (session, kept) => kept < limit && (activeAfter === undefined || session.lastActiveAt > activeAfter));
  }

  touch(id: string): Promise<Session> {
    return this.store.touch(id);
  }

  attachSurface(id: string, surfaceId: string): Promise<Session> {
    return this.store.attachSurface(id, surfaceId);
  }

  detachSurface(id: string, surfaceId: string): Promise<Session> {
    return this.store.detachSurface(id, surfaceId);
  }

  expire(id: string): Promise<Session> {
    return this.store.expire(id);
  }

  updateMetadata(id: string, metadata: Metadata): Promise<Session> {
    return this.store.updateMetadata(id, metadata);
  }

  /** Suspends active sessions idle longer than `ttlMs` (default the store's TTL); returns them as they are now. */
  async sweepStale(ttlMs?: number): Promise<Session[]> {
    const cutoff = Date.now() - (ttlMs ?? this.defaultTtlMs);
    const stale = await this.scan({ state: 'active', orderBy: 'lastActiveAt', order: 'asc' }, (session) => session.lastActiveAt < cutoff);
    const suspended: Session[] = [];
    for (const session of stale) {
      const after = await this.store.suspend(session.id);
      if (after.state === 'suspended') suspended.push(after);
    }
    return suspended;
  }

  /** Pages through `list` in its order while `keep` holds (given how many were kept so far). */
  private async scan(options: ListOptions, keep: (session: Session, kept: number) => boolean): Promise<Session[]> {
    const kept: Session[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await this.store.list({ ...options, limit: PAGE, ...(cursor === undefined ? {} : { cursor }) });
      for (const session of page.sessions) {
        if (!keep(session, kept.length)) return kept;
        kept.push(session);
      }
      if (page.nextCursor === undefined) return kept;
      cursor = page.nextCursor;
    }
  }
}

function isFiveMethodAdapter(adapter: SessionStoreAdapter | RecordAdapter): adapter is SessionStoreAdapter {
  return typeof (adapter as SessionStoreAdapter).fetchById === 'function';
}

export function createSessionStore(config: AssistantSessionStoreConfig): AssistantSessionStore {
  const defaultTtlMs = config.defaultTtlMs ?? DEFAULT_TTL_MS;
  const adapter = isFiveMethodAdapter(config.adapter) ? recordAdapterOf(config.adapter) : config.adapter;
  return new AssistantSessionStore(SessionStore.fromAdapter(adapter, { defaultTtlMs, name: 'sessions adapter' }), defaultTtlMs);
}
