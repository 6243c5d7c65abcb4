/**
 * The in-memory driver: for tests, demos and short-lived agents. Records are cloned on the way
 * in and out, so a caller mutating what it got back can never change what is stored.
 * `commit` checks every condition before applying anything, and runs without awaiting, so a
 * batch is atomic with respect to every other call.
 */
import {
  compareOperations,
  WriteConflict,
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
  ALL_CAPABILITIES,
} from '../driver/driver.js';
import { LocalRunSignals } from '../driver/local-run-signals.js';
import { matchesQuery, compareForQuery, isAfterCursor } from '../driver/query-match.js';

export class MemoryDriver implements StorageDriver, CheckpointStorage {
  readonly name = 'memory';
  readonly capabilities = ALL_CAPABILITIES;
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly segments = new Map<string, SegmentRecord>();
  private readonly segmentsBySession = new Map<string, string[]>();
  private readonly segmentsByParent = new Map<string, string[]>();
  /** Each segment's messages in seq order (appends only ever add at the end). */
  private readonly messagesBySegment = new Map<string, MessageRecord[]>();
  private readonly messageLocations = new Map<string, { segmentId: string; seq: number }>();
  private readonly operations = new Map<string, OperationRecord>();
  private readonly runs = new Map<string, RunRecord>();
  /** Each run's events, indexed by seq - 1. */
  private readonly runEvents = new Map<string, RunEventRecord[]>();
  /** Checkpoint content by SHA-256; the bytes are copied in and out, never shared. */
  private readonly blobs = new Map<string, Uint8Array>();
  private readonly checkpoints = new Map<string, CheckpointRecord>();
  /** Every store over this driver shares its memory, so signals reach all of them. */
  private readonly runSignals = new LocalRunSignals();

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const record = this.sessions.get(id);
    return record && structuredClone(record);
  }

  async listSessions(query: SessionQuery): Promise<SessionRecord[]> {
    return [...this.sessions.values()]
      .filter((record) => matchesQuery(record, query) && (query.after === undefined || isAfterCursor(record, query)))
      .sort((left, right) => compareForQuery(left, right, query))
      .slice(0, query.limit)
      .map((record) => structuredClone(record));
  }

  async getSegment(id: string): Promise<SegmentRecord | undefined> {
    const segment = this.segments.get(id);
    return segment && { ...segment };
  }

  async listSegments(where: { sessionId: string } | { parentId: string }): Promise<SegmentRecord[]> {
    const ids = 'sessionId' in where ? this.segmentsBySession.get(where.sessionId) : this.segmentsByParent.get(where.parentId);
    // Creation order is createdAt's: an imported history is written in another order. The sort is
    // stable, so segments created in the same millisecond stay in the order they were written.
    return (ids ?? [])
      .flatMap((id) => {
        const segment = this.segments.get(id);
        return segment ? [{ ...segment }] : [];
      })
      .sort((left, right) => left.createdAt - right.createdAt);
  }

  async readMessages(
    segmentId: string,
    range: { fromSeq: number; toSeq: number; order: 'asc' | 'desc'; limit?: number },
  ): Promise<MessageRecord[]> {
    const rows = this.messagesBySegment.get(segmentId) ?? [];
    const start = lowerBound(rows, range.fromSeq);
    const end = lowerBound(rows, range.toSeq + 1);
    const selected = rows.slice(start, end);
    if (range.order === 'desc') selected.reverse();
    return (range.limit === undefined ? selected : selected.slice(0, range.limit)).map((row) => ({ ...row }));
  }

  async locateMessage(messageId: string): Promise<{ segmentId: string; seq: number } | undefined> {
    const location = this.messageLocations.get(messageId);
    return location && { ...location };
  }

  async listOperations(sessionId: string): Promise<OperationRecord[]> {
    return [...this.operations.values()]
      .filter((operation) => operation.sessionId === sessionId)
      .sort(compareOperations)
      .map((operation) => structuredClone(operation));
  }

  async getOperation(sessionId: string, operationId: string): Promise<OperationRecord | undefined> {
    const operation = this.operations.get(operationKey(sessionId, operationId));
    return operation && structuredClone(operation);
  }

  async commit(batch: WriteBatch): Promise<void> {
    this.commitNow(batch);
  }

  /** `commit`, synchronously: for callers that must apply batches in order without awaiting (rebuilding state). */
  commitNow(batch: WriteBatch): void {
    this.assertConditions(batch);
    for (const { id } of batch.deleteSessions ?? []) this.removeSession(id);
    for (const { record } of batch.sessions ?? []) this.sessions.set(record.id, structuredClone(record));
    for (const segment of batch.segments ?? []) this.addSegment({ ...segment });
    for (const message of batch.messages ?? []) this.addMessage({ ...message });
    for (const operation of batch.operations ?? []) {
      this.operations.set(operationKey(operation.sessionId, operation.operationId), structuredClone(operation));
    }
    for (const run of batch.runs ?? []) this.runs.set(run.id, structuredClone(run));
    for (const event of batch.runEvents ?? []) {
      let events = this.runEvents.get(event.runId);
      if (!events) this.runEvents.set(event.runId, (events = []));
      events[event.seq - 1] = { ...event };
    }
    for (const blob of batch.blobs ?? []) if (!this.blobs.has(blob.hash)) this.blobs.set(blob.hash, Uint8Array.from(blob.bytes));
    for (const checkpoint of batch.checkpoints ?? []) this.checkpoints.set(checkpoint.messageId, structuredClone(checkpoint));
  }

  async deleteMessagesAfter(segmentId: string, afterSeq: number): Promise<number> {
    const rows = this.messagesBySegment.get(segmentId);
    if (!rows) return 0;
    const removed = rows.splice(lowerBound(rows, afterSeq + 1));
    for (const row of removed) this.messageLocations.delete(row.id);
    return removed.length;
  }

  async deleteSegment(segmentId: string): Promise<number> {
    const segment = this.segments.get(segmentId);
    if (!segment) return 0;
    const removed = await this.deleteMessagesAfter(segmentId, -1);
    this.messagesBySegment.delete(segmentId);
    this.segments.delete(segmentId);
    removeFromIndex(this.segmentsBySession, segment.sessionId, segmentId);
    if (segment.parentId !== undefined) removeFromIndex(this.segmentsByParent, segment.parentId, segmentId);
    return removed;
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const run = this.runs.get(id);
    return run && structuredClone(run);
  }

  async listRuns(sessionId: string): Promise<RunRecord[]> {
    return [...this.runs.values()]
      .filter((run) => run.sessionId === sessionId)
      .sort((left, right) => left.startedAt - right.startedAt || (left.id < right.id ? -1 : left.id > right.id ? 1 : 0))
      .map((run) => structuredClone(run));
  }

  async readRunEvents(runId: string, range: { afterSeq: number; limit?: number }): Promise<RunEventRecord[]> {
    const events = (this.runEvents.get(runId) ?? []).filter((event) => event !== undefined && event.seq > range.afterSeq);
    return (range.limit === undefined ? events : events.slice(0, range.limit)).map((event) => ({ ...event }));
  }

  async getBlob(hash: string): Promise<Uint8Array | undefined> {
    const bytes = this.blobs.get(hash);
    return bytes && Uint8Array.from(bytes);
  }

  async missingBlobs(hashes: string[]): Promise<string[]> {
    return [...new Set(hashes)].filter((hash) => !this.blobs.has(hash));
  }

  async getCheckpoint(messageId: string): Promise<CheckpointRecord | undefined> {
    const checkpoint = this.checkpoints.get(messageId);
    return checkpoint && structuredClone(checkpoint);
  }

  async listCheckpoints(sessionId: string): Promise<CheckpointRecord[]> {
    return [...this.checkpoints.values()]
      .filter((checkpoint) => checkpoint.sessionId === sessionId)
      .sort((left, right) => left.createdAt - right.createdAt || (left.messageId < right.messageId ? -1 : left.messageId > right.messageId ? 1 : 0))
      .map((checkpoint) => structuredClone(checkpoint));
  }

  async collectCheckpoints(): Promise<{ checkpoints: number; blobs: number }> {
    let checkpoints = 0;
    for (const messageId of this.checkpoints.keys()) {
      if (this.messageLocations.has(messageId)) continue;
      this.checkpoints.delete(messageId);
      checkpoints += 1;
    }
    const used = new Set<string>();
    for (const checkpoint of this.checkpoints.values()) for (const hash of checkpoint.blobHashes) used.add(hash);
    let blobs = 0;
    for (const hash of this.blobs.keys()) {
      if (used.has(hash)) continue;
      this.blobs.delete(hash);
      blobs += 1;
    }
    return { checkpoints, blobs };
  }

  async signalRun(runId: string): Promise<void> {
    this.runSignals.signal(runId);
  }

  async watchRun(runId: string, onSignal: () => void): Promise<() => Promise<void>> {
    const stop = this.runSignals.watch(runId, onSignal);
    return async () => stop();
  }

  async close(): Promise<void> {}

  private assertConditions(batch: WriteBatch): void {
    const versionOf = (id: string) => this.sessions.get(id)?.version;
    const expectations = [
      ...(batch.checks ?? []).map((check) => ({ id: check.id, expected: check.version })),
      ...(batch.sessions ?? []).map((write) => ({ id: write.record.id, expected: write.expectedVersion })),
      ...(batch.deleteSessions ?? []).map((write) => ({ id: write.id, expected: write.expectedVersion })),
    ];
    for (const { id, expected } of expectations) {
      const actual = versionOf(id);
      if ((actual ?? 0) !== expected) throw new WriteConflict({ kind: 'version', sessionId: id, actualVersion: actual });
    }
    const newIds = new Set<string>();
    for (const message of batch.messages ?? []) {
      if (this.messageLocations.has(message.id) || newIds.has(message.id)) {
        throw new WriteConflict({ kind: 'duplicate-message', messageId: message.id });
      }
      newIds.add(message.id);
    }
    const newOperations = new Set<string>();
    for (const operation of batch.operations ?? []) {
      const key = operationKey(operation.sessionId, operation.operationId);
      if (this.operations.has(key) || newOperations.has(key)) {
        throw new WriteConflict({ kind: 'duplicate-operation', sessionId: operation.sessionId, operationId: operation.operationId });
      }
      newOperations.add(key);
    }
  }

  private removeSession(id: string): void {
    this.sessions.delete(id);
    for (const run of this.runs.values()) {
      if (run.sessionId !== id) continue;
      this.runs.delete(run.id);
      this.runEvents.delete(run.id);
    }
    for (const key of this.operations.keys()) {
      if (key.startsWith(operationKey(id, ''))) this.operations.delete(key);
    }
  }

  private addSegment(segment: SegmentRecord): void {
    this.segments.set(segment.id, segment);
    addToIndex(this.segmentsBySession, segment.sessionId, segment.id);
    if (segment.parentId !== undefined) addToIndex(this.segmentsByParent, segment.parentId, segment.id);
  }

  private addMessage(message: MessageRecord): void {
    let rows = this.messagesBySegment.get(message.segmentId);
    if (!rows) {
      rows = [];
      this.messagesBySegment.set(message.segmentId, rows);
    }
    rows.splice(lowerBound(rows, message.seq), 0, message);
    this.messageLocations.set(message.id, { segmentId: message.segmentId, seq: message.seq });
  }
}

function operationKey(sessionId: string, operationId: string): string {
  return `${sessionId}\u0000${operationId}`;
}

/** The index of the first row with seq >= `seq`. */
function lowerBound(rows: MessageRecord[], seq: number): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((rows[middle]?.seq ?? Infinity) < seq) low = middle + 1;
    else high = middle;
  }
  return low;
}

function addToIndex(index: Map<string, string[]>, key: string, value: string): void {
  const values = index.get(key);
  if (values) values.push(value);
  else index.set(key, [value]);
}

function removeFromIndex(index: Map<string, string[]>, key: string, value: string): void {
  const values = index.get(key);
  if (!values) return;
  const remaining = values.filter((item) => item !== value);
  if (remaining.length > 0) index.set(key, remaining);
  else index.delete(key);
}
