/**
 * What a degraded fallback answers when a question needs data only the primary has: the outage
 * error, never a partial or guessed answer. Its `cause` is a `NotHeldLocallyError` naming what was
 * missing, so a caller (or a test) can tell "not held here" from the primary's own failure.
 */
import { StoreUnavailableError } from '../../errors.js';

export class NotHeldLocallyError extends Error {
  constructor(readonly what: string) {
    super(`${what} is not held locally`);
    this.name = 'NotHeldLocallyError';
  }
}

export function notHeld(store: string, what: string): never {
  throw new StoreUnavailableError({
    store,
    message: `The ${store} store is unavailable and ${what} is not held locally (it was not used shortly before the outage, or only the store has all of it); it will be readable when the store is back.`,
    cause: new NotHeldLocallyError(what),
  });
}

/** A change that needs the primary (deleting history written before the outage): refused until it is back, nothing changed. */
export function waitsForPrimary(store: string, what: string): never {
  throw new StoreUnavailableError({
    store,
    message: `The ${store} store is unavailable, and ${what} needs it (the history is there); nothing was changed. Retry when it is back.`,
    cause: new NotHeldLocallyError(what),
  });
}
