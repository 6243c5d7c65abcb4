/**
 * `AdapterDriver`: the whole driver contract (sessions, segments, messages, operations, runs,
 * checkpoints) over a `RecordAdapter`'s get/put/delete/list and compare-and-set, for
 * `SessionStore.fromAdapter`. Where each record lives: keys.ts; how a batch stays all-or-nothing
 * and how a stopped commit is finished: commit.ts and transaction.ts.
 *
 * Costs to know: `listSessions` reads every session record (the adapter offers no index but its
 * keys), so list, sweep, prune and resolve grow with the number of sessions; an append is about
 * ten adapter calls, most of them small.
 */
import {
  POLLED_CAPABILITIES,
  compareOperations,
  type CheckpointRecord,
  type CheckpointStorage,
  type MessageRecord,
  type OperationRecord,
  type RunEventRecord,
  type RunRecord,
  type SegmentRecord,
  type SessionQuery,
  type SessionRecord,
  type StorageDriver,
  type WriteBatch,
} from '../../driver/driver.js';
import { compareForQuery, isAfterCursor, matchesQuery } from '../../driver/query-match.js';
import type { JsonValue } from '../../types.js';
import { AdapterAccess } from './access.js';
import { assertRecordAdapter, type RecordAdapter } from './adapter.js';
import { collectAdapterCheckpoints } from './collect.js';
import { commitBatch } from './commit.js';
import { keys, lastPart } from './keys.js';
import { deleteSegmentMessages, locateStoredMessage, readSegmentMessages, type ReadRange } from './messages.js';
import type { SegmentEntry, StoredBlob } from './plan.js';
import { readAllRecords, readRecord } from './slots.js';
import { recoverTransaction } from './transaction.js';

export interface AdapterDriverOptions {
  /** The store's name in errors and `store.backend` (default `adapter`). */
  name?: string;
  /**
   * How long a commit may hold a session before another process may finish or undo it, taking it
   * for stopped (default 30 s). Longer than any commit takes; shorter means faster recovery after a crash.
   */
  lockLeaseMs?: number;
}

export const DEFAULT_LOCK_LEASE_MS = 30_000;

export class AdapterDriver implements StorageDriver, CheckpointStorage {
  readonly name: string;
  readonly capabilities = POLLED_CAPABILITIES;
  readonly location?: string;
  private readonly access: AdapterAccess;
  private readonly leaseMs: number;
  /** Set once this driver has looked for transactions a stopped process left (they lock no session when they wrote only runs or checkpoints). */
  private recovered: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(adapter: RecordAdapter, options: AdapterDriverOptions = {}) {
    assertRecordAdapter(adapter);
    this.name = options.name ?? 'adapter';
    this.leaseMs = options.lockLeaseMs ?? DEFAULT_LOCK_LEASE_MS;
    this.access = new AdapterAccess(adapter, this.name);
    if (typeof adapter.location === 'string') this.location = adapter.location;
  }

  /** Whether several processes may write (the adapter has compareAndSet); without it, one process at a time. */
  get concurrent(): boolean {
    return this.access.concurrent;
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    return readRecord(this.access, id);
  }

  async listSessions(query: SessionQuery): Promise<SessionRecord[]> {
    return (await readAllRecords(this.access))
      .filter((record) => matchesQuery(record, query) && isAfterCursor(record, query))
      .sort((left, right) => compareForQuery(left, right, query))
      .slice(0, query.limit);
  }

  async getSegment(id: string): Promise<SegmentRecord | undefined> {
    return this.access.get<JsonValue>(keys.segment(id)) as Promise<SegmentRecord | undefined>;
  }

  async listSegments(where: { sessionId: string } | { parentId: string }): Promise<SegmentRecord[]> {
    const entryKeys = await this.access.list('sessionId' in where ? keys.ownedBy(where.sessionId) : keys.childrenOf(where.parentId));
    const entries = (await this.access.getMany<JsonValue>(entryKeys)) as Array<SegmentEntry | undefined>;
    const listed = entryKeys.flatMap((key, index) => {
      const entry = entries[index];
      return entry ? [{ id: lastPart(key), entry }] : [];
    });
    listed.sort((left, right) => left.entry.createdAt - right.entry.createdAt || (left.entry.order < right.entry.order ? -1 : left.entry.order > right.entry.order ? 1 : 0));
    const segments = (await this.access.getMany<JsonValue>(listed.map(({ id }) => keys.segment(id)))) as Array<SegmentRecord | undefined>;
    return segments.filter((segment): segment is SegmentRecord => segment !== undefined);
  }

  async readMessages(segmentId: string, range: ReadRange): Promise<MessageRecord[]> {
    return readSegmentMessages(this.access, segmentId, range);
  }

  async locateMessage(messageId: string): Promise<{ segmentId: string; seq: number } | undefined> {
    return locateStoredMessage(this.access, messageId);
  }

