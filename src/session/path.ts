/**
 * A session's path: the chain of segments from its head back to the root, each contributing a
 * range of positions. Positions (`seq`) count along the whole path, so a page of the path maps to
 * a few range scans, one per segment it crosses: the cost is the page plus the fork depth, never
 * the history length.
 */
import type { MessageRecord, SegmentRecord } from '../driver/driver.js';
import { MessageNotFoundError } from '../errors.js';
import type { StoreContext } from './context.js';

/** Positions `fromSeq..toSeq` (inclusive) of the path live in this segment. Empty when fromSeq > toSeq. */
export interface PathSpan {
  segmentId: string;
  fromSeq: number;
  toSeq: number;
}

export async function getSegment(context: StoreContext, segmentId: string): Promise<SegmentRecord> {
  const cached = context.segmentCache.get(segmentId);
  if (cached) return cached;
  const segment = await context.driver.getSegment(segmentId);
  if (!segment) {
    throw new Error(`sessionloom: segment "${segmentId}" is missing from the ${context.driver.name} store; its data was removed outside sessionloom.`);
  }
  context.segmentCache.set(segment);
  return segment;
}

/** The spans of the path ending at `(headSegmentId, headSeq)`, root first. */
export async function resolvePath(context: StoreContext, headSegmentId: string, headSeq: number): Promise<PathSpan[]> {
  const spans: PathSpan[] = [];
  let segmentId: string | undefined = headSegmentId;
  let toSeq = headSeq;
  while (segmentId !== undefined) {
    const segment: SegmentRecord = await getSegment(context, segmentId);
    spans.push({ segmentId, fromSeq: segment.baseSeq + 1, toSeq });
    toSeq = segment.baseSeq;
    segmentId = segment.parentId;
  }
  return spans.reverse();
}

/** The position of `messageId` on the path, or `MessageNotFoundError` when it is not on it. */
export async function positionOnPath(
  context: StoreContext,
  spans: PathSpan[],
  messageId: string,
  sessionId: string,
): Promise<number> {
  const location = await context.driver.locateMessage(messageId);
  const onPath =
    location !== undefined &&
    spans.some((span) => span.segmentId === location.segmentId && location.seq >= span.fromSeq && location.seq <= span.toSeq);
  if (!location || !onPath) throw new MessageNotFoundError({ sessionId, messageId });
  return location.seq;
}

/** Where a path position lives. */
export function spanOf(spans: PathSpan[], position: number): PathSpan | undefined {
  return spans.find((span) => position >= span.fromSeq && position <= span.toSeq);
}

/** Messages at positions `lowSeq..highSeq` of the path, in `order`, at most `limit`. */
export async function readPathRange(
  context: StoreContext,
  spans: PathSpan[],
  range: { lowSeq: number; highSeq: number; order: 'asc' | 'desc'; limit?: number },
): Promise<MessageRecord[]> {
  const { lowSeq, highSeq, order } = range;
  const ordered = order === 'asc' ? spans : [...spans].reverse();
  const result: MessageRecord[] = [];
  for (const span of ordered) {
    const fromSeq = Math.max(span.fromSeq, lowSeq);
    const toSeq = Math.min(span.toSeq, highSeq);
    if (fromSeq > toSeq) continue;
    const remaining = range.limit === undefined ? undefined : range.limit - result.length;
    if (remaining !== undefined && remaining <= 0) break;
    const rows = await context.driver.readMessages(span.segmentId, {
      fromSeq,
      toSeq,
      order,
      ...(remaining === undefined ? {} : { limit: remaining }),
    });
    result.push(...rows);
  }
  return result;
}
