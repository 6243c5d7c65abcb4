/**
 * What a session can read: every path it has had. Its current path runs from its head back to the
 * root; each segment the session wrote continues the path it had when that segment was made (a
 * rewind or a compaction starts a new one), so the chains back from its own segments hold the tails
 * its rewinds took off the path, and history it shared with its source before rewinding away from it.
 *
 * Any chain through a segment covers it from its base, so the union is one span per segment,
 * reaching as far as the farthest chain: its size is the segments involved, never the history.
 */
import type { SessionRecord } from '../driver/driver.js';
import type { StoreContext } from './context.js';
import { getSegment, type PathSpan } from './path.js';

/** The spans the session can read, one per segment (the path's segments first, root first). */
export async function readableSpans(context: StoreContext, record: SessionRecord): Promise<PathSpan[]> {
  const reach = new Map<string, PathSpan>();
  const walk = async (segmentId: string, headSeq: number): Promise<void> => {
    let current: string | undefined = segmentId;
    let toSeq = headSeq;
    while (current !== undefined) {
      const segment = await getSegment(context, current);
      const known = reach.get(current);
      // A chain already walked this far covers everything further back too.
      if (known !== undefined && known.toSeq >= toSeq) return;
      reach.set(current, { segmentId: current, fromSeq: segment.baseSeq + 1, toSeq: Math.max(toSeq, known?.toSeq ?? toSeq) });
      toSeq = segment.baseSeq;
      current = segment.parentId;
    }
  };
  await walk(record.headSegmentId, record.messageCount);
  for (const segment of await context.driver.listSegments({ sessionId: record.id })) await walk(segment.id, Number.MAX_SAFE_INTEGER);
  return [...reach.values()];
}