  async getOperation(sessionId: string, operationId: string): Promise<OperationRecord | undefined> {
    return this.access.get<JsonValue>(keys.operation(sessionId, operationId)) as Promise<OperationRecord | undefined>;
  }

  async listOperations(sessionId: string): Promise<OperationRecord[]> {
    const found = (await this.access.getMany<JsonValue>(await this.access.list(keys.operationsOf(sessionId)))) as Array<OperationRecord | undefined>;
    return found.filter((operation): operation is OperationRecord => operation !== undefined).sort(compareOperations);
  }

  async commit(batch: WriteBatch): Promise<void> {
    this.recovered ??= this.recoverStopped().catch(() => {
      this.recovered = undefined; // try again at the next commit
    });
    await this.recovered;
    await commitBatch(this.access, batch, { name: this.name, leaseMs: this.leaseMs });
  }

  /**
   * Finishes or undoes every commit a stopped process left (past its lease). Reads and commits do
   * this for the sessions they touch; a commit of runs or checkpoints only locks no session, so each
   * driver also looks once, at its first commit. Safe to call at any time.
   */
  async recoverStopped(): Promise<void> {
    for (const key of await this.access.list(keys.transactions())) await recoverTransaction(this.access, lastPart(key));
  }

  async deleteMessagesAfter(segmentId: string, afterSeq: number): Promise<number> {
    return deleteSegmentMessages(this.access, segmentId, afterSeq);
  }

  async deleteSegment(segmentId: string): Promise<number> {
    const segment = await this.getSegment(segmentId);
    if (!segment) return 0;
    const removed = await deleteSegmentMessages(this.access, segmentId, -Infinity);
    await this.access.deleteMany([
      keys.owned(segment.sessionId, segmentId),
      ...(segment.parentId === undefined ? [] : [keys.child(segment.parentId, segmentId)]),
    ]);
    await this.access.delete(keys.segment(segmentId));
    return removed;
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    return this.access.get<JsonValue>(keys.run(id)) as Promise<RunRecord | undefined>;
  }

  async listRuns(sessionId: string): Promise<RunRecord[]> {
    const runIds = (await this.access.list(keys.runsOf(sessionId))).map(lastPart);
    const runs = (await this.access.getMany<JsonValue>(runIds.map((id) => keys.run(id)))) as Array<RunRecord | undefined>;
    return runs
      .filter((run): run is RunRecord => run !== undefined && run.sessionId === sessionId)
      .sort((left, right) => left.startedAt - right.startedAt || (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
  }

  async readRunEvents(runId: string, range: { afterSeq: number; limit?: number }): Promise<RunEventRecord[]> {
    // Events beyond the run's count belong to a commit not yet settled (or one that never was).
    const run = await this.getRun(runId);
    if (!run) return [];
    const first = Math.max(0, Math.floor(range.afterSeq)) + 1;
    const last = Math.min(run.eventCount, range.limit === undefined ? Infinity : first + range.limit - 1);
    if (last < first) return [];
    const seqs = Array.from({ length: last - first + 1 }, (_, index) => first + index);
    const events = (await this.access.getMany<JsonValue>(seqs.map((seq) => keys.event(runId, seq)))) as Array<RunEventRecord | undefined>;
    return events.filter((event): event is RunEventRecord => event !== undefined);
  }

  async getBlob(hash: string): Promise<Uint8Array | undefined> {
    const stored = (await this.access.get<JsonValue>(keys.blob(hash))) as StoredBlob | undefined;
    return stored && new Uint8Array(Buffer.from(stored.base64, 'base64'));
  }

  async missingBlobs(hashes: string[]): Promise<string[]> {
    const unique = [...new Set(hashes)];
    const stored = await this.access.getMany(unique.map((hash) => keys.blob(hash)));
    return unique.filter((_, index) => stored[index] === undefined);
  }

  async getCheckpoint(messageId: string): Promise<CheckpointRecord | undefined> {
    return this.access.get<JsonValue>(keys.checkpoint(messageId)) as Promise<CheckpointRecord | undefined>;
  }

  async listCheckpoints(sessionId: string): Promise<CheckpointRecord[]> {
    const messageIds = (await this.access.list(keys.checkpointsOf(sessionId))).map(lastPart);
    const found = (await this.access.getMany<JsonValue>(messageIds.map((id) => keys.checkpoint(id)))) as Array<CheckpointRecord | undefined>;
    return found
      .filter((checkpoint): checkpoint is CheckpointRecord => checkpoint !== undefined && checkpoint.sessionId === sessionId)
      .sort((left, right) => left.createdAt - right.createdAt || (left.messageId < right.messageId ? -1 : left.messageId > right.messageId ? 1 : 0));
  }

  async collectCheckpoints(): Promise<{ checkpoints: number; blobs: number }> {
    return collectAdapterCheckpoints(this.access);
  }

  async close(): Promise<void> {
    this.closing ??= this.access.close();
    await this.closing;
  }
}
