/**
 * Replaying the journal to the primary, in order, exactly once.
 *
 * Exactly once: every replayed batch carries a marker operation record
 * (`replay.<journal>.<entry>`); a batch whose compare-and-set fails is first checked for its marker,
 * so a replay interrupted halfway (the primary went down again, the process was killed) can simply
 * run again. Entries are also marked replayed in the journal as they land.
 *
 * Conflicts: when a session the degraded writes changed was also changed on the primary by someone
 * else during the outage, neither side is dropped. The degraded writes become a fork of it: a new
 * session (its id derived from the journal and the session, so a resumed replay finds the same one)
 * whose path is the session's history up to where this process last saw it, followed by what was
 * written while degraded. Messages the degraded writes appended to the session's shared head
 * segment move to a new segment of the fork based at that point; everything else keeps its ids.
 * `onConflict` reports each such fork.
 */
import { createHash } from 'node:crypto';
import {
  WriteConflict,
  type MessageRecord,
  type SegmentRecord,
  type SessionRecord,
  type StorageDriver,
  type WriteBatch,
} from '../../driver/driver.js';
import type { ReplayConflict } from '../../driver/degradable.js';
import type { JournalEntry } from './journal.js';

export type { ReplayConflict, ReplayReport } from '../../driver/degradable.js';

/** Where a conflicted session's degraded writes go. */
interface Redirect {
  forkId: string;
  /** The session as this process last saw it before writing to it while degraded. */
  base: SessionRecord;
  /** The fork's segment holding what was appended to the base head segment past the base head. */
  forkSegmentId: string;
  forkSegmentWritten: boolean;
  /** The message the fork starts from (absent for a session created while degraded: then the fork is a renamed copy). */
  baseHeadMessageId?: string;
}

export class JournalReplay {
  private readonly bases = new Map<string, SessionRecord>();
  private readonly redirects = new Map<string, Redirect>();
  readonly conflicts: ReplayConflict[] = [];

  constructor(
    private readonly primary: StorageDriver,
    private readonly journalId: string,
    private readonly now: () => number,
  ) {}

  /** Replays every entry not yet replayed; `onReplayed` is called after each one lands. */
  async run(entries: JournalEntry[], onReplayed: (seq: number) => void): Promise<number> {
    let replayed = 0;
    for (const entry of entries) {
      if (entry.payload.kind === 'seed') {
        await this.learnSeed(entry.payload.session);
        continue;
      }
      if (entry.replayed) continue;
      await this.replayBatch(entry.seq, entry.payload.batch);
      onReplayed(entry.seq);
      replayed += 1;
    }
    return replayed;
  }

  /** A seed tells where the session stood; a fork from an earlier interrupted replay means it already conflicted. */
  private async learnSeed(session: SessionRecord): Promise<void> {
    if (this.bases.has(session.id)) return;
    this.bases.set(session.id, session);
    const forkId = this.forkIdFor(session.id);
    if (await this.primary.getSession(forkId)) await this.redirect(session.id, session, forkId);
  }

  private forkIdFor(sessionId: string): string {
    const digest = createHash('sha256').update(`${this.journalId}\u0000${sessionId}`).digest('hex').slice(0, 24);
    return `fork_${digest}`;
  }

  private async redirect(sessionId: string, base: SessionRecord, forkId: string): Promise<Redirect> {
    const existing = this.redirects.get(sessionId);
    if (existing) return existing;
    const baseHeadMessageId = await this.messageAt(base.headSegmentId, base.messageCount);
    const redirect: Redirect = {
      forkId,
      base,
      forkSegmentId: `seg_${createHash('sha256').update(`${forkId}\u0000segment`).digest('hex').slice(0, 24)}`,
      forkSegmentWritten: base.messageCount === 0,
      ...(baseHeadMessageId === undefined ? {} : { baseHeadMessageId }),
    };
    this.redirects.set(sessionId, redirect);
    this.conflicts.push({ sessionId, forkId });
    return redirect;
  }

