/**
 * The options a `SessionStore` is opened with, and the context they become: every operation in
 * this folder receives that context (driver under its deadline, clock, limits, scope, caches).
 */
import { assertDriver } from '../driver/assert-driver.js';
import { DEFAULT_DEADLINE_MS, withDeadline } from '../driver/deadline.js';
import type { StorageDriver } from '../driver/driver.js';
import { assertValidId } from '../common/ids.js';
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_RETENTION_MS,
  DEFAULT_STALE_RUN_MS,
  DEFAULT_TTL_MS,
  SegmentCache,
  type StoreContext,
} from './context.js';
import { assertKnownKeys } from './known-keys.js';
import { parseOptions, storeOptionsSchema } from './options.js';
import { RunPulses } from './run-pulses.js';
import { TokenCountCache } from './token-count.js';

export interface StoreOptions {
  /** The time source, in epoch milliseconds (tests inject a manual clock). Default `Date.now`. */
  clock?: () => number;
  /** Idle time after which an active session is suspended by `sweepStale`. Default one hour. */
  defaultTtlMs?: number;
  /** Time a suspended session is kept before `sweepStale` expires it. Default 30 days. */
  retentionMs?: number;
  /** Largest encoded message accepted by `append`. Default 8 MiB. */
  maxMessageBytes?: number;
  /** See and change only this user's sessions; another user's read as not found. */
  scope?: { userId: string };
  /** Longest any single backend call may take before it fails with `StoreUnavailableError`. Default 10 s. */
  deadlineMs?: number;
  /**
   * Silence after which a run that never finished reads as `interrupted` (its process most likely
   * died). Runners heartbeat a quarter of this apart, so a long tool call is not mistaken. Default 10 minutes.
   */
  staleRunMs?: number;
  /**
   * Time after which a tool approval nobody answered reads as denied (and is sent to the model as a
   * denial when the run is resumed). Default: requests wait until answered. An agent's own
   * `approvalTimeoutMs` takes precedence for the requests its runs make.
   */
  approvalTimeoutMs?: number;
}

/** The names of `StoreOptions`, for factories that split them from a driver's own options. */
export const STORE_OPTION_KEYS = ['clock', 'defaultTtlMs', 'retentionMs', 'maxMessageBytes', 'scope', 'deadlineMs', 'staleRunMs', 'approvalTimeoutMs'] as const satisfies ReadonlyArray<keyof StoreOptions>;

export interface DriverStoreOptions extends StoreOptions {
  /** Whether `close()` closes the driver (default true). */
  ownsDriver?: boolean;
}

/** Checks the driver and the options (before anything is stored) and builds the context of a new store. */
export function createStoreContext(driver: StorageDriver, options: DriverStoreOptions): StoreContext {
  assertDriver(driver);
  // With no option set (`SessionStore.sqlite(path)`, the common open) there is nothing to check, and
  // the schema's first parse, which compiles it, is skipped: 0.9 ms of a fresh process's open (3.6 to 2.7, medians of 12).
  const parsed = STORE_OPTION_KEYS.some((key) => options[key] !== undefined) ? parseOptions(storeOptionsSchema, options, 'store options') : {};
  assertKnownKeys(options, [...STORE_OPTION_KEYS, 'ownsDriver'], 'store options');
  if (parsed.scope) assertValidId(parsed.scope.userId, 'scope.userId');
  const clock = options.clock ?? Date.now;
  const deadlined = withDeadline(driver, parsed.deadlineMs ?? DEFAULT_DEADLINE_MS);
  return {
    driver: deadlined,
    deadlineMs: parsed.deadlineMs ?? DEFAULT_DEADLINE_MS,
    now: () => clock(),
    defaultTtlMs: parsed.defaultTtlMs ?? DEFAULT_TTL_MS,
    retentionMs: parsed.retentionMs ?? DEFAULT_RETENTION_MS,
    maxMessageBytes: parsed.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    staleRunMs: parsed.staleRunMs ?? DEFAULT_STALE_RUN_MS,
    ...(parsed.approvalTimeoutMs === undefined ? {} : { approvalTimeoutMs: parsed.approvalTimeoutMs }),
    ...(parsed.scope ? { scopeUserId: parsed.scope.userId } : {}),
    segmentCache: new SegmentCache(),
    tokenCounts: new TokenCountCache(),
    runPulses: new RunPulses(deadlined),
  };
}
