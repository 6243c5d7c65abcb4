/**
 * Group commit for the file store: appends to different sessions that wait for the store's lock at
 * the same time (a server with many chats) share one commit: one journal entry, their lines
 * appended and fsynced together, one commit point (the journal's flip), their session records
 * published in parallel. Each append is still acknowledged only when that commit returned, i.e.
 * once its lines, the journal's commit mark and its record are fsynced; a crash at any point
 * leaves each of them whole or absent, exactly as for one commit (it is one commit to journal.ts).
 *
 * Only plain appends are grouped (see `isPlainAppend`): one session written at a version it
 * already has, messages into that session's head segment, operations of that session, nothing
 * else. So the batches of a group touch disjoint files (each its own segment, operations log and
 * session record; the shared index logs only receive lines), and each can be checked and planned
 * against the disk as it is before the group writes anything. Batches that would touch the same
 * session or segment, or bring the same message id, are not put together: the later one waits for
 * the next group. A batch whose condition fails (a version moved, a duplicate id) fails alone, with
 * its own `WriteConflict`, before anything is written; a write that fails fails the whole group,
 * as it would fail a single commit (the journal rolls it back).
 *
 * A lone append is a group of one: it commits at once, exactly as before. Others arriving while a
 * group commits wait for the next one (at most `MAX_GROUP` batches), as in the SQLite driver's
 * group-commit.ts.
 */
import { randomUUID } from 'node:crypto';
import type { WriteBatch } from '../../driver/driver.js';
import { checkDuplicates, checkVersions, compactAfterCommit, planWrites, write, type Plan } from './commit.js';
import type { CommitLock, HeldLock } from './lock.js';
import type { StoreParts } from './store-parts.js';

const MAX_GROUP = 64;

interface Pending {
  batch: WriteBatch;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** True for a batch that only appends to one existing session (what a group may hold). */
export function isPlainAppend(batch: WriteBatch): boolean {
  const [write, ...others] = batch.sessions ?? [];
  if (!write || others.length > 0 || write.expectedVersion === 0) return false;
  const extras = [batch.deleteSessions, batch.checks, batch.segments, batch.runs, batch.runEvents, batch.blobs, batch.checkpoints];
  if (extras.some((list) => (list?.length ?? 0) > 0)) return false;
  const { record } = write;
  return (batch.messages ?? []).every((message) => message.segmentId === record.headSegmentId) && (batch.operations ?? []).every((operation) => operation.sessionId === record.id);
}

export class GroupCommitter {
  private queue: Pending[] = [];
  private draining = false;

  constructor(
    private readonly parts: StoreParts,
    private readonly lock: CommitLock,
  ) {}

  /** Commits a plain append with whatever other appends are waiting; resolves once it is durable. */
  submit(batch: WriteBatch): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, MAX_GROUP);
        let deferred: Pending[] = [];
        try {
          deferred = await this.lock.run((held) => this.commitGroup(group, held));
        } catch (error) {
          // The lock could not be taken, or the group's write failed: every batch not settled yet fails with it.
          for (const pending of group) pending.reject(error);
        }
        this.queue.unshift(...deferred);
      }
    } finally {
      this.draining = false;
    }
  }

  /** Checks, plans and writes the group as one commit; returns the batches left for the next group. */
  private async commitGroup(group: Pending[], held: HeldLock): Promise<Pending[]> {
    const { parts } = this;
    await parts.journal.recover();
    const commitId = randomUUID();
    const accepted: Array<{ pending: Pending; plan: Plan }> = [];
    const deferred: Pending[] = [];
    const taken = new Set<string>();
    for (const pending of group) {
      const { batch } = pending;
      const keys = footprint(batch);
      if (keys.some((key) => taken.has(key))) {
        deferred.push(pending);
        continue;
      }
      try {
        const sessions = await checkVersions(parts, batch);
        await checkDuplicates(parts, batch, sessions);
        accepted.push({ pending, plan: await planWrites(parts, batch, commitId) });
        for (const key of keys) taken.add(key);
      } catch (error) {
        pending.reject(error); // its own conflict: the others go on
      }
    }
    if (accepted.length > 0) {
      await write(parts, merge(accepted.map((entry) => entry.plan)), commitId, held);
      for (const { pending } of accepted) pending.resolve();
      await compactAfterCommit(parts);
    }
    return deferred;
  }
}

/** What a plain append must not share with another in its group. */
function footprint(batch: WriteBatch): string[] {
  const keys = (batch.sessions ?? []).flatMap(({ record }) => [`s\u0000${record.id}`, `g\u0000${record.headSegmentId}`]);
  for (const message of batch.messages ?? []) keys.push(`m\u0000${message.id}`);
  return keys;
}

/** One plan writing what all of them write: lines for one file concatenated in group order. */
function merge(plans: Plan[]): Plan {
  if (plans.length === 1) return plans[0] as Plan;
  const merged: Plan = { appends: new Map(), creates: [], puts: [], blobs: [], primaryRemovals: [], cleanupRemovals: [] };
  for (const plan of plans) {
    for (const [path, planned] of plan.appends) {
      const existing = merged.appends.get(path);
      if (existing) existing.lines.push(...planned.lines);
      else merged.appends.set(path, { path, lines: [...planned.lines] });
    }
    merged.creates.push(...plan.creates);
    merged.puts.push(...plan.puts);
    merged.blobs.push(...plan.blobs);
    merged.primaryRemovals.push(...plan.primaryRemovals);
    merged.cleanupRemovals.push(...plan.cleanupRemovals);
  }
  return merged;
}
