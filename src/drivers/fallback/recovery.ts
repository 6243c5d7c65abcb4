/**
 * The recovery loop: while degraded, a probe every `probeIntervalMs` (or a call of `recover()`)
 * checks whether the primary answers, replays the journal to it (replay.ts), and returns to normal
 * mode. One recovery at a time, queued with degraded writes so none lands mid-replay.
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
import { isConfigurationMistake, type Outage, type SerialQueue } from './routing.js';

const UNBOUNDED = Number.MAX_SAFE_INTEGER;

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
    this.replaying ??= this.parts.queue.run(() => this.replay()).finally(() => {
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

  close(): void {
    this.closed = true;
    this.stopProbing();
  }

  private stopProbing(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async replay(): Promise<ReplayReport> {
    const { primary, journal, outage, options } = this.parts;
    if (this.closed) throw new Error('the fallback store is closed');
    // Cheap check first: no point replaying into a primary that does not answer.
    try {
      await primary.getSession('sessionloom-probe');
      outage.misconfiguration = undefined;
    } catch (error) {
      outage.noteError(error);
      if (isConfigurationMistake(error)) outage.misconfiguration = error;
      throw error;
    }
    const replay = new JournalReplay(primary, journal.id, options.clock);
    const report: ReplayReport = { at: options.clock(), entries: 0, conflicts: replay.conflicts };
    try {
      report.entries = await replay.run(journal.entries(), (seq) => journal.markReplayed(seq));
    } catch (error) {
      outage.noteError(error);
      this.lastReplay = { ...report, error: outage.lastError! };
      throw error;
    }
    journal.clear();
    await this.rememberReplayed(new Set(report.conflicts.map((conflict) => conflict.sessionId)));
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
   * is everything else when there were conflicts (the fork moved some messages).
   */
  private async rememberReplayed(redirected: Set<string>): Promise<void> {
    const { cache } = this.parts;
    const records = this.parts.overlay().records;
    const sessions = await records.listSessions({ orderBy: 'createdAt', order: 'asc', limit: UNBOUNDED });
    for (const record of sessions) {
      if (redirected.has(record.id)) cache.forgetSession(record.id);
      else cache.rememberSession(record);
    }
    if (redirected.size > 0) return;
    for (const record of sessions) {
      for (const segment of await records.listSegments({ sessionId: record.id })) {
        cache.rememberSegment(segment);
        cache.rememberMessages(await records.readMessages(segment.id, { fromSeq: 0, toSeq: UNBOUNDED, order: 'asc' }));
      }
    }
  }
}
