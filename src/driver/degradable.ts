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

/** A message appended while degraded with an id the primary had taken meanwhile: it landed under `renamedTo`. */
export interface ReplayRename {
  /** The session it landed in. */
  sessionId: string;
  /** The id it was appended with (on the primary that id is the other writer's message). */
  messageId: string;
  /** Its id on the primary; operation records, checkpoints and fork points that named it follow. */
  renamedTo: string;
}

export interface ReplayReport {
  at: number;
  /** Journal entries that reached the primary in this replay. */
  entries: number;
  conflicts: ReplayConflict[];
  /** Degraded messages kept under a new id because theirs was taken on the primary meanwhile. */
  renamed: ReplayRename[];
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

/**
 * The operation record a fallback's replay writes with each replayed batch (`replay.<journal>.<entry>`),
 * so a replay interrupted halfway can tell what already landed. It is the fallback's own bookkeeping,
 * not an operation of the caller: exports leave it out (in another store it would guard nothing).
 */
export function replayMarkerId(journalId: string, seq: number): string {
  return `replay.${journalId.slice(0, 8)}.${seq}`;
}

const REPLAY_MARKER = /^replay\.[0-9a-f]{8}\.\d+$/;

export function isReplayMarker(operationId: string): boolean {
  return REPLAY_MARKER.test(operationId);
}

export function isDegradable(driver: StorageDriver): driver is DegradableDriver {
  const candidate = driver as Partial<DegradableDriver>;
  return typeof candidate.isDegraded === 'function' && typeof candidate.status === 'function' && typeof candidate.recover === 'function';
}
