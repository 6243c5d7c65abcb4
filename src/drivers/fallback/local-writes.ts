/**
 * Writes while the primary is down: applied to the overlay (so reads see them and compare-and-set
 * still works) and appended to the journal before the call returns. The caller serializes them
 * with replay, so a replay never interleaves with journal appends.
 *
 * A session or run from before the outage is seeded on its first degraded write: its record as
 * last seen goes to the journal first, the base the replay compares with. Deleting history from
 * before the outage waits for the primary (the history is there; deciding what a deletion may take
 * needs all of it); history written during the outage is deleted here and the deletion journaled.
 */
import { WriteConflict, type SegmentRecord, type WriteBatch } from '../../driver/driver.js';
import type { Journal, JournalPayload } from './journal.js';
import { notHeld, waitsForPrimary } from './not-held.js';
import type { Overlay } from './overlay.js';
import type { ReadCache } from './read-cache.js';

export class LocalWrites {
  constructor(
    private readonly store: string,
    private readonly overlay: () => Overlay,
    private readonly cache: ReadCache,
    private readonly journal: Journal,
    /** Rebuilds the overlay from the journal: the undo when a journal append failed after the overlay took the write. */
    private readonly rebuild: () => Promise<void>,
  ) {}

  async commit(batch: WriteBatch): Promise<void> {
    const overlay = this.overlay();
    for (const { id } of batch.deleteSessions ?? []) {
      if (!overlay.ownsSession(id)) waitsForPrimary(this.store, `deleting session "${id}", created before the outage,`);
    }
    for (const { record, expectedVersion } of batch.sessions ?? []) {
      // Creating a session this process saw on the primary just before the outage: it exists, as any store would say.
      const seen = expectedVersion === 0 && !(await overlay.records.getSession(record.id)) && !overlay.isDeletedSession(record.id) ? this.cache.session(record.id) : undefined;
      if (seen) throw new WriteConflict({ kind: 'version', sessionId: record.id, actualVersion: seen.version });
    }
    await this.seedSessions(batch);
    await this.seedRuns(batch);
    await this.record({ kind: 'batch', batch });
    // Everything above is synchronous work: without a real yield, a caller appending in a loop would
    // starve timers (the recovery probe) and I/O callbacks for as long as the outage lasts.
    await new Promise((resolve) => setImmediate(resolve));
  }

  async deleteSegment(segmentId: string): Promise<number> {
    const overlay = this.overlay();
    if (overlay.isDeletedSegment(segmentId)) return 0;
    if (!overlay.ownsSegment(segmentId)) return waitsForPrimary(this.store, `retention of segment "${segmentId}", written before the outage,`);
    const removed = (await overlay.records.readMessages(segmentId, { fromSeq: 0, toSeq: Number.MAX_SAFE_INTEGER, order: 'asc' })).length;
    await this.record({ kind: 'delete-segment', segmentId });
    return removed;
  }

  async deleteMessagesAfter(segmentId: string, afterSeq: number): Promise<number> {
    const overlay = this.overlay();
    if (overlay.isDeletedSegment(segmentId)) return 0;
    if (!overlay.ownsSegment(segmentId)) return waitsForPrimary(this.store, `retention of segment "${segmentId}", written before the outage,`);
    const removed = (await overlay.records.readMessages(segmentId, { fromSeq: afterSeq + 1, toSeq: Number.MAX_SAFE_INTEGER, order: 'asc' })).length;
    if (removed > 0) await this.record({ kind: 'delete-messages-after', segmentId, afterSeq });
    return removed;
  }

  /** Collects what the outage's own deletions freed here, and journals the collection for the primary, where the rest is. */
  async collectCheckpoints(): Promise<{ checkpoints: number; blobs: number }> {
    const collected = this.overlay().collectCheckpoints();
    await this.journalOrUndo({ kind: 'collect-checkpoints' });
    return collected;
  }

  /** Applies the entry to the overlay, then journals it. */
  private async record(payload: JournalPayload): Promise<void> {
    await this.overlay().apply(payload); // throws WriteConflict like any driver, having changed nothing
    await this.journalOrUndo(payload);
  }

  /** Journals an entry the overlay already applied; when the append fails (a full disk), the overlay goes back to what the journal holds. */
  private async journalOrUndo(payload: JournalPayload): Promise<void> {
    try {
      this.journal.append(payload);
    } catch (error) {
      await this.rebuild();
      throw error;
    }
  }

  /** Journals the last-seen state of every pre-outage session the batch touches, once per outage. */
  private async seedSessions(batch: WriteBatch): Promise<void> {
    const overlay = this.overlay();
    const touched = [
      ...(batch.sessions ?? []).filter((write) => write.expectedVersion !== 0).map((write) => write.record.id),
      ...(batch.checks ?? []).map((check) => check.id),
    ];
    for (const id of new Set(touched)) {
      if (overlay.isDeletedSession(id) || (await overlay.records.getSession(id))) continue;
      const known = this.cache.session(id) ?? notHeld(this.store, `session "${id}"`);
      await this.record({ kind: 'seed', session: known, segments: this.knownChain(known.headSegmentId) });
    }
  }

  /** Journals the last-seen state of every pre-outage run the batch writes to. */
  private async seedRuns(batch: WriteBatch): Promise<void> {
    const overlay = this.overlay();
    for (const run of batch.runs ?? []) {
      if (overlay.ownsRun(run.id) || overlay.seededRunEvents(run.id) !== undefined || (await overlay.records.getRun(run.id))) continue;
      const known = this.cache.run(run.id);
      // Not seen before: a run started during the outage.
      if (known) await this.record({ kind: 'seed-run', run: known });
    }
  }

  private knownChain(segmentId: string): SegmentRecord[] {
    const chain: SegmentRecord[] = [];
    let segment = this.cache.segment(segmentId);
    while (segment) {
      chain.push(segment);
      segment = segment.parentId === undefined ? undefined : this.cache.segment(segment.parentId);
    }
    return chain;
  }
}
