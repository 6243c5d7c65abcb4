/**
 * `compact`: the session's path becomes one compaction message (a summary of what it replaces)
 * followed by the kept tail, and nothing is deleted.
 *
 * The write is one batch whose size is the kept tail, whatever the history: a compaction segment
 * (see view.ts) based at the old head, holding the summary and copies of the kept messages (new
 * ids, the same bodies, times and runs), and an empty segment after it for the head. The old path
 * stays the compaction segment's base, so `history` walks back through it, a rewind or a fork at a
 * message before the compaction sees the uncompacted path, and retention, export and import treat
 * it as any other chain of segments: no driver knows compactions exist.
 *
 * A compaction is planned on the version it read and written only at that version: a summary
 * describes exactly the messages it replaces, so two concurrent compactions (or an append in
 * between) never merge; the later one fails with `SessionConflictError` and changes nothing.
 */
import type { MessageRecord, SegmentRecord, SessionRecord, WriteBatch } from '../driver/driver.js';
import { assertValidId, generateId } from '../common/ids.js';
import { InvalidArgumentError, SessionConflictError } from '../errors.js';
import type { CompactOptions, CompactResult, Compaction, CompactionMarker, StoredMessage } from '../types.js';
import { assertNotExpired, mutateSession, requireSession } from './access.js';
import { compactOptionsSchema } from './compaction-options.js';
import type { StoreContext } from './context.js';
import { prepareMessages, toStoredMessage, type PreparedMessage } from './messages.js';
import { parseOptions } from './options.js';
import { resolvePath, spanOf, type PathSpan } from './path.js';
import { nextVersion, toSession, withActivity } from './records.js';
import { loadTokenCounter, type TokenCounter } from './token-count.js';
import { takeNewestGroups, tokensOf, type CountedMessage } from './token-window.js';
import { clipSpans, COMPACTION_SEGMENT_PREFIX, newestFirst, readSpans, viewLength, viewSpans } from './view.js';

/** How a compaction message begins, so a model reading it knows it stands for earlier messages. */
export const COMPACTION_SUMMARY_PREFIX = 'Summary of the earlier conversation (those messages were compacted into this summary):\n\n';

/** What a compaction replaces and keeps, planned on one version of the session. */
interface CompactionPlan {
  record: SessionRecord;
  spans: PathSpan[];
  replaced: PathSpan[];
  kept: CountedMessage[];
}

export async function compactSession(context: StoreContext, sessionId: string, compactOptions: CompactOptions): Promise<CompactResult> {
  assertValidId(sessionId, 'session id');
  const options = parseOptions(compactOptionsSchema, compactOptions, 'compact options');
  if (options.summary !== undefined) assertSummary(options.summary, 'summary', context.maxMessageBytes);
  const added = options.replacement === undefined ? [] : prepareMessages(options.replacement, context.maxMessageBytes);
  const withId = added.findIndex((message) => message.id !== undefined);
  if (withId >= 0) {
    // An id already in the store would make the write fail half-way through planning; a compaction's messages are new.
    throw new InvalidArgumentError({ argument: `replacement[${withId}].id`, message: 'a compaction writes new messages: leave the id out (one is generated).' });
  }
  const counter = (options.countTokens as TokenCounter | undefined) ?? (await loadTokenCounter());

  const record = await requireSession(context, sessionId);
  assertNotExpired(record);
  const expectedVersion = options.expectedVersion ?? record.version;
  if (expectedVersion !== record.version) throw new SessionConflictError({ sessionId, expectedVersion, actualVersion: record.version });
  const plan = await planCompaction(context, record, options.keep ?? {}, counter);
  if (typeof plan === 'string') return { compacted: false, session: toSession(record), reason: plan };

  let summary = options.summary;
  if (summary === undefined) {
    const replaced = (await readSpans(context, plan.replaced, { order: 'asc' })).map(toStoredMessage);
    const summarize = options.summarize as (messages: StoredMessage[]) => string | Promise<string>;
    summary = await summarize(replaced);
    if (typeof summary !== 'string') throw new InvalidArgumentError({ argument: 'summarize', message: 'expected it to return the summary as a string.' });
    assertSummary(summary, 'summarize', context.maxMessageBytes);
  }
  const replacedEnds = await endsOf(context, plan.replaced);
  return mutateSession<CompactResult>(context, sessionId, { expectedVersion }, () =>
    writeCompaction(context, plan, {
      summary: summary!,
      counter,
      ...replacedEnds,
      added,
      ...(options.runId === undefined ? {} : { runId: options.runId }),
      ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
    }),
  );
}

function assertSummary(summary: string, argument: string, maxMessageBytes: number): void {
  if (summary.trim() === '') throw new InvalidArgumentError({ argument, message: 'the summary is empty; a compaction needs a summary of what it replaces.' });
  const bytes = Buffer.byteLength(summary, 'utf8');
  if (bytes > maxMessageBytes) {
    throw new InvalidArgumentError({ argument, message: `the summary is ${bytes} bytes, over the store's message limit of ${maxMessageBytes} (maxMessageBytes).` });
  }
}

