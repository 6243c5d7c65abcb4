/**
 * The fallback: driver middleware over a primary driver (like the deadline and lazy wrappers) that
 * keeps serving while the primary is down and loses nothing written meanwhile. It is assembled
 * from parts with one job each:
 *
 * - routing.ts: each call goes to the primary while it answers, to the local side during an outage
 *   (outage.ts: whether one is under way; serial-queue.ts: degraded writes one at a time);
 * - read-cache.ts: what was seen of the primary, for sessions in use when the outage starts;
 * - overlay.ts: what was written during the outage, and what is known about where it came from;
 * - local-reads.ts, local-writes.ts: the local side (reads whole or refused; writes journaled);
 * - journal.ts (SQLite or memory): the durable, ordered log of those writes;
 * - recovery.ts: the probe that notices the primary is back and replays the journal (replay.ts,
 *   exactly once, with the conflict rule of replay-forks.ts).
 *
 * When the process restarts with a journal still holding entries, it starts degraded and replays
 * them first, so the order of writes on the primary is kept. Its capabilities are the primary's.
 */
import { withDeadline } from '../../driver/deadline.js';
import type { DegradableDriver, FallbackStatus, ReplayReport } from '../../driver/degradable.js';
import { driverMethods, type CheckpointStorage, type DriverCapabilities, type StorageDriver } from '../../driver/driver.js';
import type { Journal } from './journal.js';
import { LocalReads } from './local-reads.js';
import { LocalWrites } from './local-writes.js';
import { openJournal } from './open-journal.js';
import { resolveFallbackOptions, type FallbackOptions } from './options.js';
import { notHeld } from './not-held.js';
import { Overlay } from './overlay.js';
import { ReadCache } from './read-cache.js';
import { Recovery } from './recovery.js';
import { Outage } from './outage.js';
import { Router, type DriverCalls } from './routing.js';
import { SerialQueue } from './serial-queue.js';

export type { FallbackOptions } from './options.js';
export type { FallbackStatus } from '../../driver/degradable.js';

// The driver methods are assigned per the primary's capabilities in the constructor, from the
// compiler-checked method table, so a method added to the contract cannot be missed here.
export interface FallbackDriver extends DriverCalls {}

export class FallbackDriver implements DegradableDriver, CheckpointStorage {
  readonly name: string;
  readonly capabilities: DriverCapabilities;
  /** The primary's: where the data lives. */
  readonly location?: string;
  /** The primary's local files and the journal's directory (a workspace must never hold them). */
  readonly localPaths: readonly string[];
  private readonly primary: StorageDriver;
  private readonly journal: Journal;
  private readonly outage: Outage;
  private readonly recovery: Recovery;
  private readonly queue = new SerialQueue();
  private overlay = new Overlay();
  private ready: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(primary: StorageDriver, options: FallbackOptions = {}) {
    const resolved = resolveFallbackOptions(options);
    this.name = primary.name;
    this.capabilities = { ...primary.capabilities, search: false }; // see routing.ts
    if (primary.location !== undefined) this.location = primary.location;
    this.primary = withDeadline(primary, resolved.primaryDeadlineMs);
    const cache = new ReadCache({ sessions: resolved.cacheSessions, messagesPerSegment: resolved.cacheMessagesPerSegment });
    this.journal = openJournal(resolved.journal, primary);
    this.localPaths = [...(primary.localPaths ?? []), ...(this.journal.directory === undefined ? [] : [this.journal.directory])];
    this.outage = new Outage(resolved.clock, resolved.onFallback, () => this.recovery.startProbing());
    this.recovery = new Recovery({
      primary: this.primary,
      journal: this.journal,
      cache,
      outage: this.outage,
      queue: this.queue,
      overlay: () => this.overlay,
      resetOverlay: () => {
        this.overlay = new Overlay();
      },
      options: resolved,
    });

    const overlay = () => this.overlay;
    const reads = new LocalReads(this.name, overlay, cache);
    const writes = new LocalWrites(this.name, overlay, cache, this.journal, () => this.rebuildOverlay());
    const local: DriverCalls = {
      getSession: (id) => reads.getSession(id),
      listSessions: (query) => reads.listSessions(query),
      getSegment: (id) => reads.getSegment(id),
      listSegments: (where) => reads.listSegments(where),
      readMessages: (segmentId, range) => reads.readMessages(segmentId, range),
      locateMessage: (messageId) => reads.locateMessage(messageId),
      getOperation: (sessionId, operationId) => reads.getOperation(sessionId, operationId),
      listOperations: (sessionId) => reads.listOperations(sessionId),
      getRun: (id) => reads.getRun(id),
      listRuns: (sessionId) => reads.listRuns(sessionId),
      readRunEvents: (runId, range) => reads.readRunEvents(runId, range),
      getBlob: (hash) => reads.getBlob(hash),
      missingBlobs: (hashes) => reads.missingBlobs(hashes),
      getCheckpoint: (messageId) => reads.getCheckpoint(messageId),
      listCheckpoints: (sessionId) => reads.listCheckpoints(sessionId),
      commit: (batch) => writes.commit(batch),
      deleteSegment: (segmentId) => writes.deleteSegment(segmentId),
      deleteMessagesAfter: (segmentId, afterSeq) => writes.deleteMessagesAfter(segmentId, afterSeq),
      collectCheckpoints: () => writes.collectCheckpoints(),
      // Run signals travel through the primary only: while it is away nothing is signaled, and a
      // watch fails, so followers poll until it is back.
      signalRun: async () => {},
      watchRun: async () => notHeld(this.name, 'run signals'),
    };
    const router = new Router(this.primary, local, cache, this.outage, this.queue, () => this.ready);
    const methods = this as unknown as Record<string, unknown>;
    for (const method of driverMethods(this.capabilities)) {
      if (method !== 'close' && method !== 'searchMessages') methods[method] = (...args: unknown[]) => router.call(method, args);
    }

    if (this.journal.size() > 0) {
      // A journal left by an earlier run of this process: serve from it, and replay it (now, and on
      // every probe) before anything new reaches the primary.
      this.ready = this.rebuildOverlay();
      this.outage.enter(new Error('unreplayed journal entries from an earlier run'), false);
      this.recover().catch(() => {});
    }
  }

  /** True while serving from the journal because the primary is down. */
  isDegraded(): boolean {
    return this.outage.degraded;
  }

  status(): FallbackStatus {
    const { since, lastError } = this.outage;
    const lastReplay = this.recovery.lastReplay;
    return {
      degraded: this.isDegraded(),
      ...(since === undefined ? {} : { since }),
      ...(lastError === undefined ? {} : { lastError }),
      journalLength: this.closed ? 0 : this.journal.size(),
      journalLocation: this.journal.location,
      ...(lastReplay === undefined ? {} : { lastReplay }),
    };
  }

  /** Replays the journal now if the primary answers; resolves with the report, or rejects (still degraded). */
  recover(): Promise<ReplayReport> {
    return this.ready.then(() => this.recovery.recover());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.recovery.close();
    await this.queue.drained();
    this.journal.close();
    await this.primary.close();
  }

  /** The overlay as the journal has it: after a restart, and to undo a write the journal failed to take. */
  private async rebuildOverlay(): Promise<void> {
    const fresh = new Overlay();
    for (const entry of this.journal.entries()) {
      // Applied in the journal's order, the batches meet the same versions they met when first written.
      await fresh.apply(entry.payload, true);
    }
    this.overlay = fresh;
  }
}
