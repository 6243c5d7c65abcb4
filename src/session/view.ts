/**
 * Views of a session's stored path. The path itself (path.ts) is every position from the root to
 * the head, compactions included. Two views are read from it:
 *
 * - `path` (what `getMessages` and `transcript` read, what a model is sent): from the newest
 *   compaction on, that is its summary message followed by what came after it;
 * - `history` (what `history` reads, for audit): every message as it was written, through every
 *   compaction, without the compaction messages and the copies of the kept tail they carry.
 *
 * A compaction is a segment of its own, marked by its id's prefix (compact.ts writes it): the
 * summary message, then copies of the messages kept after it. The session's head moves to an empty
 * segment based at its end, so later messages never share its span. Recognising a compaction needs
 * no read (segment records are cached), so both views cost the page plus the fork depth.
 */
import type { MessageRecord } from '../driver/driver.js';
import type { StoreContext } from './context.js';
import { readPathRange, type PathSpan } from './path.js';

export type MessageView = 'path' | 'history';

/** Ids of compaction segments start with this (ordinary segments start with `seg_`). */
export const COMPACTION_SEGMENT_PREFIX = 'cseg_';

export function isCompactionSegment(segmentId: string): boolean {
  return segmentId.startsWith(COMPACTION_SEGMENT_PREFIX);
}

/** The spans of `spans` (root first) that `view` reads, without empty ones. */
export function viewSpans(spans: readonly PathSpan[], view: MessageView): PathSpan[] {
  const present = spans.filter((span) => span.fromSeq <= span.toSeq);
  if (view === 'history') return present.filter((span) => !isCompactionSegment(span.segmentId));
  let start = 0;
  present.forEach((span, index) => {
    if (isCompactionSegment(span.segmentId)) start = index;
  });
  return present.slice(start);
}

/** The compaction span the `path` view starts with, if the path has a compaction. */
export function newestCompaction(spans: readonly PathSpan[]): PathSpan | undefined {
  const [first] = viewSpans(spans, 'path');
  return first !== undefined && isCompactionSegment(first.segmentId) ? first : undefined;
}

/** How many positions the spans hold (every position of a span holds one message). */
export function viewLength(spans: readonly PathSpan[]): number {
  return spans.reduce((total, span) => total + span.toSeq - span.fromSeq + 1, 0);
}

/** The spans cut to positions `lowSeq..highSeq`. */
export function clipSpans(spans: readonly PathSpan[], lowSeq: number, highSeq: number): PathSpan[] {
  return spans
    .map((span) => ({ segmentId: span.segmentId, fromSeq: Math.max(span.fromSeq, lowSeq), toSeq: Math.min(span.toSeq, highSeq) }))
    .filter((span) => span.fromSeq <= span.toSeq);
}

/** Only the newest `count` positions of the spans. */
export function newestPositions(spans: readonly PathSpan[], count: number): PathSpan[] {
  const kept: PathSpan[] = [];
  let remaining = count;
  for (let index = spans.length - 1; index >= 0 && remaining > 0; index -= 1) {
    const span = spans[index]!;
    const size = span.toSeq - span.fromSeq + 1;
    const take = Math.min(size, remaining);
    kept.unshift({ segmentId: span.segmentId, fromSeq: span.toSeq - take + 1, toSeq: span.toSeq });
    remaining -= take;
  }
  return kept;
}

/** Messages of the spans, in `order`, at most `limit`: one range scan per span. */
export function readSpans(
  context: StoreContext,
  spans: readonly PathSpan[],
  options: { order: 'asc' | 'desc'; limit?: number },
): Promise<MessageRecord[]> {
  return readPathRange(context, [...spans], { lowSeq: 1, highSeq: Number.MAX_SAFE_INTEGER, ...options });
}

// Pages grow as a backward walk goes on: a small window costs a small read, a long one few round trips.
const FIRST_PAGE = 16;
const LARGEST_PAGE = 1024;

/** The messages of the spans, newest first, read a page at a time only as far as the caller walks. */
export async function* newestFirst(context: StoreContext, spans: readonly PathSpan[]): AsyncGenerator<MessageRecord> {
  let page = FIRST_PAGE;
  for (let index = spans.length - 1; index >= 0; index -= 1) {
    const span = spans[index]!;
    let toSeq = span.toSeq;
    while (toSeq >= span.fromSeq) {
      // The range itself is bounded (not only the limit): a driver that slices a range before it
      // limits it must still read a page, not the segment.
      const fromSeq = Math.max(span.fromSeq, toSeq - page + 1);
      const rows = await context.driver.readMessages(span.segmentId, { fromSeq, toSeq, order: 'desc', limit: page });
      if (rows.length === 0) break;
      yield* rows;
      toSeq = rows[rows.length - 1]!.seq - 1;
      page = Math.min(page * 2, LARGEST_PAGE);
    }
  }
}
