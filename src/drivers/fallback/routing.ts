/**
 * Routing each driver call between the primary and the local side (overlay, cache and journal).
 *
 * While healthy, a call goes to the primary, and what it answers is remembered in the read cache.
 * The primary failing with `StoreUnavailableError` (refused, down, past its deadline) and only that
 * starts an outage: the call is answered locally and so is every later one until the journal has
 * been replayed. Any other error is the caller's: a `WriteConflict`, a bug, and a configuration
 * mistake (`ConfigurationError`, `InvalidArgumentError`: a bad URL, a missing client library),
 * which must stop the store rather than have it run degraded for ever.
 *
 * Writes while degraded go through one queue (serial-queue.ts) with the end of a replay, and a
 * write queued behind a replay that brought the primary back goes there, not into the journal.
 */
import type { CheckpointStorage, DriverMethod, StorageDriver } from '../../driver/driver.js';
import { StoreUnavailableError } from '../../errors.js';
import type { Outage } from './outage.js';
import { learnFromPrimary, type ReadCache } from './read-cache.js';
import type { SerialQueue } from './serial-queue.js';

/**
 * Every call routed (capabilities decide which exist), by name. Search is not one: the journal's
 * messages are not in the primary's index, so the fallback declares no `search` and is searched by scanning.
 */
export type RoutedMethod = Exclude<DriverMethod, 'close' | 'searchMessages'>;
export type DriverCalls = Pick<Required<StorageDriver> & CheckpointStorage, RoutedMethod>;

const WRITES = new Set<DriverMethod>(['commit', 'deleteSegment', 'deleteMessagesAfter', 'collectCheckpoints']);

export class Router {
  constructor(
    private readonly primary: StorageDriver,
    private readonly local: DriverCalls,
    private readonly cache: ReadCache,
    private readonly outage: Outage,
    private readonly queue: SerialQueue,
    /** Settles once the overlay holds what the journal does (after a restart). */
    private readonly ready: () => Promise<void>,
  ) {}

  async call(method: RoutedMethod, args: unknown[]): Promise<unknown> {
    if (!this.outage.degraded) {
      const answer = await this.tryPrimary(method, args);
      if (answer.answered) return answer.value;
    }
    if (!WRITES.has(method)) return this.readLocal(method, args);
    return this.queue.run(async () => {
      // A replay ahead in the queue brought the primary back: the write goes there, not into a journal nobody would replay.
      if (!this.outage.degraded) {
        const answer = await this.tryPrimary(method, args);
        if (answer.answered) return answer.value;
      }
      return this.callLocal(method, args);
    });
  }

  /** The primary's answer, or `answered: false` when it is unavailable (the outage has then started). */
  private async tryPrimary(method: RoutedMethod, args: unknown[]): Promise<{ answered: true; value: unknown } | { answered: false }> {
    const target = (this.primary as unknown as Record<string, (...callArgs: unknown[]) => Promise<unknown>>)[method];
    if (!target) throw new Error(`sessionloom fallback: the ${this.primary.name} store has no ${method} (its capabilities do not include it).`);
    try {
      const value = await target.apply(this.primary, args);
      learnFromPrimary(this.cache, method, args, value);
      return { answered: true, value };
    } catch (error) {
      if (!StoreUnavailableError.isInstance(error)) throw error;
      this.outage.enter(error);
      return { answered: false };
    }
  }

  /**
   * A replay that ends while a read is answered locally empties the overlay under it, and the read
   * would answer "not held" for what the primary now holds: it is asked there instead.
   */
  private async readLocal(method: RoutedMethod, args: unknown[]): Promise<unknown> {
    try {
      return await this.callLocal(method, args);
    } catch (error) {
      if (this.outage.degraded || !StoreUnavailableError.isInstance(error)) throw error;
      const answer = await this.tryPrimary(method, args);
      if (answer.answered) return answer.value;
      throw error;
    }
  }

  private async callLocal(method: RoutedMethod, args: unknown[]): Promise<unknown> {
    if (this.outage.misconfiguration !== undefined) throw this.outage.misconfiguration;
    await this.ready();
    return (this.local[method] as (...callArgs: unknown[]) => Promise<unknown>)(...args);
  }
}
