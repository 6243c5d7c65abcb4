/**
 * Moving a session's head back to an earlier position on its path: the one write both a plain
 * rewind and a rewind with files make (rewind.ts, rewind-files.ts).
 */
import type { SegmentRecord, SessionRecord, WriteBatch } from '../driver/driver.js';
import { generateId } from '../common/ids.js';
import type { RewindResult } from '../types.js';
import type { StoreContext } from './context.js';
import { spanOf, type PathSpan } from './path.js';
import { nextVersion, toSession, withActivity } from './records.js';

/** The write that moves a session's head back to `position` (a new segment based there), and its result. */
export function planHeadMove(
  context: StoreContext,
  record: SessionRecord,
  spans: PathSpan[],
  position: number,
): { batch: WriteBatch; result: RewindResult } {
  const now = context.now();
  const segment: SegmentRecord = {
    id: generateId('segment'),
    sessionId: record.id,
    // Rewound to the start, the new segment continues nothing: the old path stays readable as a rewound tail.
    ...(position === 0 ? {} : { parentId: spanOf(spans, position)?.segmentId ?? record.headSegmentId }),
    baseSeq: position,
    createdAt: now,
  };
  const next = withActivity(context, nextVersion(record, now), now);
  next.messageCount = position;
  next.headSegmentId = segment.id;
  return {
    batch: { sessions: [{ record: next, expectedVersion: record.version }], segments: [segment] },
    result: { session: toSession(next), removedMessages: record.messageCount - position },
  };
}
