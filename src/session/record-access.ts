/**
 * The records under a store, for tools built on it (export and import, the fallback factory):
 * the driver as the store calls it (under its deadline), the store's scope, clock and limits, and
 * the scoped and cached reads every such tool needs. Applications use the store's methods instead.
 */
import type { SegmentRecord, SessionRecord, StorageDriver } from '../driver/driver.js';
import { findSession } from './access.js';
import type { StoreContext } from './context.js';

export interface RecordAccess {
  /** The driver under the store's deadline. Writes made here bypass the store's validation: check first. */
  readonly driver: StorageDriver;
  /** The driver as handed to the store, without the deadline wrapper (what `fallback` wraps). */
  readonly baseDriver: StorageDriver;
  /** The deadline every driver call runs under. */
  readonly deadlineMs: number;
  /** The user this store is limited to, when it is scoped. */
  readonly scopeUserId: string | undefined;
  /** The largest encoded message the store accepts. */
  readonly maxMessageBytes: number;
  /** The store's clock, in epoch milliseconds. */
  now(): number;
  /** The session record when it exists and is inside the scope (another user's reads as missing). */
  findSession(id: string): Promise<SessionRecord | undefined>;
  /** A segment record, from the store's cache of immutable segments when it has it. */
  getSegment(id: string): Promise<SegmentRecord | undefined>;
}

export function recordAccess(context: StoreContext, baseDriver: StorageDriver): RecordAccess {
  return {
    driver: context.driver,
    baseDriver,
    deadlineMs: context.deadlineMs,
    scopeUserId: context.scopeUserId,
    maxMessageBytes: context.maxMessageBytes,
    now: context.now,
    findSession: (id) => findSession(context, id),
    async getSegment(id) {
      const cached = context.segmentCache.get(id);
      if (cached) return cached;
      const segment = await context.driver.getSegment(id);
      if (segment) context.segmentCache.set(segment);
      return segment;
    },
  };
}
