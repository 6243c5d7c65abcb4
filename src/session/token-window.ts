/**
 * Windows of the newest messages: what fits in a token budget (or a message count), read newest
 * first a page at a time, so a window over a 100,000-message session costs the window. An
 * assistant message and the tool messages answering its calls are taken or left together, and the
 * newest compaction's summary comes first when the path has one.
 */
import type { MessageRecord } from '../driver/driver.js';
import type { StoredMessage } from '../types.js';
import { requireSession } from './access.js';
import type { StoreContext } from './context.js';
import { toStoredMessage } from './messages.js';
import { resolvePath, type PathSpan } from './path.js';
import type { TokenCounter } from './token-count.js';
import { clipSpans, newestCompaction, newestFirst, readSpans, viewSpans } from './view.js';

/** A stored message with what reading it cost to know. */
export interface CountedMessage {
  message: StoredMessage;
  record: MessageRecord;
  /** Its token count (0 when the walk counts no tokens). */
  tokens: number;
}

/**
 * Walks `records` newest first in groups that must stay together (an assistant message with the
 * tool messages that follow it; any other message alone) and takes groups while `accept` says yes.
 * Returns what it took, oldest first. Tool messages left with no message before them are offered
 * as a group of their own.
 */
export async function takeNewestGroups(
  records: AsyncIterable<MessageRecord>,
  measure: (message: StoredMessage, record: MessageRecord) => number,
  accept: (group: CountedMessage[], taken: CountedMessage[]) => boolean,
): Promise<CountedMessage[]> {
  const taken: CountedMessage[] = [];
  let pending: CountedMessage[] = [];
  const offer = (group: CountedMessage[]): boolean => {
    if (!accept(group, taken)) return false;
    taken.unshift(...group);
    return true;
  };
  for await (const record of records) {
    const message = toStoredMessage(record);
    const counted = { message, record, tokens: measure(message, record) };
    if (message.role === 'tool') {
      pending.unshift(counted);
      continue;
    }
    const group = [counted, ...pending];
    pending = [];
    if (!offer(group)) return taken;
  }
  if (pending.length > 0) offer(pending);
  return taken;
}

export function tokensOf(messages: readonly CountedMessage[]): number {
  return messages.reduce((total, counted) => total + counted.tokens, 0);
}

export interface WindowLimits {
  /** Most tokens, summary included. */
  maxTokens?: number;
  /** Most messages besides the summary (a group that crosses it is still taken whole, as `last` always did). */
  last?: number;
  /** Needed with `maxTokens`. */
  counter?: TokenCounter;
}

/** The window of the session's `path` view within the limits: the newest summary (when it fits), then the newest messages. */
export async function readNewestWindow(context: StoreContext, sessionId: string, limits: WindowLimits): Promise<CountedMessage[]> {
  const record = await requireSession(context, sessionId);
  const spans = viewSpans(await resolvePath(context, record.headSegmentId, record.messageCount), 'path');
  const { counter } = limits;
  const measure = (message: StoredMessage, stored: MessageRecord): number =>
    counter === undefined || limits.maxTokens === undefined ? 0 : context.tokenCounts.count(counter, message, stored.body.length);
  const budget = limits.maxTokens ?? Number.POSITIVE_INFINITY;

  const summary = await readSummary(context, spans, measure);
  const head = summary !== undefined && summary.tokens <= budget ? [summary] : [];
  const afterSummary: PathSpan[] = summary === undefined ? spans : clipSpans(spans, spans[0]!.fromSeq + 1, record.messageCount);
  const remaining = budget - tokensOf(head);
  let used = 0;
  const taken = await takeNewestGroups(newestFirst(context, afterSummary), measure, (group, takenSoFar) => {
    if (limits.last !== undefined && takenSoFar.length >= limits.last) return false;
    const groupTokens = tokensOf(group);
    if (used + groupTokens > remaining) return false;
    used += groupTokens;
    return true;
  });
  return [...head, ...taken];
}

/** The newest compaction's summary message, counted, when the path has a compaction. */
async function readSummary(
  context: StoreContext,
  spans: PathSpan[],
  measure: (message: StoredMessage, record: MessageRecord) => number,
): Promise<CountedMessage | undefined> {
  const compaction = newestCompaction(spans);
  if (compaction === undefined) return undefined;
  const [record] = await readSpans(context, [{ ...compaction, toSeq: compaction.fromSeq }], { order: 'asc' });
  if (record === undefined) return undefined;
  const message = toStoredMessage(record);
  return { message, record, tokens: measure(message, record) };
}