  /** The id of the message at `position` on the path ending in `segmentId`, read from the primary. */
  private async messageAt(segmentId: string, position: number): Promise<string | undefined> {
    let segment = position > 0 ? await this.primary.getSegment(segmentId) : undefined;
    while (segment && position <= segment.baseSeq) {
      segment = segment.parentId === undefined ? undefined : await this.primary.getSegment(segment.parentId);
    }
    if (!segment) return undefined;
    const [row] = await this.primary.readMessages(segment.id, { fromSeq: position, toSeq: position, order: 'asc' });
    return row?.id;
  }

  private marker(seq: number): string {
    return `replay.${this.journalId.slice(0, 8)}.${seq}`;
  }

  private async replayBatch(seq: number, original: WriteBatch): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const batch = await this.rewrite(original);
      const markerSession = batch.sessions?.[0]?.record.id;
      if (markerSession !== undefined) {
        if (await this.primary.getOperation(markerSession, this.marker(seq))) return; // landed before an interruption
        batch.operations = [...(batch.operations ?? []), { sessionId: markerSession, operationId: this.marker(seq), messageIds: [], createdAt: this.now() }];
      }
      try {
        await this.primary.commit(batch);
        return;
      } catch (error) {
        if (!WriteConflict.is(error)) throw error;
        const reason = error.reason;
        if (reason.kind === 'duplicate-operation' && reason.operationId === this.marker(seq)) return;
        if (reason.kind === 'version') {
          const deleting = original.deleteSessions?.some((removal) => removal.id === reason.sessionId);
          if (deleting && reason.actualVersion === undefined) return; // already gone
          // The write that failed over may itself have reached the primary (its answer was lost).
          if (!this.redirects.has(reason.sessionId) && (await this.alreadyLanded(original))) return;
          // Changed on the primary by someone else during the outage: fork it and try again.
          const base = this.bases.get(reason.sessionId) ?? (await this.creationBase(original, reason.sessionId));
          await this.redirect(reason.sessionId, base, this.forkIdFor(reason.sessionId));
          continue;
        }
        throw error;
      }
    }
    throw new Error(`sessionloom fallback: journal entry ${seq} kept conflicting on replay.`);
  }

  /**
   * Did this batch reach the primary before the outage was noticed? A commit whose server died after
   * applying it fails over and is journaled with the same message ids and versions, so its messages
   * (or, for a batch without messages, its exact session record) are already there.
   */
  private async alreadyLanded(batch: WriteBatch): Promise<boolean> {
    const first = batch.messages?.[0];
    if (first) {
      const location = await this.primary.locateMessage(first.id);
      return location?.segmentId === first.segmentId && location.seq === first.seq;
    }
    const write = batch.sessions?.[0];
    if (!write) return false;
    const current = await this.primary.getSession(write.record.id);
    return current?.version === write.record.version && current.updatedAt === write.record.updatedAt;
  }

  /** For a session created while degraded (no seed): its base is its creation, with nothing before. */
  private async creationBase(batch: WriteBatch, sessionId: string): Promise<SessionRecord> {
    const created = batch.sessions?.find((write) => write.record.id === sessionId)?.record;
    if (!created) throw new Error(`sessionloom fallback: no base known for session "${sessionId}".`);
    return { ...created, headSegmentId: `none_${sessionId}`, messageCount: 0 };
  }

  /** The batch as it must land on the primary: conflicted sessions redirected to their forks. */
  private async rewrite(original: WriteBatch): Promise<WriteBatch> {
    const batch = structuredClone(original);
    // Checks protected the degraded writer against its own concurrency; on replay they only get in the way.
    delete batch.checks;
    if (this.redirects.size === 0) return batch;

    const sessions: NonNullable<WriteBatch['sessions']> = [];
    for (const write of batch.sessions ?? []) {
      const redirect = this.redirects.get(write.record.id);
      if (!redirect) {
        sessions.push({ record: this.rewriteReferences(write.record), expectedVersion: write.expectedVersion });
        continue;
      }
      const current = await this.primary.getSession(redirect.forkId);
      const record = this.toForkRecord(write.record, redirect, current);
      sessions.push({ record, expectedVersion: current?.version ?? 0 });
      if (!redirect.forkSegmentWritten && !(await this.primary.getSegment(redirect.forkSegmentId))) {
        batch.segments = [...(batch.segments ?? []), this.forkSegment(redirect)];
      }
      redirect.forkSegmentWritten = true;
    }
    batch.sessions = sessions;
    batch.segments = batch.segments?.map((segment) => this.rewriteSegment(segment));
    batch.messages = batch.messages?.map((message) => this.rewriteMessage(message));
    batch.operations = batch.operations?.map((operation) => ({ ...operation, sessionId: this.redirects.get(operation.sessionId)?.forkId ?? operation.sessionId }));
    batch.runs = batch.runs?.map((run) => ({ ...run, sessionId: this.redirects.get(run.sessionId)?.forkId ?? run.sessionId }));
    batch.checkpoints = batch.checkpoints?.map((checkpoint) => ({ ...checkpoint, sessionId: this.redirects.get(checkpoint.sessionId)?.forkId ?? checkpoint.sessionId }));
    const deletes: NonNullable<WriteBatch['deleteSessions']> = [];
    for (const removal of batch.deleteSessions ?? []) {
      const redirect = this.redirects.get(removal.id);
      if (!redirect) {
        deletes.push(removal);
        continue;
      }
      // Deleting the conflicted session would drop the other writer's work: delete only the fork.
      const fork = await this.primary.getSession(redirect.forkId);
      if (fork) deletes.push({ id: redirect.forkId, expectedVersion: fork.version });
    }
    batch.deleteSessions = deletes;
    return batch;
  }

  private forkSegment(redirect: Redirect): SegmentRecord {
    return {
      id: redirect.forkSegmentId,
      sessionId: redirect.forkId,
      parentId: redirect.base.headSegmentId,
      baseSeq: redirect.base.messageCount,
      createdAt: this.now(),
    };
  }

  /** Does `segmentId` at `seq` fall in what a redirected session appended past its base head? */
  private movedTo(segmentId: string | undefined, seq: number): Redirect | undefined {
    if (segmentId === undefined) return undefined;
    for (const redirect of this.redirects.values()) {
      if (redirect.base.headSegmentId === segmentId && seq > redirect.base.messageCount) return redirect;
    }
    return undefined;
  }

  private rewriteMessage(message: MessageRecord): MessageRecord {
    const redirect = this.movedTo(message.segmentId, message.seq);
    return redirect ? { ...message, segmentId: redirect.forkSegmentId } : message;
  }

  private rewriteSegment(segment: SegmentRecord): SegmentRecord {
    const moved = this.movedTo(segment.parentId, segment.baseSeq);
    const owner = this.redirects.get(segment.sessionId)?.forkId ?? segment.sessionId;
    return { ...segment, sessionId: owner, ...(moved ? { parentId: moved.forkSegmentId } : {}) };
  }

  /** A record whose head or parent points into a redirected session's moved messages follows them. */
  private rewriteReferences(record: SessionRecord): SessionRecord {
    const next = { ...record };
    const moved = this.movedTo(record.headSegmentId, record.messageCount);
    if (moved) next.headSegmentId = moved.forkSegmentId;
    if (record.parentId !== undefined) {
      const parent = this.redirects.get(record.parentId);
      if (parent) {
        next.parentId = parent.forkId;
        if (next.forkedFrom) next.forkedFrom = { ...next.forkedFrom, sessionId: parent.forkId };
      }
    }
    return next;
  }

  private toForkRecord(record: SessionRecord, redirect: Redirect, current: SessionRecord | undefined): SessionRecord {
    const rewritten = this.rewriteReferences(record);
    // The fork must never append into a segment the conflicted session owns on the primary.
    if (rewritten.headSegmentId === redirect.base.headSegmentId) rewritten.headSegmentId = redirect.forkSegmentId;
    const { parentId: _parentId, forkedFrom: _forkedFrom, ...rest } = rewritten;
    return {
      ...rest,
      id: redirect.forkId,
      ...(redirect.baseHeadMessageId === undefined
        ? {}
        : { parentId: record.id, forkedFrom: { sessionId: record.id, messageId: redirect.baseHeadMessageId } }),
      version: (current?.version ?? 0) + 1,
    };
  }
}
