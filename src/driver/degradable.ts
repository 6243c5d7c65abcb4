/**
 * A driver that keeps serving while its backend is down (the fallback middleware) reports it
 * through this interface, so the core can answer `isDegraded()`, `status()` and `recover()`
 * without knowing which middleware it was handed.
 */
import type { StorageDriver } from './driver.js';

export interface ReplayConflict {
  /** The session changed on both sides during the outage. */
  sessionId: string;
  /** The fork that holds what this process wrote to it while degraded. */
  forkId: string;
}

export interface ReplayReport {
  at: number;
  /** Journal entries that reached the primary in this replay. */
  entries: number;
  conflicts: ReplayConflict[];
}

export interface FallbackStatus {
  degraded: boolean;
  /** When the current outage started. */
  since?: number;
  lastError?: string;
  /** Journal entries not yet replayed to the primary. */
  journalLength: number;
  journalLocation: string;
  lastReplay?: ReplayReport & { error?: string };
}

export interface DegradableDriver extends StorageDriver {
  /** True while serving from the journal because the backend is down. */
  isDegraded(): boolean;
  status(): FallbackStatus;
  /** Replays the journal now if the backend answers; rejects while it is still down. */
  recover(): Promise<ReplayReport>;
}

export function isDegradable(driver: StorageDriver): driver is DegradableDriver {
  const candidate = driver as Partial<DegradableDriver>;
  return typeof candidate.isDegraded === 'function' && typeof candidate.status === 'function' && typeof candidate.recover === 'function';
}
