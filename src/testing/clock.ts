/**
 * A clock the tests move by hand, so time-based behaviour (TTL, suspension, expiry, ordering)
 * is checked without sleeping. Pass `clock.now` as the store's `clock` option.
 */
export class ManualClock {
  #current: number;

  /** Starts at `start` (default: the real time, rounded to the millisecond). */
  constructor(start: number = Date.now()) {
    this.#current = ManualClock.#checked(start);
  }

  /** The current time in epoch milliseconds; bound, so it can be handed over as `clock: clock.now`. */
  readonly now = (): number => this.#current;

  /** Moves the clock forward by `ms` and returns the new time. */
  advance(ms: number): number {
    if (!Number.isInteger(ms) || ms < 0) throw new RangeError(`ManualClock.advance expects a non-negative integer, got ${ms}.`);
    this.#current += ms;
    return this.#current;
  }

  /** Sets the clock to `ms` (epoch milliseconds) and returns it. */
  set(ms: number): number {
    this.#current = ManualClock.#checked(ms);
    return this.#current;
  }

  static #checked(ms: number): number {
    if (!Number.isInteger(ms) || ms < 0) throw new RangeError(`ManualClock expects a non-negative integer time, got ${ms}.`);
    return ms;
  }
}

const YEAR_2001 = Date.UTC(2001, 0, 1);
const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * A clock set at a random moment of 2001. `prune` and `sweepStale` act on the whole store, so tests
 * of them work in the past: whatever they sweep or prune was written by tests that already ended,
 * never the sessions of a test running now against the same backend with the real time.
 */
export function pastClock(): ManualClock {
  return new ManualClock(YEAR_2001 + Math.floor(Math.random() * ONE_YEAR_MS));
}
