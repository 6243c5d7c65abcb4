/**
 * The fallback driver: every call goes to the primary; when the primary is unavailable
 * (`StoreUnavailableError`: refused, down, past its deadline), calls are served locally until it
 * is back, and nothing written meanwhile is lost.
 *
 * While degraded:
 * - writes are applied to an in-memory overlay (so reads see them, and compare-and-set still
 *   works) and appended, in order, to a durable journal before the call returns;
 * - a session used shortly before the outage is available from a bounded read cache: the first
 *   degraded write to it journals a *seed* (its record as last seen), the base the replay compares to;
 * - reads merge the overlay and the cache; a read that needs history neither holds (older than the
 *   cached window) fails with `StoreUnavailableError` rather than returning a partial answer.
 *   `list` answers from what this process knows, which may be incomplete.
 * A probe (every `probeIntervalMs`) or `recover()` replays the journal to the primary (see
 * replay.ts for exactly-once and conflicts), then returns to normal mode and fires `onRecover`.
 * When the process restarts with a journal still holding entries, it starts degraded and replays
 * them first, so the order of writes on the primary is kept.
 */
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_DEADLINE_MS, withDeadline } from '../../driver/deadline.js';
import type {
  CheckpointRecord,
  CheckpointStorage,
  DriverCapabilities,
  MessageRecord,
  OperationRecord,
  RunEventRecord,
  RunRecord,
  SegmentRecord,
  SessionQuery,
  SessionRecord,
  StorageDriver,
  WriteBatch,
} from '../../driver/driver.js';
import { compareForQuery, isAfterCursor, matchesQuery } from '../../driver/query-match.js';
import { StoreUnavailableError } from '../../errors.js';
import { MemoryDriver } from '../memory.js';
import { MemoryJournal, SqliteJournal, type Journal } from './journal.js';
import type { DegradableDriver, FallbackStatus } from '../../driver/degradable.js';
import { ReadCache } from './read-cache.js';
import { JournalReplay, type ReplayConflict, type ReplayReport } from './replay.js';

export interface FallbackOptions {
  /** Where degraded writes are journaled: an SQLite journal in `directory` (default: under the OS temp dir), or `memory` (lost if the process dies). */
  fallback?: 'sqlite' | 'memory' | { directory: string };
  /** Called once per outage, with the error that started it. */
  onFallback?: (error: unknown) => void;
  /** Called when the journal has been replayed and the primary serves again. */
  onRecover?: (report: ReplayReport) => void;
  /** Called for each session whose degraded writes became a fork because it changed on both sides. */
  onConflict?: (conflict: ReplayConflict) => void;
  /** How often to check whether the primary is back (default 1000 ms). */
  probeIntervalMs?: number;
  /** Deadline for each primary call before falling back (default: the store's deadline, 10 s). */
  primaryDeadlineMs?: number;
  /** Sessions remembered for reads during an outage (default 1000), and newest messages per segment (default 200). */
  cacheSessions?: number;
  cacheMessagesPerSegment?: number;
  clock?: () => number;
}

export type { FallbackStatus } from '../../driver/degradable.js';

const UNBOUNDED = Number.MAX_SAFE_INTEGER;

export class FallbackDriver implements DegradableDriver, CheckpointStorage {
  readonly name: string;
  readonly capabilities: DriverCapabilities;
  /** The primary's: where the data lives. */
  readonly location?: string;
  /** The primary's local files and the journal's directory (a workspace must never hold them). */
  readonly localPaths: readonly string[];
  private readonly primary: StorageDriver;
  private readonly journal: Journal;
  private readonly cache: ReadCache;
  private overlay = new MemoryDriver();
  private degradedSince: number | undefined;
  private lastError: string | undefined;
  private lastReplay: FallbackStatus['lastReplay'];
  private probeTimer: NodeJS.Timeout | undefined;
  private replaying: Promise<ReplayReport> | undefined;
  /** Serializes degraded writes and replay, so a replay never interleaves with journal appends. */
  private writeQueue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly now: () => number;

