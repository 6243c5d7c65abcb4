/**
 * The sorted-set indexes over sessions (member: session id; score: a timestamp of the session), and
 * which of them can answer a query. Lists never scan the keyspace: they walk one of these.
 *
 * - `index:all:<field>`: every session, by createdAt, updatedAt and lastActiveAt.
 * - `index:user:<field>:<userId>` and `index:parent:<field>:<parentId>`: the same, per user and per
 *   fork parent (the scoped store's and the fork tree's lists).
 * - `index:state:<state>:<field>`: per state, by the three order fields and also by suspendAt and
 *   expiresAt, the deadlines `sweepStale` looks for.
 * - `index:live:<field>`: the sessions whose record lists live runs (in flight or waiting for
 *   approval), by the three order fields: a query with `hasLiveRuns: true` walks this small set.
 *   The commit script keeps it like the others (an entry leaves when the record no longer wants it).
 *
 * The commit script writes a session's entries together with its record, so an index and the
 * records never disagree; it also keeps, per session, the list of keys it is in (its membership),
 * so the entries can be removed when the record is deleted or has expired.
 */
import type { SessionQuery, SessionRecord } from '../../driver/driver.js';
import { hasLiveRuns } from '../../driver/query-match.js';
import type { SessionOrderBy, SessionState } from '../../types.js';
import type { IndexField, RedisKeys } from './keys.js';

const ORDER_FIELDS: readonly SessionOrderBy[] = ['createdAt', 'updatedAt', 'lastActiveAt'];
const ALL_STATES: readonly SessionState[] = ['active', 'suspended', 'expired'];

export interface SessionIndexEntry {
  key: string;
  /** The score, as Redis reads it. */
  score: string;
}

/** Every index entry a session record has. */
export function indexEntriesFor(keys: RedisKeys, record: SessionRecord): SessionIndexEntry[] {
  const entries: SessionIndexEntry[] = [];
  const add = (key: string, field: IndexField) => entries.push({ key, score: scoreOf(record, field) });
  for (const field of ORDER_FIELDS) {
    add(keys.indexAll(field), field);
    if (record.userId !== undefined) add(keys.indexUser(field, record.userId), field);
    if (record.parentId !== undefined) add(keys.indexParent(field, record.parentId), field);
    add(keys.indexState(record.state, field), field);
    if (hasLiveRuns(record)) add(keys.indexLive(field), field);
  }
  add(keys.indexState(record.state, 'suspendAt'), 'suspendAt');
  add(keys.indexState(record.state, 'expiresAt'), 'expiresAt');
  return entries;
}

function scoreOf(record: SessionRecord, field: IndexField): string {
  const value = record[field];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`RedisDriver: session "${record.id}" has no finite ${field} (${String(value)}).`);
  }
  return String(value);
}

/**
 * A set of sorted sets that together hold, in the query's order, every session that can match:
 * walking them merged and filtering the records gives the answer.
 */
export interface OrderedSource {
  keys: string[];
}

/** The ordered sources able to answer the query: all sessions, and each equality the query has an index for. */
export function orderedSources(keys: RedisKeys, query: SessionQuery): OrderedSource[] {
  const field = query.orderBy;
  const sources: OrderedSource[] = [{ keys: [keys.indexAll(field)] }];
  if (query.userId !== undefined) sources.push({ keys: [keys.indexUser(field, query.userId)] });
  if (query.parentId !== undefined) sources.push({ keys: [keys.indexParent(field, query.parentId)] });
  if (query.states !== undefined) sources.push({ keys: distinctStates(query.states).map((state) => keys.indexState(state, field)) });
  if (query.hasLiveRuns === true) sources.push({ keys: [keys.indexLive(field)] });
  return sources;
}

/**
 * Sorted sets holding, by a deadline field, every session that satisfies one of the query's
 * "before" conditions: `score < before`. A small one is cheaper to read whole than to find its
 * members by walking the order.
 */
export interface DeadlineSource {
  keys: string[];
  /** Members with a score strictly below this match the condition. */
  before: number;
}

export function deadlineSources(keys: RedisKeys, query: SessionQuery): DeadlineSource[] {
  const states = query.states === undefined ? ALL_STATES : distinctStates(query.states);
  const sources: DeadlineSource[] = [];
  if (query.suspendAtBefore !== undefined) {
    sources.push({ keys: states.map((state) => keys.indexState(state, 'suspendAt')), before: query.suspendAtBefore });
  }
  if (query.expiresAtBefore !== undefined) {
    sources.push({ keys: states.map((state) => keys.indexState(state, 'expiresAt')), before: query.expiresAtBefore });
  }
  // When ordering by updatedAt, `updatedBefore` already bounds the walk itself.
  if (query.updatedBefore !== undefined && query.orderBy !== 'updatedAt') {
    sources.push({
      keys: query.states === undefined ? [keys.indexAll('updatedAt')] : states.map((state) => keys.indexState(state, 'updatedAt')),
      before: query.updatedBefore,
    });
  }
  return sources;
}

function distinctStates(states: readonly SessionState[]): SessionState[] {
  return [...new Set(states)];
}
