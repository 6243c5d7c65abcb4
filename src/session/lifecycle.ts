/** Lifecycle and metadata changes: touch, surfaces, expire, update, and the stale sweep. */
import type { SessionQuery, SessionRecord } from '../driver/driver.js';
import { assertValidId } from '../common/ids.js';
import type { Metadata, Session, SweepResult, UpdateSessionPatch } from '../types.js';
import { assertNotExpired, mutateSession } from './access.js';
import type { StoreContext } from './context.js';
import { unique } from './create.js';
import { expectedVersionSchema, parseOptions, snapshotFields, snapshotMetadata, surfaceSchema, sweepOptionsSchema, updatePatchSchema } from './options.js';
import { nextVersion, toSession, withActivity, withDeadlines } from './records.js';

const SWEEP_PAGE = 200;

/** Applies `change` to the session as one versioned write and returns the new session. */
async function changeSession(
  context: StoreContext,
  id: string,
  change: (record: SessionRecord, now: number) => SessionRecord | undefined,
  expectedVersion?: number,
): Promise<Session> {
  assertValidId(id, 'session id');
  return mutateSession<Session>(context, id, { expectedVersion }, (record) => {
    const now = context.now();
    const next = change(record, now);
    if (next === undefined) return { done: toSession(record) };
    return { batch: { sessions: [{ record: next, expectedVersion: record.version }] }, result: toSession(next) };
  });
}

export async function touchSession(context: StoreContext, id: string): Promise<Session> {
  return changeSession(context, id, (record, now) => {
    assertNotExpired(record);
    return withActivity(context, nextVersion(record, now), now);
  });
}

export async function attachSurface(context: StoreContext, id: string, surfaceId: string): Promise<Session> {
  const surface = parseOptions(surfaceSchema, surfaceId, 'surface id');
  return changeSession(context, id, (record, now) => {
    assertNotExpired(record);
    const next = withActivity(context, nextVersion(record, now), now);
    return { ...next, attachedSurfaces: unique([...record.attachedSurfaces, surface]) };
  });
}

export async function detachSurface(context: StoreContext, id: string, surfaceId: string): Promise<Session> {
  const surface = parseOptions(surfaceSchema, surfaceId, 'surface id');
  return changeSession(context, id, (record, now) => {
    if (!record.attachedSurfaces.includes(surface)) return undefined;
    return { ...nextVersion(record, now), attachedSurfaces: record.attachedSurfaces.filter((item) => item !== surface) };
  });
}

/** Suspends an active session now, as `sweepStale` does once it is idle past its TTL (touch reactivates it). */
export async function suspendSession(context: StoreContext, id: string): Promise<Session> {
  return changeSession(context, id, (record, now) => {
    if (record.state !== 'active') return undefined;
    return { ...nextVersion(record, now), state: 'suspended' };
  });
}

export async function expireSession(context: StoreContext, id: string): Promise<Session> {
  return changeSession(context, id, (record, now) => {
    if (record.state === 'expired') return undefined;
    return { ...nextVersion(record, now), state: 'expired' };
  });
}

export async function updateSession(
  context: StoreContext,
  id: string,
  input: UpdateSessionPatch,
  options?: { expectedVersion?: number },
): Promise<Session> {
  // Every field is read once, here: what is checked below is what is stored.
  const patch = snapshotFields(input);
  const metadata = snapshotMetadata(patch?.metadata, 'update patch.metadata');
  const parsed = parseOptions(updatePatchSchema, patch === undefined || patch === null ? patch : { ...patch, ...(metadata === undefined ? {} : { metadata }) }, 'update patch');
  const { expectedVersion } = parseOptions(expectedVersionSchema, options, 'update options');
  return changeSession(
    context,
    id,
    (record, now) => {
      const next: SessionRecord = { ...nextVersion(record, now) };
      if (parsed.title !== undefined) next.title = parsed.title;
      if (metadata !== undefined) next.metadata = { ...record.metadata, ...metadata };
      if (parsed.tags !== undefined) next.tags = unique(parsed.tags);
      if (parsed.agentId !== undefined) next.agentId = parsed.agentId;
      if (parsed.workspaceId !== undefined) next.workspaceId = parsed.workspaceId;
      if (parsed.ttlMs !== undefined) next.ttlMs = parsed.ttlMs;
      return withDeadlines(context, next);
    },
    expectedVersion,
  );
}

export async function updateMetadata(context: StoreContext, id: string, patch: Metadata): Promise<Session> {
  return updateSession(context, id, { metadata: patch });
}

/** Active sessions idle past their TTL become suspended; suspended ones past retention become expired. */
export async function sweepStale(context: StoreContext, sweepOptions: { now?: number } | undefined): Promise<SweepResult> {
  const options = parseOptions(sweepOptionsSchema, sweepOptions, 'sweepStale options');
  const now = options.now ?? context.now();
  const suspended = await sweep(context, { states: ['active'], suspendAtBefore: now }, (record) =>
    record.state === 'active' && record.suspendAt < now ? { ...nextVersion(record, now), state: 'suspended' } : undefined,
  );
  const expired = await sweep(context, { states: ['suspended'], expiresAtBefore: now }, (record) =>
    record.state === 'suspended' && record.expiresAt < now ? { ...nextVersion(record, now), state: 'expired' } : undefined,
  );
  return { suspended, expired };
}

/** Walks matching sessions by keyset (so changed rows never make it loop) and changes each that still qualifies. */
async function sweep(
  context: StoreContext,
  where: Pick<SessionQuery, 'states' | 'suspendAtBefore' | 'expiresAtBefore'>,
  change: (record: SessionRecord) => SessionRecord | undefined,
): Promise<number> {
  let changed = 0;
  let after: SessionQuery['after'];
  for (;;) {
    const page = await context.driver.listSessions({
      ...where,
      ...(context.scopeUserId === undefined ? {} : { userId: context.scopeUserId }),
      ...(after === undefined ? {} : { after }),
      orderBy: 'lastActiveAt',
      order: 'asc',
      limit: SWEEP_PAGE,
    });
    for (const candidate of page) {
      const result = await mutateSession(context, candidate.id, {}, (record) => {
        const next = change(record);
        if (next === undefined) return { done: false };
        return { batch: { sessions: [{ record: next, expectedVersion: record.version }] }, result: true };
      }).catch((error: unknown) => {
        // Deleted meanwhile: nothing to sweep.
        if ((error as { code?: string }).code === 'SESSION_NOT_FOUND') return false;
        throw error;
      });
      if (result) changed += 1;
    }
    const last = page[page.length - 1];
    if (page.length < SWEEP_PAGE || !last) return changed;
    after = { value: last.lastActiveAt, id: last.id };
  }
}