/** The plan, or why there is nothing to compact. Costs the kept tail plus the fork depth. */
async function planCompaction(
  context: StoreContext,
  record: SessionRecord,
  keep: { lastMessages?: number | undefined; lastTokens?: number | undefined },
  counter: TokenCounter,
): Promise<CompactionPlan | string> {
  const spans = await resolvePath(context, record.headSegmentId, record.messageCount);
  const view = viewSpans(spans, 'path');
  const total = viewLength(view);
  if (total === 0) return 'the path is empty: there is nothing to compact.';
  let keptTokens = 0;
  const kept = await takeNewestGroups(
    newestFirst(context, view),
    (message, stored) => (keep.lastTokens === undefined ? 0 : context.tokenCounts.count(counter, message, stored.body.length)),
    (group, taken) => {
      if (taken.length >= (keep.lastMessages ?? Number.POSITIVE_INFINITY) || (keep.lastMessages === undefined && keep.lastTokens === undefined)) return false;
      if (keep.lastTokens !== undefined && keptTokens + tokensOf(group) > keep.lastTokens) return false;
      keptTokens += tokensOf(group);
      return true;
    },
  );
  if (kept.length >= total) {
    return `keep (${describeKeep(keep)}) covers the whole path of ${total} message${total === 1 ? '' : 's'}: there is nothing to compact.`;
  }
  const tailStart = kept[0]?.record.seq ?? record.messageCount + 1;
  return { record, spans, replaced: clipSpans(view, 1, tailStart - 1), kept };
}

function describeKeep(keep: { lastMessages?: number | undefined; lastTokens?: number | undefined }): string {
  return [
    ...(keep.lastMessages === undefined ? [] : [`lastMessages: ${keep.lastMessages}`]),
    ...(keep.lastTokens === undefined ? [] : [`lastTokens: ${keep.lastTokens}`]),
  ].join(', ');
}

/** The first and last message a compaction replaces: two single-row reads (every position of a span holds a message). */
async function endsOf(context: StoreContext, replaced: PathSpan[]): Promise<{ from: string; to: string }> {
  const firstSpan = replaced[0];
  const lastSpan = replaced[replaced.length - 1];
  const [first] = firstSpan ? await readSpans(context, [{ ...firstSpan, toSeq: firstSpan.fromSeq }], { order: 'asc' }) : [];
  const [last] = lastSpan ? await readSpans(context, [{ ...lastSpan, fromSeq: lastSpan.toSeq }], { order: 'asc' }) : [];
  if (!first || !last) throw new Error('sessionloom: the messages a compaction replaces could not be read back; the store changed under it.');
  return { from: first.id, to: last.id };
}

function writeCompaction(
  context: StoreContext,
  plan: CompactionPlan,
  summary: { summary: string; counter: TokenCounter; from: string; to: string; added: PreparedMessage[]; runId?: string; metadata?: Record<string, unknown> },
): { batch: WriteBatch; result: CompactResult } {
  const { record, spans, kept } = plan;
  const now = context.now();
  const head = record.messageCount;
  const compactionSegment: SegmentRecord = {
    id: COMPACTION_SEGMENT_PREFIX + generateId('segment').slice('seg_'.length),
    sessionId: record.id,
    parentId: spanOf(spans, head)?.segmentId ?? record.headSegmentId,
    baseSeq: head,
    createdAt: now,
  };
  const content = COMPACTION_SUMMARY_PREFIX + summary.summary;
  const draft = { role: 'user' as const, content };
  const marker: CompactionMarker = {
    from: summary.from,
    to: summary.to,
    count: viewLength(plan.replaced),
    tokens: summary.counter(draft),
    kept: kept.length,
    ...(summary.added.length === 0 ? {} : { added: summary.added.length }),
  };
  const [prepared] = prepareMessages({ ...draft, metadata: { ...summary.metadata, sessionloom: { compaction: marker } } }, context.maxMessageBytes);
  const summaryRecord: MessageRecord = {
    id: generateId('message'),
    segmentId: compactionSegment.id,
    seq: head + 1,
    createdAt: now,
    ...(summary.runId === undefined ? {} : { runId: summary.runId }),
    body: prepared!.body,
  };
  const copies: MessageRecord[] = kept.map((counted, index) => ({
    ...counted.record,
    id: generateId('message'),
    segmentId: compactionSegment.id,
    seq: head + 2 + index,
  }));
  const added: MessageRecord[] = summary.added.map((message, index) => ({
    id: generateId('message'),
    segmentId: compactionSegment.id,
    seq: head + 2 + kept.length + index,
    createdAt: message.createdAt ?? now,
    ...(summary.runId === undefined ? {} : { runId: summary.runId }),
    body: message.body,
  }));
  const headSegment: SegmentRecord = {
    id: generateId('segment'),
    sessionId: record.id,
    parentId: compactionSegment.id,
    baseSeq: head + 1 + kept.length + added.length,
    createdAt: now,
  };
  const next = withActivity(context, nextVersion(record, now), now);
  next.messageCount = headSegment.baseSeq;
  next.headSegmentId = headSegment.id;
  const compaction: Compaction = { messageId: summaryRecord.id, createdAt: now, ...(summary.runId === undefined ? {} : { runId: summary.runId }), ...marker };
  return {
    batch: {
      sessions: [{ record: next, expectedVersion: record.version }],
      segments: [compactionSegment, headSegment],
      messages: [summaryRecord, ...copies, ...added],
    },
    result: { compacted: true, session: toSession(next), compaction },
  };
}

/** The compaction a compaction message records, or undefined for any other message. */
export function compactionOf(message: StoredMessage): Compaction | undefined {
  const marker = (message.metadata as { sessionloom?: { compaction?: CompactionMarker } } | undefined)?.sessionloom?.compaction;
  if (marker === undefined || typeof marker !== 'object') return undefined;
  return { messageId: message.id, createdAt: message.createdAt, ...(message.runId === undefined ? {} : { runId: message.runId }), ...marker };
}
