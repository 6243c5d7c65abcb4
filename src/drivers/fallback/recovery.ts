/**
 * The recovery loop: while degraded, a probe every `probeIntervalMs` (or a call of `recover()`)
 * checks whether the primary answers, replays the journal to it (replay.ts), and returns to normal
 * mode. One recovery at a time; degraded writes go on during it (journaled behind what is being
 * replayed) and are held back only for its last few entries and the switch back.
 *
 * A primary that answers the probe with a configuration mistake (a bad URL, a missing client
 * library) will never come back by waiting: from then on the store refuses to serve (routing.ts)
 * instead of running degraded for ever, until a probe finds it fixed.
 */
import type { FallbackStatus, ReplayReport } from '../../driver/degradable.js';
import type { StorageDriver } from '../../driver/driver.js';
import type { Journal } from './journal.js';
import type { ResolvedFallbackOptions } from './options.js';
import type { Overlay } from './overlay.js';
import type { ReadCache } from './read-cache.js';
import { JournalReplay } from './replay.js';
import { isConfigurationMistake, type Outage } from './outage.js';
import type { SerialQueue } from './serial-queue.js';

const UNBOUNDED = Number.MAX_SAFE_INTEGER;
/** Replay rounds run while degraded writes go on, at most; then the rest with writes held back. */
const CATCH_UP_ROUNDS = 5;
/** A round that replayed no more than this leaves little behind it: the last round may hold writes back for it. */
const HELD_BACK_AT_MOST = 20;

export interface RecoveryParts {
  primary: StorageDriver;
  journal: Journal;
  cache: ReadCache;
  outage: Outage;
  queue: SerialQueue;
  /** The overlay now, and a way to start a new, empty one once the journal is replayed. */
  overlay: () => Overlay;
  resetOverlay: () => void;
  options: Pick<ResolvedFallbackOptions, 'clock' | 'onRecover' | 'onConflict' | 'probeIntervalMs'>;
}

export class Recovery {
  lastReplay: FallbackStatus['lastReplay'];
  private timer: NodeJS.Timeout | undefined;
  private replaying: Promise<ReplayReport> | undefined;
  private closed = false;

  constructor(private readonly parts: RecoveryParts) {}

  /** Replays the journal now if the primary answers; resolves with the report, or rejects (still degraded). */
  recover(): Promise<ReplayReport> {
    this.replaying ??= this.replay().finally(() => {
      this.replaying = undefined;
    });
    return this.replaying;
  }

  startProbing(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => {
      if (this.replaying) return;
      this.recover().catch(() => {
        // still down: the next probe tries again
      });
    }, this.parts.options.probeIntervalMs);
    this.timer.unref();
  }

  /** Stops probing, and waits for a replay under way to stop at its next entry (the rest replays when the journal is opened again). */
  async close(): Promise<void> {
    this.closed = true;
    this.stopProbing();
    await this.replaying?.catch(() => {});
  }

  private stopProbing(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async replay(): Promise<ReplayReport> {
    const { primary, journal, outage, queue, options } = this.parts;
    await this.probe();
    const replay = new JournalReplay(primary, journal.id, options.clock);
    const report: ReplayReport = { at: options.clock(), entries: 0, conflicts: replay.conflicts, renamed: replay.renamed };
    const replayPending = async () => {
      const landed = await replay.run(journal.entries(), (seq) => {
        journal.markReplayed(seq);
        if (this.closed) throw new Error('the fallback store was closed during the replay; the rest replays when it is opened again');
      });
      report.entries += landed;
      return landed;
    };
    try {
      // Most of the journal lands while degraded writes go on (into the journal, behind what is
      // replayed), so a long replay holds no caller back ...
      for (let round = 0; round < CATCH_UP_ROUNDS; round += 1) {
        if ((await replayPending()) <= HELD_BACK_AT_MOST) break;
      }
      // ... and the last few with writes held back, so none slips in between the last entry and the switch.
      return await queue.run(async () => {
        await replayPending();
        return this.finish(report);
      });
    } catch (error) {
      outage.noteError(error);
      this.lastReplay = { ...report, error: outage.lastError! };
      throw error;
    }
  }

  /** Cheap check first: no point replaying into a primary that does not answer. */
  private async probe(): Promise<void> {
    const { primary, outage } = this.parts;
    if (this.closed) throw new Error('the fallback store is closed');
    try {
      await primary.getSession('sessionloom-probe');
      outage.misconfiguration = undefined;
    } catch (error) {
      outage.noteError(error);
      if (isConfigurationMistake(error)) outage.misconfiguration = error;
      throw error;
    }
  }

  /** Every entry reached the primary: back to normal mode. */
  private async finish(report: ReplayReport): Promise<ReplayReport> {
    const { journal, outage, options } = this.parts;
    journal.clear();
    await this.rememberReplayed(new Set(report.conflicts.map((conflict) => conflict.sessionId)), report.renamed.length > 0);
    this.parts.resetOverlay();
    const wasDegraded = outage.degraded;
    outage.end();
    this.stopProbing();
    this.lastReplay = report;
    for (const conflict of report.conflicts) options.onConflict(conflict);
    if (wasDegraded) options.onRecover(report);
    return report;
  }

  /**
   * After a replay the primary holds what the overlay held, so the overlay's records are the latest
   * the cache can know, and a later outage seeds from them, not from pre-outage ones. A session
   * redirected to a fork is forgotten instead (the primary has the other writer's version), and so
   * is everything else when there were conflicts (the fork moved some messages). After a message
   * was renamed nothing is remembered: the overlay still holds it, and fork points at it, by the
   * id that is the other writer's on the primary.
   */
  private async rememberReplayed(redirected: Set<string>, renamed: boolean): Promise<void> {
    const { cache } = this.parts;
    const records = this.parts.overlay().records;
    const sessions = await records.listSessions({ orderBy: 'createdAt', order: 'asc', limit: UNBOUNDED });
    for (const record of sessions) {
      if (renamed || redirected.has(record.id)) cache.forgetSession(record.id);
      else cache.rememberSession(record);
    }
    if (renamed) return;
    if (redirected.size > 0) return;
    for (const record of sessions) {
      for (const segment of await records.listSegments({ sessionId: record.id })) {
        cache.rememberSegment(segment);
        cache.rememberMessages(await records.readMessages(segment.id, { fromSeq: 0, toSeq: UNBOUNDED, order: 'asc' }));
      }
    }
  }
}