  constructor(primary: StorageDriver, private readonly options: FallbackOptions = {}) {
    this.name = primary.name;
    this.capabilities = primary.capabilities;
    this.primary = withDeadline(primary, options.primaryDeadlineMs ?? DEFAULT_DEADLINE_MS);
    this.now = options.clock ?? Date.now;
    this.cache = new ReadCache({ sessions: options.cacheSessions ?? 1000, messagesPerSegment: options.cacheMessagesPerSegment ?? 200 });
    const fallback = options.fallback ?? 'sqlite';
    this.journal =
      fallback === 'memory'
        ? new MemoryJournal()
        : SqliteJournal.open(fallback === 'sqlite' ? defaultJournalDirectory(primary) : fallback.directory);
    if (primary.location !== undefined) this.location = primary.location;
    this.localPaths = [...(primary.localPaths ?? []), ...(this.journal instanceof SqliteJournal ? [dirname(this.journal.location)] : [])];
    if (this.journal.size() > 0) {
      // A journal left by an earlier run of this process: serve from it and replay it before anything new reaches the primary.
      this.rebuildOverlay();
      this.enterDegraded(new Error('unreplayed journal entries from an earlier run'), false);
    }
  }

  isDegraded(): boolean {
    return this.degradedSince !== undefined;
  }

  status(): FallbackStatus {
    return {
      degraded: this.isDegraded(),
      ...(this.degradedSince === undefined ? {} : { since: this.degradedSince }),
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      journalLength: this.journal.size(),
      journalLocation: this.journal.location,
      ...(this.lastReplay === undefined ? {} : { lastReplay: this.lastReplay }),
    };
  }

  /** Replays the journal now if the primary answers; resolves with the report, or rejects (still degraded). */
  recover(): Promise<ReplayReport> {
    this.replaying ??= this.serialized(() => this.replay()).finally(() => {
      this.replaying = undefined;
    });
    return this.replaying;
  }

  // Reads ----------------------------------------------------------------------------------------

  async getSession(id: string): Promise<SessionRecord | undefined> {
    return this.route(
      async () => {
        const record = await this.primary.getSession(id);
        if (record) this.cache.rememberSession(record);
        else this.cache.forgetSession(id);
        return record;
      },
      async () => (await this.overlay.getSession(id)) ?? this.cache.session(id) ?? this.unknown(`session "${id}"`),
    );
  }

  async listSessions(query: SessionQuery): Promise<SessionRecord[]> {
    return this.route(
      async () => {
        const records = await this.primary.listSessions(query);
        for (const record of records) this.cache.rememberSession(record);
        return records;
      },
      async () => {
        const overlaid = await this.overlay.listSessions({ ...query, limit: UNBOUNDED });
        const known = new Map(this.cache.allSessions().map((record) => [record.id, record]));
        for (const record of await this.overlay.listSessions({ orderBy: 'createdAt', order: 'asc', limit: UNBOUNDED })) known.delete(record.id);
        const cached = [...known.values()].filter((record) => matchesQuery(record, query) && isAfterCursor(record, query));
        return [...overlaid, ...cached].sort((left, right) => compareForQuery(left, right, query)).slice(0, query.limit);
      },
    );
  }

  async getSegment(id: string): Promise<SegmentRecord | undefined> {
    return this.route(
      async () => {
        const segment = await this.primary.getSegment(id);
        if (segment) this.cache.rememberSegment(segment);
        return segment;
      },
      async () => (await this.overlay.getSegment(id)) ?? this.cache.segment(id) ?? this.unknown(`segment "${id}"`),
    );
  }

  async listSegments(where: { sessionId: string } | { parentId: string }): Promise<SegmentRecord[]> {
    return this.route(
      () => this.primary.listSegments(where),
      async () => {
        const overlaid = await this.overlay.listSegments(where);
        const seen = new Set(overlaid.map((segment) => segment.id));
        const cached = this.cache
          .allSegments()
          .filter((segment) => !seen.has(segment.id) && ('sessionId' in where ? segment.sessionId === where.sessionId : segment.parentId === where.parentId));
        return [...cached, ...overlaid];
      },
    );
  }

  async readMessages(segmentId: string, range: { fromSeq: number; toSeq: number; order: 'asc' | 'desc'; limit?: number }): Promise<MessageRecord[]> {
    return this.route(
      async () => {
        const rows = await this.primary.readMessages(segmentId, range);
        this.cache.rememberMessages(rows);
        return rows;
      },
      async () => this.readMessagesDegraded(segmentId, range),
    );
  }

  async locateMessage(messageId: string): Promise<{ segmentId: string; seq: number } | undefined> {
    return this.route(
      () => this.primary.locateMessage(messageId),
      async () => (await this.overlay.locateMessage(messageId)) ?? this.cache.location(messageId) ?? this.unknown(`message "${messageId}"`),
    );
  }

  async getOperation(sessionId: string, operationId: string): Promise<OperationRecord | undefined> {
    return this.route(
      () => this.primary.getOperation(sessionId, operationId),
      () => this.overlay.getOperation(sessionId, operationId),
    );
  }

