/**
 * `delete` and `prune`, aware of forks. Deleting a session removes its record at once; its
 * segments are then collected: a segment goes only when its owner is gone and no other segment
 * continues it, and a segment that a fork still continues keeps exactly the messages up to the
 * furthest fork point. Collection is idempotent, so a delete interrupted after its record went is
 * finished by calling `delete` again.
 */
import { supportsCheckpoints, WriteConflict, type SegmentRecord } from '../driver/driver.js';
import { assertValidId } from '../common/ids.js';
import type { PruneResult } from '../types.js';
import { findSession } from './access.js';
import type { StoreContext } from './context.js';
import { parseOptions, pruneOptionsSchema } from './options.js';

const PRUNE_PAGE = 200;

export async function deleteSession(context: StoreContext, id: string): Promise<boolean> {
  assertValidId(id, 'session id');
  if ((await removeSession(context, id)) !== undefined) return true;
  // No such session, but a delete of it may have stopped (a crash) between removing the record and
  // collecting its segments: deleting again finishes that. Usually there is nothing to collect.
  // Only segments whose owner is gone are touched, so this frees storage and reveals nothing.
  await collectSegmentsOf(context, id);
  return false;
}

/** Deletes the session and collects its segments; returns the messages removed, or undefined if there was no session. */
async function removeSession(context: StoreContext, id: string): Promise<number | undefined> {
  for (;;) {
    const record = await findSession(context, id);
    if (!record) return undefined;
    try {
      await context.driver.commit({ deleteSessions: [{ id, expectedVersion: record.version }] });
      break;
    } catch (error) {
      // Changed meanwhile: read it again and delete the newer version.
      if (!WriteConflict.is(error)) throw error;
    }
  }
  return collectSegmentsOf(context, id);
}

/** Collects every segment a deleted session owned; returns the messages removed. */
async function collectSegmentsOf(context: StoreContext, sessionId: string): Promise<number> {
  const owned = await context.driver.listSegments({ sessionId });
  let removed = 0;
  // Newest first: a session's later segments continue its earlier ones.
  for (const segment of owned.reverse()) removed += await collectSegment(context, segment);
  return removed;
}

async function collectSegment(context: StoreContext, segment: SegmentRecord): Promise<number> {
  if (!(await context.driver.getSegment(segment.id))) return 0;
  if (await context.driver.getSession(segment.sessionId)) return 0;
  const continuations = await context.driver.listSegments({ parentId: segment.id });
  if (continuations.length > 0) {
    const furthestForkPoint = Math.max(...continuations.map((child) => child.baseSeq));
    return context.driver.deleteMessagesAfter(segment.id, furthestForkPoint);
  }
  let removed = await context.driver.deleteSegment(segment.id);
  context.segmentCache.delete(segment.id);
  if (segment.parentId !== undefined) {
    const parent = await context.driver.getSegment(segment.parentId);
    // The parent may now be unreachable too (its owner deleted earlier, this was its last continuation).
    if (parent) removed += await collectSegment(context, parent);
  }
  return removed;
}

/** Deletes sessions not updated since `olderThan`, and only the history no remaining session reaches. */
export async function pruneSessions(context: StoreContext, pruneOptions: { olderThan: number }): Promise<PruneResult> {
  const { olderThan } = parseOptions(pruneOptionsSchema, pruneOptions, 'prune options');
  const result: PruneResult = { sessions: 0, messages: 0, blobs: 0 };
  let after: { value: number; id: string } | undefined;
  for (;;) {
    const page = await context.driver.listSessions({
      updatedBefore: olderThan,
      ...(context.scopeUserId === undefined ? {} : { userId: context.scopeUserId }),
      ...(after === undefined ? {} : { after }),
      orderBy: 'updatedAt',
      order: 'asc',
      limit: PRUNE_PAGE,
    });
    for (const candidate of page) {
      const current = await findSession(context, candidate.id);
      // Updated since the page was read: no longer old enough.
      if (!current || current.updatedAt >= olderThan) continue;
      const removed = await removeSession(context, candidate.id);
      if (removed === undefined) continue;
      result.sessions += 1;
      result.messages += removed;
    }
    const last = page[page.length - 1];
    if (page.length < PRUNE_PAGE || !last) {
      // Checkpoints follow their messages: those whose message went, then blobs no checkpoint uses.
      if (supportsCheckpoints(context.driver)) result.blobs = (await context.driver.collectCheckpoints()).blobs;
      return result;
    }
    after = { value: last.updatedAt, id: last.id };
  }
}
