/**
 * The overlay: what this process wrote while the primary was down, as a store (so reads see it and
 * compare-and-set still works), plus what it knows about where that data came from. The journal
 * holds the same writes in order; the overlay is rebuilt from it after a restart.
 *
 * Knowing the origin is what lets a degraded store answer whole questions instead of partial ones:
 * a session, segment or run *created* during the outage exists only here, so everything about it
 * (its segments, forks of its segments, operations, runs, events, checkpoints) is here too, and
 * what this process deleted of it is known to be gone. A session or run from before the outage is
 * only *seeded* here (its record as last seen); questions about the rest of it need the primary.
 */
import type { MessageRecord, SegmentRecord, SessionRecord, WriteBatch } from '../../driver/driver.js';
import { MemoryDriver } from '../memory.js';
import type { JournalPayload } from './journal.js';
import { OverlayFiles } from './overlay-files.js';

const EVERY_SEQ = Number.MAX_SAFE_INTEGER;

export class Overlay {
  /** Sessions, segments, messages, operations, runs and events written during the outage. Read them; change them only through `apply`, so the overlay is always what its journal says. */
  readonly records = new MemoryDriver();
  /** Checkpoints and blobs written during the outage: the same rule. */
  readonly files = new OverlayFiles();
  private readonly createdSessions = new Set<string>();
  private readonly createdSegments = new Set<string>();
  private readonly createdRuns = new Set<string>();
  /** Runs from before the outage written to during it: how many events they had then. */
  private readonly seededRuns = new Map<string, number>();
  /** The session of every run held here, so deleting a session can tell which runs went with it. */
  private readonly runSessions = new Map<string, string>();
  private readonly deletedSessions = new Set<string>();
  private readonly deletedSegments = new Set<string>();
  private readonly deletedMessages = new Set<string>();
  private readonly deletedRuns = new Set<string>();

  /** True when the session was created during the outage (and so everything about it is here), even if since deleted. */
  ownsSession(id: string): boolean {
    return this.createdSessions.has(id);
  }

  ownsSegment(id: string): boolean {
    return this.createdSegments.has(id);
  }

  ownsRun(id: string): boolean {
    return this.createdRuns.has(id);
  }

  /** For a run from before the outage: the events it had then (later ones are all here). */
  seededRunEvents(id: string): number | undefined {
    return this.seededRuns.get(id);
  }

  isDeletedSession(id: string): boolean {
    return this.deletedSessions.has(id);
  }

  isDeletedSegment(id: string): boolean {
    return this.deletedSegments.has(id);
  }

  isDeletedMessage(id: string): boolean {
    return this.deletedMessages.has(id);
  }

  isDeletedRun(id: string): boolean {
    return this.deletedRuns.has(id);
  }

  /**
   * Applies one journal entry: what a degraded write does, and what a restart does for each entry
   * left in the journal. Throws `WriteConflict` (having applied nothing) when a batch's condition
   * fails. `rebuilding` drops a batch's read checks: they guarded the writer against its own races
   * when it wrote, and the sessions they name need not have been seeded.
   */
  async apply(payload: JournalPayload, rebuilding = false): Promise<void> {
    switch (payload.kind) {
      case 'seed':
        return this.seed(payload.session, payload.segments);
      case 'seed-run':
        this.seededRuns.set(payload.run.id, payload.run.eventCount);
        return this.applyBatch({ runs: [payload.run] });
      case 'batch':
        return this.applyBatch(rebuilding ? { ...payload.batch, checks: [] } : payload.batch);
      case 'delete-segment':
        await this.deleteSegment(payload.segmentId);
        return;
      case 'delete-messages-after':
        await this.deleteMessagesAfter(payload.segmentId, payload.afterSeq);
        return;
      case 'collect-checkpoints':
        this.collectCheckpoints();
        return;
    }
  }

  /** Drops the checkpoints of messages deleted here, then blobs none held here uses (also what `apply` does for a collect entry). */
  collectCheckpoints(): { checkpoints: number; blobs: number } {
    return this.files.collect((messageId) => this.deletedMessages.has(messageId));
  }

  private async deleteSegment(segmentId: string): Promise<number> {
    const removed = await this.deleteMessagesAfter(segmentId, -1);
    await this.records.deleteSegment(segmentId);
    this.deletedSegments.add(segmentId);
    return removed;
  }

  private async deleteMessagesAfter(segmentId: string, afterSeq: number): Promise<number> {
    const doomed: MessageRecord[] = await this.records.readMessages(segmentId, { fromSeq: afterSeq + 1, toSeq: EVERY_SEQ, order: 'asc' });
    for (const message of doomed) this.deletedMessages.add(message.id);
    return this.records.deleteMessagesAfter(segmentId, afterSeq);
  }

  private async seed(session: SessionRecord, segments: SegmentRecord[]): Promise<void> {
    const fresh: SegmentRecord[] = [];
    // Two seeded sessions may share ancestors (a fork and its source): each segment is held once.
    for (const segment of segments) if (!(await this.records.getSegment(segment.id))) fresh.push(segment);
    this.records.commitNow({ sessions: [{ record: session, expectedVersion: 0 }], segments: fresh });
  }

  private applyBatch(batch: WriteBatch): void {
    const { blobs, checkpoints, ...records } = batch;
    const newRuns = (batch.runs ?? []).filter((run) => !this.runSessions.has(run.id));
    // Checks every condition before applying anything: a conflict leaves the overlay as it was.
    this.records.commitNow(records);
    this.files.apply(blobs, checkpoints);
    // What the batch tells about origins, in the order a commit applies it: deletions, then puts
    // (one batch may delete a session and create one with the same id; a freed message id may be used again).
    for (const { id } of batch.deleteSessions ?? []) this.forgetSession(id);
    for (const write of batch.sessions ?? []) {
      this.deletedSessions.delete(write.record.id);
      if (write.expectedVersion === 0) this.createdSessions.add(write.record.id);
    }
    for (const segment of batch.segments ?? []) {
      this.createdSegments.add(segment.id);
      this.deletedSegments.delete(segment.id);
    }
    for (const message of batch.messages ?? []) this.deletedMessages.delete(message.id);
    for (const run of newRuns) if (!this.seededRuns.has(run.id)) this.createdRuns.add(run.id);
    for (const run of batch.runs ?? []) {
      this.runSessions.set(run.id, run.sessionId);
      this.deletedRuns.delete(run.id);
    }
  }

  /** A deleted session's runs and operations went with it (as on any store); its segments stay until collected. */
  private forgetSession(id: string): void {
    this.deletedSessions.add(id);
    for (const [runId, sessionId] of this.runSessions) {
      if (sessionId !== id) continue;
      this.runSessions.delete(runId);
      this.deletedRuns.add(runId);
    }
  }
}
