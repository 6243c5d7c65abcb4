/**
 * How a session query is answered, decided from index sizes Redis counts in O(log n) (ZCOUNT):
 *
 * - walk: go through the smallest ordered source (all sessions, the user's, the parent's, or the
 *   wanted states') in the query's order, filter each record, stop at the limit. Its cost is the
 *   number of entries walked before `limit` match.
 * - deadline: read every member of the smallest deadline source (`suspendAt < t` for the sweeps),
 *   filter, sort, cut. Its cost is that source's size.
 *
 * The walk's cost is estimated assuming the deadline matches are spread evenly along the order:
 * to find `limit` of `R` matches among `W` entries it walks about `limit * W / R`. The cheaper plan
 * wins; a source with no candidate at all answers "nothing" without reading a record.
 */
import type { SessionQuery } from '../../driver/driver.js';
import type { DeadlineSource, OrderedSource } from './indexes.js';

/** A keyset position in a sorted set: strictly after it, in the walk's direction. */
export interface Position {
  /** The score as Redis should read it. */
  score: string;
  member: string;
}

/** Where a walk starts, and (ascending only) the score at which it stops. */
export interface WalkBounds {
  start?: Position;
  stopAtOrAbove?: number;
}

export function walkBounds(query: SessionQuery): WalkBounds {
  const upper = query.orderBy === 'updatedAt' ? query.updatedBefore : undefined;
  if (query.order === 'asc') {
    return {
      ...(query.after === undefined ? {} : { start: { score: String(query.after.value), member: query.after.id } }),
      ...(upper === undefined ? {} : { stopAtOrAbove: upper }),
    };
  }
  // Descending, `score < upper` is the same as "after (upper, '')": the empty member precedes every id.
  const candidates: Array<{ value: number; id: string }> = [];
  if (query.after !== undefined) candidates.push(query.after);
  if (upper !== undefined) candidates.push({ value: upper, id: '' });
  const lowest = candidates.reduce<{ value: number; id: string } | undefined>(
    (best, candidate) =>
      best === undefined || candidate.value < best.value || (candidate.value === best.value && candidate.id < best.id) ? candidate : best,
    undefined,
  );
  return lowest === undefined ? {} : { start: { score: String(lowest.value), member: lowest.id } };
}

/** The ZCOUNT range covering what a walk with these bounds can visit (ties on the start score included). */
export function countRange(query: SessionQuery, bounds: WalkBounds): { min: string; max: string } {
  if (query.order === 'asc') {
    return {
      min: bounds.start === undefined ? '-inf' : bounds.start.score,
      max: bounds.stopAtOrAbove === undefined ? '+inf' : `(${bounds.stopAtOrAbove}`,
    };
  }
  if (bounds.start === undefined) return { min: '-inf', max: '+inf' };
  return { min: '-inf', max: bounds.start.member === '' ? `(${bounds.start.score}` : bounds.start.score };
}

export interface Counted<Source> {
  source: Source;
  count: number;
}

export type Plan =
  | { kind: 'empty' }
  | { kind: 'walk'; source: OrderedSource }
  | { kind: 'deadline'; source: DeadlineSource };

export function choosePlan(ordered: Array<Counted<OrderedSource>>, deadlines: Array<Counted<DeadlineSource>>, limit: number): Plan {
  const walk = smallest(ordered);
  const deadline = smallest(deadlines);
  if (limit <= 0 || walk === undefined || walk.count === 0 || deadline?.count === 0) return { kind: 'empty' };
  if (deadline === undefined) return { kind: 'walk', source: walk.source };
  const estimatedWalk = Math.min(walk.count, Math.ceil((limit * walk.count) / deadline.count));
  return deadline.count <= estimatedWalk ? { kind: 'deadline', source: deadline.source } : { kind: 'walk', source: walk.source };
}

function smallest<Source>(items: Array<Counted<Source>>): Counted<Source> | undefined {
  return items.reduce<Counted<Source> | undefined>((best, item) => (best === undefined || item.count < best.count ? item : best), undefined);
}