  async listOperations(sessionId: string): Promise<OperationRecord[]> {
    return this.route(
      () => {
        const primary = this.primary;
        if (!primary.listOperations) throw new Error(`the ${this.name} store does not list operations`);
        return primary.listOperations(sessionId);
      },
      () => this.unknown(`the operation records of session "${sessionId}"`),
    );
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    return this.route(
      async () => {
        const run = await this.primaryRuns().getRun(id);
        if (run) this.cache.rememberRun(run);
        return run;
      },
      async () => (await this.overlay.getRun(id)) ?? this.cache.run(id) ?? this.unknown(`run "${id}"`),
    );
  }

  async listRuns(sessionId: string): Promise<RunRecord[]> {
    return this.route(
      () => this.primaryRuns().listRuns(sessionId),
      async () => {
        const overlaid = await this.overlay.listRuns(sessionId);
        const seen = new Set(overlaid.map((run) => run.id));
        const cached = this.cache.allRuns().filter((run) => run.sessionId === sessionId && !seen.has(run.id));
        return [...cached, ...overlaid].sort((left, right) => left.startedAt - right.startedAt);
      },
    );
  }

  async readRunEvents(runId: string, range: { afterSeq: number; limit?: number }): Promise<RunEventRecord[]> {
    return this.route(
      () => this.primaryRuns().readRunEvents(runId, range),
      async () => {
        if (!(await this.overlay.getRun(runId))) return this.unknown(`the events of run "${runId}"`);
        return this.overlay.readRunEvents(runId, range);
      },
    );
  }

  // File checkpoints ------------------------------------------------------------------------------
  // While degraded, checkpoints taken during the outage (and their blobs) live in the overlay and the
  // journal like any write; older ones are the primary's, so asking for them is "unavailable", and a
  // new checkpoint then records the whole workspace instead of a delta on one it cannot read.

  async getBlob(hash: string): Promise<Uint8Array | undefined> {
    return this.route(
      () => this.primaryCheckpoints().getBlob(hash),
      async () => (await this.overlay.getBlob(hash)) ?? this.unknown(`file content ${hash.slice(0, 12)}`),
    );
  }

  async missingBlobs(hashes: string[]): Promise<string[]> {
    // Degraded: whatever this process has not stored during the outage is sent again (storing a blob
    // twice is harmless: the same hash is the same bytes, and the replay skips it).
    return this.route(
      () => this.primaryCheckpoints().missingBlobs(hashes),
      () => this.overlay.missingBlobs(hashes),
    );
  }

  async getCheckpoint(messageId: string): Promise<CheckpointRecord | undefined> {
    return this.route(
      () => this.primaryCheckpoints().getCheckpoint(messageId),
      async () => {
        const record = await this.overlay.getCheckpoint(messageId);
        if (record) return record;
        // A message written during the outage has no checkpoint on the primary either.
        if (await this.overlay.locateMessage(messageId)) return undefined;
        return this.unknown(`the file checkpoint of message "${messageId}"`);
      },
    );
  }

  async listCheckpoints(sessionId: string): Promise<CheckpointRecord[]> {
    return this.route(
      () => this.primaryCheckpoints().listCheckpoints(sessionId),
      () => this.unknown(`the file checkpoints of session "${sessionId}"`),
    );
  }

  async collectCheckpoints(): Promise<{ checkpoints: number; blobs: number }> {
    if (this.isDegraded()) return this.unknown('retention (collecting checkpoints)');
    return this.guard(() => this.primaryCheckpoints().collectCheckpoints());
  }

  // Writes ---------------------------------------------------------------------------------------

  async commit(batch: WriteBatch): Promise<void> {
    if (!this.isDegraded() && (await this.commitToPrimary(batch))) return;
    await this.serialized(async () => {
      // Queued behind a replay that has since brought the primary back: the write goes there, not
      // into a journal nobody would replay.
      if (!this.isDegraded() && (await this.commitToPrimary(batch))) return;
      await this.commitDegraded(batch);
    });
  }

  /** True when the primary took the batch; false when it is unavailable (now degraded). */
  private async commitToPrimary(batch: WriteBatch): Promise<boolean> {
    try {
      await this.primary.commit(batch);
      this.rememberBatch(batch);
      return true;
    } catch (error) {
      if (!StoreUnavailableError.isInstance(error)) throw error;
      this.enterDegraded(error);
      return false;
    }
  }

