/**
 * `listSessions` over the indexes: count the candidate sources, pick a plan (query-plan.ts), load
 * the candidates' records in batches with MGET and keep those `matchesQuery` accepts, so the
 * answer is exactly the one the memory driver gives.
 *
 * An index entry whose record is gone (its keys expired) is skipped and then removed, with all the
 * session's other entries; a record whose order value differs from the entry's score was changed
 * after the index was read, and is skipped here since its new entry is elsewhere in the order.
 */
import type { SessionQuery, SessionRecord } from '../../driver/driver.js';
import { ID_PATTERN } from '../../common/ids.js';
import { compareForQuery, isAfterCursor, matchesQuery } from '../../driver/query-match.js';
import { asInteger, asStringArray, type RedisConnection } from './connection.js';
import { mergeStreams, IndexStream, type IndexEntry } from './index-stream.js';
import { deadlineSources, orderedSources, type DeadlineSource, type OrderedSource } from './indexes.js';
import type { RedisKeys } from './keys.js';
import { choosePlan, countRange, walkBounds, type Counted, type WalkBounds } from './query-plan.js';
import { decodeSession } from './records.js';
import { FORGET_SCRIPT } from './scripts.js';

/** Records loaded per MGET at most. */
const MAX_BATCH = 512;

export async function listSessions(connection: RedisConnection, keys: RedisKeys, query: SessionQuery): Promise<SessionRecord[]> {
  const limit = Number.isFinite(query.limit) ? Math.max(0, Math.trunc(query.limit)) : Number.POSITIVE_INFINITY;
  if (limit === 0 || (query.states !== undefined && query.states.length === 0)) return [];
  // No stored session has an id that is not an id: nothing can match, and no key is built from it.
  if ([query.userId, query.parentId].some((id) => id !== undefined && !ID_PATTERN.test(id))) return [];
  const bounds = walkBounds(query);
  const range = countRange(query, bounds);
  const [ordered, deadlines] = await Promise.all([
    Promise.all(orderedSources(keys, query).map((source) => countSource(connection, source, source.keys, range.min, range.max))),
    Promise.all(deadlineSources(keys, query).map((source) => countSource(connection, source, source.keys, '-inf', `(${source.before}`))),
  ]);
  const plan = choosePlan(ordered, deadlines, limit);
  switch (plan.kind) {
    case 'empty':
      return [];
    case 'walk':
      return walk(connection, keys, query, plan.source, bounds, limit);
    case 'deadline':
      return readDeadlineSource(connection, keys, query, plan.source, limit);
  }
}

async function countSource<Source>(connection: RedisConnection, source: Source, sourceKeys: string[], min: string, max: string): Promise<Counted<Source>> {
  const counts = await Promise.all(sourceKeys.map(async (key) => asInteger(await connection.call('ZCOUNT', key, min, max))));
  return { source, count: counts.reduce((sum, count) => sum + count, 0) };
}

async function walk(
  connection: RedisConnection,
  keys: RedisKeys,
  query: SessionQuery,
  source: OrderedSource,
  bounds: WalkBounds,
  limit: number,
): Promise<SessionRecord[]> {
  let batchSize = Math.min(Math.max(limit + 1, 16), MAX_BATCH);
  const streams = source.keys.map(
    (key) =>
      new IndexStream(connection, key, query.order, {
        ...(bounds.start === undefined ? {} : { start: bounds.start }),
        ...(bounds.stopAtOrAbove === undefined ? {} : { stopAtOrAbove: bounds.stopAtOrAbove }),
        pageSize: batchSize,
      }),
  );
  const results: SessionRecord[] = [];
  const seen = new Set<string>();
  let batch: IndexEntry[] = [];
  const keep = (record: SessionRecord, entry: IndexEntry) => {
    // The order value moved since the index was read: the record is at its new place, not here.
    if (record[query.orderBy] !== entry.score) return;
    if (results.length < limit && matchesQuery(record, query) && isAfterCursor(record, query)) results.push(record);
  };
  for await (const entry of mergeStreams(streams, query.order)) {
    // A session changing state between two pages can show up in two state indexes.
    if (seen.has(entry.id)) continue;
    seen.add(entry.id);
    batch.push(entry);
    if (batch.length < batchSize) continue;
    await loadBatch(connection, keys, batch, keep);
    batch = [];
    if (results.length >= limit) return results;
    batchSize = Math.min(batchSize * 2, MAX_BATCH);
  }
  if (batch.length > 0) await loadBatch(connection, keys, batch, keep);
  return results;
}

async function readDeadlineSource(
  connection: RedisConnection,
  keys: RedisKeys,
  query: SessionQuery,
  source: DeadlineSource,
  limit: number,
): Promise<SessionRecord[]> {
  const replies = await Promise.all(
    source.keys.map(async (key) => ({ key, ids: asStringArray(await connection.call('ZRANGEBYSCORE', key, '-inf', `(${source.before}`)) })),
  );
  const entries = new Map<string, IndexEntry>();
  for (const { key, ids } of replies) {
    for (const id of ids) if (id !== undefined && !entries.has(id)) entries.set(id, { id, score: Number.NaN, key });
  }
  const matching: SessionRecord[] = [];
  const all = [...entries.values()];
  for (let start = 0; start < all.length; start += MAX_BATCH) {
    await loadBatch(connection, keys, all.slice(start, start + MAX_BATCH), (record) => {
      if (matchesQuery(record, query) && isAfterCursor(record, query)) matching.push(record);
    });
  }
  return matching.sort((left, right) => compareForQuery(left, right, query)).slice(0, limit);
}

/** MGETs the records of `entries` and hands each present one, in order, to `use`; forgets the missing. */
async function loadBatch(
  connection: RedisConnection,
  keys: RedisKeys,
  entries: IndexEntry[],
  use: (record: SessionRecord, entry: IndexEntry) => void,
): Promise<void> {
  // An id that is not an id cannot have a record; it was put there outside sessionloom.
  const valid = entries.filter((entry) => ID_PATTERN.test(entry.id));
  if (valid.length === 0) return;
  const recordKeys = valid.map((entry) => keys.session(entry.id));
  const values = asStringArray(await connection.call('MGET', ...recordKeys));
  const missing: string[] = [];
  valid.forEach((entry, index) => {
    const value = values[index];
    const key = recordKeys[index] as string;
    if (value === undefined) missing.push(entry.id, key, entry.key);
    else use(decodeSession(value, key), entry);
  });
  if (missing.length > 0) await connection.evaluate(FORGET_SCRIPT, [keys.indexMemberships], [keys.expiryDeadlines, ...missing]);
}
