/**
 * The conflict rule of the replay. When a session the degraded writes changed was also changed on
 * the primary by someone else during the outage, neither side is dropped: the degraded writes
 * become a fork of it, a new session (its id derived from the journal and the session, so a
 * resumed replay finds the same one) whose path is the session's history up to where this process
 * last saw it, followed by what was written while degraded. Messages the degraded writes appended
 * to the session's shared head segment move to a new segment of the fork based at that point;
 * everything else keeps its ids.
 */
import { createHash } from 'node:crypto';
import type { MessageRecord, SegmentRecord, SessionRecord, StorageDriver, WriteBatch } from '../../driver/driver.js';
import type { ReplayConflict } from '../../driver/degradable.js';

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

export class ConflictForks {
  private readonly bases = new Map<string, SessionRecord>();
  private readonly redirects = new Map<string, Redirect>();
  readonly conflicts: ReplayConflict[] = [];

  constructor(
    private readonly primary: StorageDriver,
    private readonly journalId: string,
    private readonly now: () => number,
  ) {}

  isRedirected(sessionId: string): boolean {
    return this.redirects.has(sessionId);
  }

  /** A seed tells where the session stood; a fork from an earlier interrupted replay means it already conflicted. */
  async learnSeed(session: SessionRecord): Promise<void> {
    if (this.bases.has(session.id)) return;
    this.bases.set(session.id, session);
    if (await this.primary.getSession(this.forkIdFor(session.id))) await this.redirect(session.id, session);
  }

  /**
   * The sessions a batch creates (while degraded, so without a seed): their base is their creation.
   * Learnt from every batch of the journal, replayed ones too, so a replay resumed after one of them
   * became a fork knows it from the start, as the uninterrupted replay did, and reports it again.
   */
  async learnCreations(batch: WriteBatch): Promise<void> {
    for (const write of batch.sessions ?? []) {
      if (write.expectedVersion !== 0 || this.bases.has(write.record.id)) continue;
      await this.learnSeed(this.creationBase(batch, write.record.id));
    }
  }

  /**
   * A batch landed on the primary as sent: the sessions it wrote (not redirected) now stand there as
   * this process left them, and a conflict found later forks from there, not from the seed: what
   * already landed stays in place, and the fork continues it.
   */
  landed(batch: WriteBatch): void {
    for (const write of batch.sessions ?? []) {
      if (!this.redirects.has(write.record.id)) this.bases.set(write.record.id, write.record);
    }
  }

  /** From now on, the session's degraded writes go to its fork. */
  async fork(sessionId: string, batch: WriteBatch): Promise<void> {
    const base = this.bases.get(sessionId) ?? this.creationBase(batch, sessionId);
    await this.redirect(sessionId, base);
  }

  private forkIdFor(sessionId: string): string {
    const digest = createHash('sha256').update(`${this.journalId}\u0000${sessionId}`).digest('hex').slice(0, 24);
    return `fork_${digest}`;
  }

  private async redirect(sessionId: string, base: SessionRecord): Promise<void> {
    if (this.redirects.has(sessionId)) return;
    const forkId = this.forkIdFor(sessionId);
    const forkSegmentId = `seg_${createHash('sha256').update(`${forkId}\u0000segment`).digest('hex').slice(0, 24)}`;
    // A fork an earlier, interrupted replay made tells where it was based (its segment continues the base head).
    const forkSegment = await this.primary.getSegment(forkSegmentId);
    if (forkSegment?.parentId !== undefined) base = { ...base, headSegmentId: forkSegment.parentId, messageCount: forkSegment.baseSeq };
    const baseHeadMessageId = await this.messageAt(base.headSegmentId, base.messageCount);
    this.redirects.set(sessionId, {
      forkId,
      base,
      forkSegmentId,
      forkSegmentWritten: base.messageCount === 0,
      ...(baseHeadMessageId === undefined ? {} : { baseHeadMessageId }),
    });
    this.conflicts.push({ sessionId, forkId });
  }

  /** For a session created while degraded (no seed): its base is its creation, with nothing before. */
  private creationBase(batch: WriteBatch, sessionId: string): SessionRecord {
    const created = batch.sessions?.find((write) => write.record.id === sessionId)?.record;
    if (!created) throw new Error(`sessionloom fallback: no base known for session "${sessionId}".`);
    return { ...created, headSegmentId: `none_${sessionId}`, messageCount: 0 };
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

  /** The batch as it must land on the primary: conflicted sessions redirected to their forks. */
  async rewrite(original: WriteBatch): Promise<WriteBatch> {
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
      sessions.push({ record: this.toForkRecord(write.record, redirect, current), expectedVersion: current?.version ?? 0 });
      if (!redirect.forkSegmentWritten && !(await this.primary.getSegment(redirect.forkSegmentId))) {
        batch.segments = [...(batch.segments ?? []), this.forkSegment(redirect)];
      }
      redirect.forkSegmentWritten = true;
    }
    batch.sessions = sessions;
    batch.segments = batch.segments?.map((segment) => this.rewriteSegment(segment));
    batch.messages = batch.messages?.map((message) => this.rewriteMessage(message));
    const owner = (sessionId: string) => this.redirects.get(sessionId)?.forkId ?? sessionId;
    batch.operations = batch.operations?.map((operation) => ({ ...operation, sessionId: owner(operation.sessionId) }));
    batch.runs = batch.runs?.map((run) => ({ ...run, sessionId: owner(run.sessionId) }));
    batch.checkpoints = batch.checkpoints?.map((checkpoint) => ({ ...checkpoint, sessionId: owner(checkpoint.sessionId) }));
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
    return { ...segment, sessionId: this.redirects.get(segment.sessionId)?.forkId ?? segment.sessionId, ...(moved ? { parentId: moved.forkSegmentId } : {}) };
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