  async deleteMessagesAfter(segmentId: string, afterSeq: number): Promise<number> {
    // Retention can wait for the primary; a degraded store never deletes history.
    if (this.isDegraded()) return this.unknown('retention (deleting history)');
    return this.guard(() => this.primary.deleteMessagesAfter(segmentId, afterSeq));
  }

  async deleteSegment(segmentId: string): Promise<number> {
    if (this.isDegraded()) return this.unknown('retention (deleting history)');
    return this.guard(() => this.primary.deleteSegment(segmentId));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopProbe();
    await this.writeQueue.catch(() => {});
    this.journal.close();
    await this.primary.close();
  }

  // Internals ------------------------------------------------------------------------------------

  /** Runs `healthy` on the primary unless degraded; a primary outage switches to degraded and answers with `degraded`. */
  private async route<Result>(healthy: () => Promise<Result>, degraded: () => Promise<Result>): Promise<Result> {
    if (!this.isDegraded()) {
      try {
        return await healthy();
      } catch (error) {
        if (!StoreUnavailableError.isInstance(error)) throw error;
        this.enterDegraded(error);
      }
    }
    return degraded();
  }

  private async guard<Result>(call: () => Promise<Result>): Promise<Result> {
    try {
      return await call();
    } catch (error) {
      if (StoreUnavailableError.isInstance(error)) this.enterDegraded(error);
      throw error;
    }
  }

  private primaryRuns(): Required<Pick<StorageDriver, 'getRun' | 'listRuns' | 'readRunEvents'>> {
    const primary = this.primary;
    if (!primary.getRun || !primary.listRuns || !primary.readRunEvents) throw new Error(`the ${this.name} store does not record runs`);
    return primary as Required<Pick<StorageDriver, 'getRun' | 'listRuns' | 'readRunEvents'>>;
  }

  private primaryCheckpoints(): CheckpointStorage {
    const primary = this.primary as StorageDriver & Partial<CheckpointStorage>;
    if (!primary.getBlob || !primary.missingBlobs || !primary.getCheckpoint || !primary.listCheckpoints || !primary.collectCheckpoints) {
      throw new Error(`the ${this.name} store does not keep file checkpoints`);
    }
    return primary as CheckpointStorage;
  }

  private unknown(what: string): never {
    throw new StoreUnavailableError({
      store: this.name,
      message: `The ${this.name} store is unavailable and ${what} is not held locally (it was not used shortly before the outage); it will be readable when the store is back.`,
    });
  }

  private enterDegraded(error: unknown, notify = true): void {
    this.lastError = error instanceof Error ? error.message : String(error);
    if (this.degradedSince !== undefined) return;
    this.degradedSince = this.now();
    if (notify) this.options.onFallback?.(error);
    this.startProbe();
  }

  private startProbe(): void {
    if (this.probeTimer || this.closed) return;
    this.probeTimer = setInterval(() => {
      if (this.replaying) return;
      this.recover().catch(() => {
        // still down: the next probe tries again
      });
    }, this.options.probeIntervalMs ?? 1000);
    this.probeTimer.unref();
  }

  private stopProbe(): void {
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = undefined;
  }

  private serialized<Result>(work: () => Promise<Result>): Promise<Result> {
    const next = this.writeQueue.then(work, work);
    this.writeQueue = next.catch(() => {});
    return next;
  }

