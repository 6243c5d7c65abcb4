/**
 * The meaning of a `SessionQuery`, evaluated in JavaScript. Drivers without a query language
 * (memory, files) use it directly; the SQL and Redis drivers must agree with it, which the
 * conformance suite checks.
 */
import type { SessionQuery, SessionRecord } from './driver.js';

export function matchesQuery(record: SessionRecord, query: SessionQuery): boolean {
  if (query.userId !== undefined && record.userId !== query.userId) return false;
  if (query.agentId !== undefined && record.agentId !== query.agentId) return false;
  if (query.workspaceId !== undefined && record.workspaceId !== query.workspaceId) return false;
  if (query.parentId !== undefined && record.parentId !== query.parentId) return false;
  if (query.titlePrefix !== undefined && !(record.title?.startsWith(query.titlePrefix) ?? false)) return false;
  if (query.states !== undefined && !query.states.includes(record.state)) return false;
  if (query.tags !== undefined && !query.tags.every((tag) => record.tags.includes(tag))) return false;
  if (query.surfaceId !== undefined && !record.attachedSurfaces.includes(query.surfaceId)) return false;
  if (query.suspendAtBefore !== undefined && !(record.suspendAt < query.suspendAtBefore)) return false;
  if (query.expiresAtBefore !== undefined && !(record.expiresAt < query.expiresAtBefore)) return false;
  if (query.updatedBefore !== undefined && !(record.updatedAt < query.updatedBefore)) return false;
  if (query.hasLiveRuns !== undefined && hasLiveRuns(record) !== query.hasLiveRuns) return false;
  if (query.filter !== undefined) {
    for (const [key, expected] of Object.entries(query.filter)) {
      if (!Object.prototype.hasOwnProperty.call(record.metadata, key)) return false;
      if (record.metadata[key] !== expected) return false;
    }
  }
  return true;
}

/** True when the record lists a run in flight or waiting for approval. */
export function hasLiveRuns(record: SessionRecord): boolean {
  return (record.liveRuns?.length ?? 0) > 0;
}

/** Sort comparator for the query's order: by the order column, then by id, both in the query's direction. */
export function compareForQuery(left: SessionRecord, right: SessionRecord, query: SessionQuery): number {
  const direction = query.order === 'asc' ? 1 : -1;
  const byValue = left[query.orderBy] - right[query.orderBy];
  if (byValue !== 0) return byValue * direction;
  return (left.id < right.id ? -1 : left.id > right.id ? 1 : 0) * direction;
}

/** True when the record comes strictly after the query's keyset position. */
export function isAfterCursor(record: SessionRecord, query: SessionQuery): boolean {
  if (query.after === undefined) return true;
  const value = record[query.orderBy];
  const { value: cursorValue, id: cursorId } = query.after;
  if (query.order === 'asc') return value > cursorValue || (value === cursorValue && record.id > cursorId);
  return value < cursorValue || (value === cursorValue && record.id < cursorId);
}
