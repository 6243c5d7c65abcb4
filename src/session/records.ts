/** Building session records and turning them into the public `Session`. */
import type { SessionRecord } from '../driver/driver.js';
import type { Session } from '../types.js';
import type { StoreContext } from './context.js';

export { EMPTY_USAGE } from './usage.js';

/** The public view of a record: the head, the internal deadlines and the runs in flight stay inside. */
export function toSession(record: SessionRecord): Session {
  const { headSegmentId: _head, suspendAt: _suspendAt, liveRuns: _liveRuns, ...session } = record;
  return session;
}

/** The record after activity at `now`: active again, with deadlines moved. */
export function withActivity(context: StoreContext, record: SessionRecord, now: number): SessionRecord {
  return withDeadlines(context, { ...record, state: record.state === 'suspended' ? 'active' : record.state, lastActiveAt: now, updatedAt: now });
}

/** Recomputes `suspendAt` and `expiresAt` from `lastActiveAt` and the TTL. */
export function withDeadlines(context: StoreContext, record: SessionRecord): SessionRecord {
  const suspendAt = record.lastActiveAt + record.ttlMs;
  return { ...record, suspendAt, expiresAt: suspendAt + context.retentionMs };
}

/** The record one change later: version bumped, `updatedAt` set. */
export function nextVersion(record: SessionRecord, now: number): SessionRecord {
  return { ...record, version: record.version + 1, updatedAt: now };
}
