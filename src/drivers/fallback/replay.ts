/**
 * Replaying the journal to the primary, in order, exactly once.
 *
 * Exactly once: every replayed batch carries a marker operation record
 * (`replay.<journal>.<entry>`); a batch whose compare-and-set fails is first checked for its marker,
 * so a replay interrupted halfway (the primary went down again, the process was killed) can simply
 * run again. Entries are also marked replayed in the journal as they land. Deletions and collection
 * need no marker: they are idempotent.
 *
 * Conflicts (a session changed on both sides) are resolved by replay-forks.ts.
 */
import {
  supportsCheckpoints,
  WriteConflict,
  type StorageDriver,
  type WriteBatch,
} from '../../driver/driver.js';
import type { JournalEntry, JournalPayload } from './journal.js';
import { replayMarkerId } from '../../driver/degradable.js';
import { ConflictForks } from './replay-forks.js';
import { MessageRenames } from './replay-renames.js';

export type { ReplayConflict, ReplayRename, ReplayReport } from '../../driver/degradable.js';

const ATTEMPTS_PER_ENTRY = 3;

export class JournalReplay {
  private readonly forks: ConflictForks;
  private readonly renames: MessageRenames;
  /** Entries this replay has landed or learnt from. */
  private readonly done = new Set<number>();

  constructor(
    private readonly primary: StorageDriver,
    private readonly journalId: string,
    private readonly now: () => number,
  ) {
    this.forks = new ConflictForks(primary, journalId, now);
    this.renames = new MessageRenames(primary, journalId);
  }

  /** Sessions whose degraded writes became forks, so far. */
  get conflicts() {
    return this.forks.conflicts;
  }

  /** Degraded messages that landed under a new id, so far. */
  get renamed() {
    return this.renames.renamed;
  }

  /** Replays every entry not yet replayed; `onReplayed` is called after each one lands. Returns how many landed. */
  async run(entries: JournalEntry[], onReplayed: (seq: number) => void): Promise<number> {
    let replayed = 0;
    for (const entry of entries) {
      // The catch-up rounds of one recovery go through the journal again: what this replay already
      // learnt from an entry it needs not ask the primary again.
      if (this.done.has(entry.seq)) continue;
      if (entry.payload.kind === 'seed') {
        await this.forks.learnSeed(entry.payload.session);
      } else {
        if (entry.payload.kind === 'batch') await this.forks.learnCreations(entry.payload.batch);
        if (entry.replayed) {
          // Landed in an earlier, interrupted replay: later entries must still follow its renames.
          if (entry.payload.kind === 'batch') {
            await this.renames.learn(entry.payload.batch);
            this.forks.landed(entry.payload.batch);
          }
        } else if (entry.payload.kind !== 'seed-run') {
          await this.replayEntry(entry.seq, entry.payload);
          onReplayed(entry.seq);
          replayed += 1;
        }
      }
      this.done.add(entry.seq);
    }
    return replayed;
  }

  private async replayEntry(seq: number, payload: Exclude<JournalPayload, { kind: 'seed' | 'seed-run' }>): Promise<void> {
    switch (payload.kind) {
      case 'batch':
        return this.replayBatch(seq, payload.batch);
      case 'delete-segment':
        await this.primary.deleteSegment(payload.segmentId);
        return;
      case 'delete-messages-after':
        await this.primary.deleteMessagesAfter(payload.segmentId, payload.afterSeq);
        return;
      case 'collect-checkpoints':
        if (supportsCheckpoints(this.primary)) await this.primary.collectCheckpoints();
        return;
    }
  }

  private marker(seq: number): string {
    return replayMarkerId(this.journalId, seq);
  }

  private async replayBatch(seq: number, original: WriteBatch): Promise<void> {
    for (let attempt = 0; attempt < ATTEMPTS_PER_ENTRY; attempt += 1) {
      const batch = this.renames.apply(await this.forks.rewrite(original));
      const markerSession = batch.sessions?.[0]?.record.id;
      if (markerSession !== undefined) {
        if (await this.primary.getOperation(markerSession, this.marker(seq))) {
          await this.renames.learn(original); // landed before an interruption, perhaps renamed
          this.forks.landed(batch);
          return;
        }
        batch.operations = [...(batch.operations ?? []), { sessionId: markerSession, operationId: this.marker(seq), messageIds: [], createdAt: this.now() }];
      }
      try {
        await this.primary.commit(batch);
        this.forks.landed(batch);
        return;
      } catch (error) {
        if (!WriteConflict.is(error)) throw error;
        const reason = error.reason;
        if (reason.kind === 'duplicate-operation' && reason.operationId === this.marker(seq)) return;
        if (reason.kind === 'duplicate-message') {
          // The write that failed over may have reached the primary itself; otherwise another
          // writer took the id meanwhile: the degraded message lands under a new one.
          if (await this.alreadyLanded(original)) return;
          if ((await this.renames.renameTaken(original, batch)) === 0) throw error;
          attempt -= 1; // not a failed attempt: the taken ids of the batch are renamed all at once
          continue;
        }
        const sessionId = reason.sessionId;
        const deleting = original.deleteSessions?.some((removal) => removal.id === sessionId);
        if (reason.kind === 'version' && deleting && reason.actualVersion === undefined) return; // already gone
        if (this.forks.isRedirected(sessionId)) throw error;
        // The write that failed over may itself have reached the primary (its answer was lost).
        if (await this.alreadyLanded(original)) return;
        // Changed on the primary by someone else during the outage (for an operation record: the
        // primary recorded that operation id meanwhile, so appending again would write it twice):
        // the degraded writes become a fork, and the batch is tried again.
        await this.forks.fork(sessionId, original);
        continue;
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
}
