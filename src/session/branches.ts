/** `branches`: the fork tree around a session and the tails its rewinds left behind. */
import type { SessionRecord } from '../driver/driver.js';
import { assertValidId } from '../common/ids.js';
import type { BranchNode, Branches, Compaction, RewoundTail, Session } from '../types.js';
import { findSession, requireSession } from './access.js';
import { compactionOf } from './compact.js';
import type { StoreContext } from './context.js';
import { toStoredMessage } from './messages.js';
import { readPathRange, resolvePath } from './path.js';
import { isCompactionSegment } from './view.js';
import { toSession } from './records.js';

const CHILDREN_PAGE = 500;

export async function getBranches(context: StoreContext, id: string): Promise<Branches> {
  assertValidId(id, 'session id');
  const record = await requireSession(context, id);
  return {
    session: toSession(record),
    parents: await ancestorsOf(context, record),
    forks: await forksOf(context, id, new Set([id])),
    rewoundTails: await rewoundTailsOf(context, record),
    compactions: await compactionsOf(context, record),
  };
}

async function ancestorsOf(context: StoreContext, record: SessionRecord): Promise<Session[]> {
  const parents: Session[] = [];
  const seen = new Set([record.id]);
  let parentId = record.parentId;
  while (parentId !== undefined && !seen.has(parentId)) {
    seen.add(parentId);
    const parent = await findSession(context, parentId);
    if (!parent) break; // deleted or pruned: the chain of records ends here, the history does not
    parents.push(toSession(parent));
    parentId = parent.parentId;
  }
  return parents;
}

/** Sessions forked from `id`, recursively (`seen` guards against a cycle in damaged data). */
export async function forksOf(context: StoreContext, id: string, seen: Set<string>): Promise<BranchNode[]> {
  const nodes: BranchNode[] = [];
  let after: { value: number; id: string } | undefined;
  for (;;) {
    const page = await context.driver.listSessions({
      parentId: id,
      ...(context.scopeUserId === undefined ? {} : { userId: context.scopeUserId }),
      ...(after === undefined ? {} : { after }),
      orderBy: 'createdAt',
      order: 'asc',
      limit: CHILDREN_PAGE,
    });
    for (const child of page) {
      if (seen.has(child.id)) continue;
      seen.add(child.id);
      nodes.push({
        session: toSession(child),
        ...(child.forkedFrom === undefined ? {} : { forkedAtMessageId: child.forkedFrom.messageId }),
        children: await forksOf(context, child.id, seen),
      });
    }
    const last = page[page.length - 1];
    if (page.length < CHILDREN_PAGE || !last) return nodes;
    after = { value: last.createdAt, id: last.id };
  }
}

/** The session's own messages that are off its path: what each rewind took away. */
async function rewoundTailsOf(context: StoreContext, record: SessionRecord): Promise<RewoundTail[]> {
  const spans = await resolvePath(context, record.headSegmentId, record.messageCount);
  const owned = await context.driver.listSegments({ sessionId: record.id });
  const tails: RewoundTail[] = [];
  for (const segment of owned) {
    const span = spans.find((candidate) => candidate.segmentId === segment.id);
    const visibleUpTo = span ? span.toSeq : segment.baseSeq;
    const rows = await context.driver.readMessages(segment.id, {
      fromSeq: visibleUpTo + 1,
      toSeq: Number.MAX_SAFE_INTEGER,
      order: 'asc',
    });
    const first = rows[0];
    if (!first) continue;
    let afterMessageId: string | undefined;
    if (first.seq > 1) {
      const segmentPath = await resolvePath(context, segment.id, first.seq - 1);
      const [previous] = await readPathRange(context, segmentPath, { lowSeq: first.seq - 1, highSeq: first.seq - 1, order: 'asc' });
      afterMessageId = previous?.id;
    }
    tails.push({
      ...(afterMessageId === undefined ? {} : { afterMessageId }),
      messageIds: rows.map((row) => row.id),
      messageCount: rows.length,
    });
  }
  return tails;
}

/** The compactions on the session's path, oldest first: one read of each compaction's summary. */
async function compactionsOf(context: StoreContext, record: SessionRecord): Promise<Compaction[]> {
  const spans = await resolvePath(context, record.headSegmentId, record.messageCount);
  const compactions: Compaction[] = [];
  for (const span of spans) {
    if (!isCompactionSegment(span.segmentId) || span.fromSeq > span.toSeq) continue;
    const [summary] = await context.driver.readMessages(span.segmentId, { fromSeq: span.fromSeq, toSeq: span.fromSeq, order: 'asc' });
    const compaction = summary && compactionOf(toStoredMessage(summary));
    if (compaction) compactions.push(compaction);
  }
  return compactions;
}
