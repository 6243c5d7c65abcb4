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
 * Writes while degraded go through one queue with replay, so a replay never interleaves with
 * journal appends, and a write queued behind a replay that brought the primary back goes there.
 */
import type { CheckpointStorage, DriverMethod, StorageDriver } from '../../driver/driver.js';
import { ConfigurationError, InvalidArgumentError, StoreUnavailableError } from '../../errors.js';
import { learnFromPrimary, type ReadCache } from './read-cache.js';

/** Every call a driver may have (capabilities decide which exist), by name. */
export type DriverCalls = Pick<Required<StorageDriver> & CheckpointStorage, Exclude<DriverMethod, 'close'>>;

const WRITES = new Set<DriverMethod>(['commit', 'deleteSegment', 'deleteMessagesAfter', 'collectCheckpoints']);

export function isConfigurationMistake(error: unknown): boolean {
  return ConfigurationError.isInstance(error) || InvalidArgumentError.isInstance(error);
}

/** Runs jobs one after another, whether or not the previous one failed. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<Result>(job: () => Promise<Result>): Promise<Result> {
    const next = this.tail.then(job, job);
    this.tail = next.catch(() => {});
    return next;
  }

  /** Settles when every job queued so far has. */
  drained(): Promise<void> {
    return this.tail.then(() => {});
  }
}

/** Whether the primary is down, since when, and why; shared by routing, recovery and status. */
export class Outage {
  since: number | undefined;
  lastError: string | undefined;
  /** Set when the primary answered the recovery probe with a configuration mistake: nothing is served until that is fixed. */
  misconfiguration: unknown;

  constructor(
    private readonly clock: () => number,
    private readonly onFallback: (error: unknown) => void,
    private readonly onStart: () => void,
  ) {}

  get degraded(): boolean {
    return this.since !== undefined;
  }

  /** Records the error; the first one of an outage starts it (`notify`: fire `onFallback`). */
  enter(error: unknown, notify = true): void {
    this.noteError(error);
    if (this.since !== undefined) return;
    this.since = this.clock();
    if (notify) this.onFallback(error);
    this.onStart();
  }

  noteError(error: unknown): void {
    this.lastError = error instanceof Error ? error.message : String(error);
  }

  end(): void {
    this.since = undefined;
  }
}

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

  async call(method: Exclude<DriverMethod, 'close'>, args: unknown[]): Promise<unknown> {
    if (!this.outage.degraded) {
      const answer = await this.tryPrimary(method, args);
      if (answer.answered) return answer.value;
    }
    if (!WRITES.has(method)) return this.callLocal(method, args);
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
  private async tryPrimary(method: Exclude<DriverMethod, 'close'>, args: unknown[]): Promise<{ answered: true; value: unknown } | { answered: false }> {
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

  private async callLocal(method: Exclude<DriverMethod, 'close'>, args: unknown[]): Promise<unknown> {
    if (this.outage.misconfiguration !== undefined) throw this.outage.misconfiguration;
    await this.ready();
    return (this.local[method] as (...callArgs: unknown[]) => Promise<unknown>)(...args);
  }
}
