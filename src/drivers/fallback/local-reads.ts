/**
 * Reads while the primary is down, answered from the overlay (what was written during the outage)
 * and the read cache (what was seen just before it). Every answer is whole or refused: data created
 * during the outage is all here, so questions about it get the answer any store would give; a
 * question that needs history only the primary holds gets `StoreUnavailableError` (see not-held.ts),
 * never part of the answer. Two exceptions, as documented: `listSessions` answers from what this
 * process knows, and `getOperation` for a session from before the outage answers from the outage's
 * own records (see there why that cannot append twice).
 */
import type {
  CheckpointRecord,
  MessageRecord,
  OperationRecord,
  RunEventRecord,
  RunRecord,
  SegmentRecord,
  SessionQuery,
  SessionRecord,
} from '../../driver/driver.js';
import { compareForQuery, isAfterCursor, matchesQuery } from '../../driver/query-match.js';
import { notHeld } from './not-held.js';
import type { Overlay } from './overlay.js';
import type { ReadCache } from './read-cache.js';

const UNBOUNDED = Number.MAX_SAFE_INTEGER;

type MessageRange = { fromSeq: number; toSeq: number; order: 'asc' | 'desc'; limit?: number };

export class LocalReads {
  constructor(
    private readonly store: string,
    private readonly overlay: () => Overlay,
    private readonly cache: ReadCache,
  ) {}

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const overlay = this.overlay();
    if (overlay.isDeletedSession(id)) return undefined;
    return (await overlay.records.getSession(id)) ?? this.cache.session(id) ?? notHeld(this.store, `session "${id}"`);
  }

  async listSessions(query: SessionQuery): Promise<SessionRecord[]> {
    const overlay = this.overlay();
    const overlaid = await overlay.records.listSessions({ ...query, limit: UNBOUNDED });
    const held = new Set((await overlay.records.listSessions({ orderBy: 'createdAt', order: 'asc', limit: UNBOUNDED })).map((record) => record.id));
    const cached = this.cache
      .allSessions()
      .filter((record) => !held.has(record.id) && !overlay.isDeletedSession(record.id) && matchesQuery(record, query) && isAfterCursor(record, query));
    return [...overlaid, ...cached].sort((left, right) => compareForQuery(left, right, query)).slice(0, query.limit);
  }

  async getSegment(id: string): Promise<SegmentRecord | undefined> {
    const overlay = this.overlay();
    if (overlay.isDeletedSegment(id)) return undefined;
    return (await overlay.records.getSegment(id)) ?? this.cache.segment(id) ?? notHeld(this.store, `segment "${id}"`);
  }

  async listSegments(where: { sessionId: string } | { parentId: string }): Promise<SegmentRecord[]> {
    const overlay = this.overlay();
    // Only what was created during the outage can have been continued or owned by nothing but this process.
    if ('sessionId' in where ? overlay.ownsSession(where.sessionId) : overlay.ownsSegment(where.parentId) || overlay.isDeletedSegment(where.parentId)) {
      return overlay.records.listSegments(where);
    }
    return notHeld(this.store, 'sessionId' in where ? `the segments of session "${where.sessionId}"` : `the continuations of segment "${where.parentId}"`);
  }

  async readMessages(segmentId: string, range: MessageRange): Promise<MessageRecord[]> {
    const overlay = this.overlay();
    if (overlay.ownsSegment(segmentId) || overlay.isDeletedSegment(segmentId)) return overlay.records.readMessages(segmentId, range);
    // A segment from before the outage: its cached newest messages and what was appended to it since.
    // Positions are contiguous, so a gap (or a range without an end) means history only the primary holds.
    const unknown = () => notHeld(this.store, `older messages of segment "${segmentId}"`);
    if (range.toSeq >= UNBOUNDED) return unknown();
    const bySeq = new Map<number, MessageRecord>();
    for (const row of this.cache.messagesOf(segmentId, range.fromSeq, range.toSeq)) if (!overlay.isDeletedMessage(row.id)) bySeq.set(row.seq, row);
    for (const row of await overlay.records.readMessages(segmentId, { fromSeq: range.fromSeq, toSeq: range.toSeq, order: 'asc' })) bySeq.set(row.seq, row);
    const rows = [...bySeq.values()].sort((left, right) => (range.order === 'asc' ? left.seq - right.seq : right.seq - left.seq));
    const selected = range.limit === undefined ? rows : rows.slice(0, range.limit);
    const wanted = Math.min(range.toSeq - range.fromSeq + 1, range.limit ?? Infinity);
    const start = range.order === 'asc' ? range.fromSeq : range.toSeq;
    const step = range.order === 'asc' ? 1 : -1;
    for (let index = 0; index < wanted; index += 1) if (selected[index]?.seq !== start + step * index) return unknown();
    return selected;
  }

  async locateMessage(messageId: string): Promise<{ segmentId: string; seq: number } | undefined> {
    const overlay = this.overlay();
    if (overlay.isDeletedMessage(messageId)) return undefined;
    return (await overlay.records.locateMessage(messageId)) ?? this.cache.location(messageId) ?? notHeld(this.store, `message "${messageId}"`);
  }

  async getOperation(sessionId: string, operationId: string): Promise<OperationRecord | undefined> {
    // For a session from before the outage this answers from the outage's records alone: its
    // earlier operation ids were answered by the primary already (a call that failed over was
    // journaled with its own ids), and a duplicate found on replay turns into a fork, not a double append.
    return this.overlay().records.getOperation(sessionId, operationId);
  }

  async listOperations(sessionId: string): Promise<OperationRecord[]> {
    const overlay = this.overlay();
    if (!overlay.ownsSession(sessionId)) return notHeld(this.store, `the operation records of session "${sessionId}"`);
    return overlay.records.listOperations(sessionId);
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const overlay = this.overlay();
    if (overlay.isDeletedRun(id)) return undefined;
    return (await overlay.records.getRun(id)) ?? this.cache.run(id) ?? notHeld(this.store, `run "${id}"`);
  }

  async listRuns(sessionId: string): Promise<RunRecord[]> {
    const overlay = this.overlay();
    if (!overlay.ownsSession(sessionId)) return notHeld(this.store, `the runs of session "${sessionId}"`);
    return overlay.records.listRuns(sessionId);
  }

  async readRunEvents(runId: string, range: { afterSeq: number; limit?: number }): Promise<RunEventRecord[]> {
    const overlay = this.overlay();
    const seeded = overlay.seededRunEvents(runId);
    // A run from before the outage has its earlier events on the primary; the ones after are all here.
    if (overlay.ownsRun(runId) || overlay.isDeletedRun(runId) || (seeded !== undefined && range.afterSeq >= seeded)) {
      return overlay.records.readRunEvents(runId, range);
    }
    return notHeld(this.store, `the events of run "${runId}"`);
  }

  async getBlob(hash: string): Promise<Uint8Array | undefined> {
    return this.overlay().files.blob(hash) ?? notHeld(this.store, `file content ${hash.slice(0, 12)}`);
  }

  async missingBlobs(hashes: string[]): Promise<string[]> {
    return this.overlay().files.missing(hashes);
  }

  async getCheckpoint(messageId: string): Promise<CheckpointRecord | undefined> {
    const overlay = this.overlay();
    const record = overlay.files.checkpoint(messageId);
    if (record) return record;
    // A message written during the outage has no checkpoint on the primary either.
    if (overlay.isDeletedMessage(messageId) || (await overlay.records.locateMessage(messageId))) return undefined;
    return notHeld(this.store, `the file checkpoint of message "${messageId}"`);
  }

  async listCheckpoints(sessionId: string): Promise<CheckpointRecord[]> {
    const overlay = this.overlay();
    if (!overlay.ownsSession(sessionId)) return notHeld(this.store, `the file checkpoints of session "${sessionId}"`);
    return overlay.files.checkpointsOf(sessionId);
  }
}
