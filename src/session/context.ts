/** What every session operation needs: the driver, the clock, the limits and the scope. */
import type { SegmentRecord, StorageDriver } from '../driver/driver.js';
import type { TokenCountCache } from './token-count.js';
import type { RunPulses } from './run-pulses.js';

export const DEFAULT_TTL_MS = 60 * 60 * 1000;
export const DEFAULT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
export const DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
/** Silence after which an unfinished run reads as `interrupted`; runners heartbeat four times as often. */
export const DEFAULT_STALE_RUN_MS = 10 * 60 * 1000;

export interface StoreContext {
  driver: StorageDriver;
  /** The deadline every driver call runs under (kept for stores built on this one, such as `fallback`). */
  deadlineMs: number;
  now: () => number;
  defaultTtlMs: number;
  retentionMs: number;
  maxMessageBytes: number;
  staleRunMs: number;
  /** Unanswered tool approvals older than this read as denied (see approvals.ts); absent: they wait. */
  approvalTimeoutMs?: number;
  /** When set, only this user's sessions exist for this store object. */
  scopeUserId?: string;
  /** Segments never change once written, so they are cached for the life of the store. */
  segmentCache: SegmentCache;
  /** Messages never change once written, so their token counts are cached too (by message id and counter). */
  tokenCounts: TokenCountCache;
  /** Wake-ups for whoever follows a run or watches it for a cancel request. */
  runPulses: RunPulses;
}

/** A bounded cache of immutable segment records (insertion order eviction is enough: entries never go stale). */
export class SegmentCache {
  private readonly entries = new Map<string, SegmentRecord>();
  constructor(private readonly capacity = 10_000) {}

  get(id: string): SegmentRecord | undefined {
    return this.entries.get(id);
  }

  set(segment: SegmentRecord): void {
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(segment.id, segment);
  }

  delete(id: string): void {
    this.entries.delete(id);
  }
}