  private async commitDegraded(batch: WriteBatch): Promise<void> {
    await this.seedSessions(batch);
    await this.overlay.commit(batch); // compare-and-set against what this process knows; throws WriteConflict like any driver
    this.journal.append({ kind: 'batch', batch });
    // Everything above is synchronous work: without a real yield, a caller appending in a loop would
    // starve timers (the recovery probe) and I/O callbacks for as long as the outage lasts.
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Journals the last-seen state of every pre-outage session the batch touches, once per outage. */
  private async seedSessions(batch: WriteBatch): Promise<void> {
    const touched = [
      ...(batch.sessions ?? []).filter((write) => write.expectedVersion !== 0).map((write) => write.record.id),
      ...(batch.deleteSessions ?? []).map((removal) => removal.id),
      ...(batch.checks ?? []).map((check) => check.id),
    ];
    for (const id of new Set(touched)) {
      if (await this.overlay.getSession(id)) continue;
      const known = this.cache.session(id) ?? this.unknown(`session "${id}"`);
      const segments = this.knownChain(known.headSegmentId);
      this.journal.append({ kind: 'seed', session: known, segments });
      await this.overlay.commit({ sessions: [{ record: known, expectedVersion: 0 }], segments });
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

  private rememberBatch(batch: WriteBatch): void {
    for (const { record } of batch.sessions ?? []) this.cache.rememberSession(record);
    for (const { id } of batch.deleteSessions ?? []) this.cache.forgetSession(id);
    for (const segment of batch.segments ?? []) this.cache.rememberSegment(segment);
    if (batch.messages) this.cache.rememberMessages(batch.messages);
    for (const run of batch.runs ?? []) this.cache.rememberRun(run);
  }

  /**
   * After a replay the primary holds what the overlay held, so the overlay's records are the latest
   * the cache can know; a session redirected to a fork is forgotten instead (the primary has the
   * other writer's version). A later outage then seeds from current records, not pre-outage ones.
   */
  private async refreshCacheFromOverlay(redirected: Set<string>): Promise<void> {
    for (const record of await this.overlay.listSessions({ orderBy: 'createdAt', order: 'asc', limit: UNBOUNDED })) {
      if (redirected.has(record.id)) this.cache.forgetSession(record.id);
      else this.cache.rememberSession(record);
    }
  }

  private async readMessagesDegraded(segmentId: string, range: { fromSeq: number; toSeq: number; order: 'asc' | 'desc'; limit?: number }): Promise<MessageRecord[]> {
    const bySeq = new Map<number, MessageRecord>();
    for (const row of this.cache.messagesOf(segmentId, range.fromSeq, range.toSeq)) bySeq.set(row.seq, row);
    for (const row of await this.overlay.readMessages(segmentId, { fromSeq: range.fromSeq, toSeq: range.toSeq, order: 'asc' })) bySeq.set(row.seq, row);
    const rows = [...bySeq.values()].sort((left, right) => (range.order === 'asc' ? left.seq - right.seq : right.seq - left.seq));
    const selected = range.limit === undefined ? rows : rows.slice(0, range.limit);
    // A bounded range must come back whole: positions are contiguous, so a gap means history we do not hold.
    if (range.toSeq < UNBOUNDED) {
      const wanted = Math.min(range.toSeq - range.fromSeq + 1, range.limit ?? Infinity);
      const start = range.order === 'asc' ? range.fromSeq : range.toSeq;
      const step = range.order === 'asc' ? 1 : -1;
      for (let index = 0; index < wanted; index += 1) {
        if (selected[index]?.seq !== start + step * index) return this.unknown(`older messages of segment "${segmentId}"`);
      }
    }
    return selected;
  }

  private rebuildOverlay(): void {
    this.overlay = new MemoryDriver();
    for (const entry of this.journal.entries()) {
      const payload = entry.payload;
      // Applied in the journal's order, the batches meet the same versions they met when first written.
      const batch: WriteBatch =
        payload.kind === 'seed'
          ? { sessions: [{ record: payload.session, expectedVersion: 0 }], segments: payload.segments }
          : { ...payload.batch, checks: [] };
      this.overlay.commitNow(batch);
    }
  }

  private async replay(): Promise<ReplayReport> {
    if (this.closed) throw new Error('the fallback store is closed');
    // Cheap check first: no point replaying into a primary that does not answer.
    try {
      await this.primary.getSession('sessionloom-probe');
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      throw error;
    }
    const replay = new JournalReplay(this.primary, this.journal.id, this.now);
    const report: ReplayReport = { at: this.now(), entries: 0, conflicts: replay.conflicts };
    try {
      report.entries = await replay.run(this.journal.entries(), (seq) => this.journal.markReplayed(seq));
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      this.lastReplay = { ...report, error: this.lastError };
      throw error;
    }
    this.journal.clear();
    await this.refreshCacheFromOverlay(new Set(report.conflicts.map((conflict) => conflict.sessionId)));
    this.overlay = new MemoryDriver();
    this.degradedSince = undefined;
    this.stopProbe();
    this.lastReplay = report;
    for (const conflict of report.conflicts) this.options.onConflict?.(conflict);
    this.options.onRecover?.(report);
    return report;
  }
}

/**
 * One journal directory per primary store (keyed by its location), so a journal left by a process
 * is only ever replayed into the store it was written for. A driver that does not say where its
 * data lives shares one directory per driver name: give such a store `fallback: { directory }`.
 */
function defaultJournalDirectory(primary: StorageDriver): string {
  const name = primary.name.replace(/[^A-Za-z0-9_-]/g, '_');
  const digest = createHash('sha256').update(primary.location ?? `unknown ${primary.name}`).digest('hex').slice(0, 16);
  return join(tmpdir(), 'sessionloom-journal', `${name}-${digest}`);
}
