/**
 * `getMessage`: one message of a session by id, wherever it lives for that session: on its path,
 * behind a compaction, or in a tail a rewind took off the path. A message the session cannot reach
 * (another session's own, a fork's after the fork point) is not found, as is any message of a
 * session outside the store's scope.
 *
 * Cost: one lookup of the id, the path (fork depth, segments cached), and for a message off the
 * path the session's own segments and their ancestry (reach.ts): never the history's length.
 */
import type { FoundMessage, MessageLocation } from '../audit-types.js';
import { assertValidId } from '../common/ids.js';
import type { SessionRecord } from '../driver/driver.js';
import { MessageNotFoundError } from '../errors.js';
import { requireSession } from './access.js';
import type { StoreContext } from './context.js';
import { toStoredMessage } from './messages.js';
import { getSegment, resolvePath, type PathSpan } from './path.js';
import { readableSpans } from './reach.js';
import { isCompactionSegment, viewSpans } from './view.js';

interface Position {
  segmentId: string;
  seq: number;
}

export async function getMessage(context: StoreContext, sessionId: string, messageId: string): Promise<FoundMessage> {
  assertValidId(sessionId, 'session id');
  assertValidId(messageId, 'message id');
  const record = await requireSession(context, sessionId);
  const position = await context.driver.locateMessage(messageId);
  const placed = position && (await placeMessage(context, record, position));
  if (!position || !placed) {
    throw new MessageNotFoundError({
      sessionId,
      messageId,
      message: `Message "${messageId}" is not a message of session "${sessionId}" (on its path, behind a compaction, or rewound off it).`,
    });
  }
  const [row] = await context.driver.readMessages(position.segmentId, { fromSeq: position.seq, toSeq: position.seq, order: 'asc' });
  // Retention may have removed the message between the lookup and the read.
  if (!row || row.id !== messageId) throw new MessageNotFoundError({ sessionId, messageId });
  const writtenBy = (await getSegment(context, position.segmentId)).sessionId;
  return { message: toStoredMessage(row), location: { ...placed, position: position.seq, writtenBy } };
}

/** Where the message at `position` lives for the session, or undefined when the session cannot reach it. */
export async function placeMessage(
  context: StoreContext,
  record: SessionRecord,
  position: Position,
): Promise<Pick<MessageLocation, 'placement' | 'compactedBy'> | undefined> {
  const spans = await resolvePath(context, record.headSegmentId, record.messageCount);
  const onPath = spans.findIndex((span) => covers(span, position));
  if (onPath >= 0) {
    if (viewSpans(spans, 'path').some((span) => covers(span, position))) return { placement: 'path' };
    const compactedBy = await compactionAfter(context, spans, onPath);
    return { placement: 'compacted', ...(compactedBy === undefined ? {} : { compactedBy }) };
  }
  const readable = await readableSpans(context, record);
  return readable.some((span) => covers(span, position)) ? { placement: 'rewound' } : undefined;
}

function covers(span: PathSpan, position: Position): boolean {
  return span.segmentId === position.segmentId && position.seq >= span.fromSeq && position.seq <= span.toSeq;
}

/** The summary message of the first compaction on the path after span `index`. */
async function compactionAfter(context: StoreContext, spans: PathSpan[], index: number): Promise<string | undefined> {
  const compaction = spans.slice(index + 1).find((span) => isCompactionSegment(span.segmentId) && span.fromSeq <= span.toSeq);
  if (!compaction) return undefined;
  const [summary] = await context.driver.readMessages(compaction.segmentId, { fromSeq: compaction.fromSeq, toSeq: compaction.fromSeq, order: 'asc' });
  return summary?.id;
}
