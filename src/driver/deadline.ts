/**
 * Deadlines on every driver call. A backend that hangs (a stopped Redis behind a live TCP
 * connection, a PostgreSQL lock wait) must never leave a promise unsettled: past the deadline the
 * call fails with `StoreUnavailableError`, whose `cause` says what timed out.
 *
 * A write that timed out may still be applied by the backend later. Callers that need to know
 * retry with the same `operationId`, which appends nothing twice.
 */
import { StoreUnavailableError } from '../errors.js';
import { CHECKPOINT_METHODS, LISTING_METHODS, RUN_METHODS, STORAGE_METHODS, type StorageDriver } from './driver.js';

export const DEFAULT_DEADLINE_MS = 10_000;

/** The error a deadline produces, kept as the `cause` of the `StoreUnavailableError`. */
export class DeadlineExceededError extends Error {
  constructor(readonly operation: string, readonly deadlineMs: number) {
    super(`${operation} did not finish within ${deadlineMs} ms`);
    this.name = 'DeadlineExceededError';
  }
}

const CALLS = [...STORAGE_METHODS, 'close', ...RUN_METHODS, ...LISTING_METHODS, ...CHECKPOINT_METHODS] as const;

/** The driver with each call raced against `deadlineMs`. */
export function withDeadline<Driver extends StorageDriver>(driver: Driver, deadlineMs: number): StorageDriver {
  const wrapped: Record<string, unknown> = { name: driver.name, ...(driver.location === undefined ? {} : { location: driver.location }) };
  // Capability methods (checkpoints) are not members of StorageDriver, so the driver is read by name.
  const methods = driver as unknown as Record<string, unknown>;
  for (const call of CALLS) {
    const method = methods[call];
    if (typeof method !== 'function') continue; // an optional capability this driver lacks
    wrapped[call] = (...args: unknown[]) =>
      race(
        () => (method as (...callArgs: unknown[]) => Promise<unknown>).apply(driver, args),
        driver.name,
        call,
        deadlineMs,
      );
  }
  return wrapped as unknown as StorageDriver;
}

async function race<Result>(run: () => Promise<Result>, store: string, call: string, deadlineMs: number): Promise<Result> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const cause = new DeadlineExceededError(`${store} ${call}`, deadlineMs);
      reject(new StoreUnavailableError({ store, message: `The ${store} store did not answer ${call} within ${deadlineMs} ms.`, cause }));
    }, deadlineMs);
  });
  try {
    return await Promise.race([run(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
