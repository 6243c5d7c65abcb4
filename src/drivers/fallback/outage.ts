/**
 * Whether the primary is down, since when, and why: shared by routing (which starts an outage),
 * recovery (which ends it) and `status()`.
 */
import { ConfigurationError, InvalidArgumentError } from '../../errors.js';

/** A setup mistake (a bad URL, a missing client library): never an outage, since waiting will not fix it. */
export function isConfigurationMistake(error: unknown): boolean {
  return ConfigurationError.isInstance(error) || InvalidArgumentError.isInstance(error);
}

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
