/**
 * Deadlines on every driver call. A backend that hangs (a stopped Redis behind a live TCP
 * connection, a PostgreSQL lock wait) must never leave a promise unsettled: past the deadline the
 * call fails with `StoreUnavailableError`, whose `cause` says what timed out.
 *
 * A write that timed out may still be applied by the backend later. Callers that need to know
 * retry with the same `operationId`, which appends nothing twice.
 */
import { StoreUnavailableError } from '../errors.js';
import { driverMethods, type StorageDriver } from './driver.js';
import { DeadlineQueue } from './deadline-queue.js';

export const DEFAULT_DEADLINE_MS = 10_000;

/** The error a deadline produces, kept as the `cause` of the `StoreUnavailableError`. */
export class DeadlineExceededError extends Error {
  constructor(readonly operation: string, readonly deadlineMs: number) {
    super(`${operation} did not finish within ${deadlineMs} ms`);
    this.name = 'DeadlineExceededError';
  }
}

/** The driver with each call raced against `deadlineMs`. */
export function withDeadline<Driver extends StorageDriver>(driver: Driver, deadlineMs: number): StorageDriver {
  const wrapped: Record<string, unknown> = {
    name: driver.name,
    capabilities: driver.capabilities,
    ...(driver.location === undefined ? {} : { location: driver.location }),
    ...(driver.localPaths === undefined ? {} : { localPaths: driver.localPaths }),
  };
  // One queue per wrapped driver: every call has the same deadline, so they expire in call order.
  const deadlines = new DeadlineQueue(deadlineMs);
  const store = driver.name;
  // Capability methods (checkpoints) are not members of StorageDriver, so the driver is read by name.
  const methods = driver as unknown as Record<string, unknown>;
  for (const call of driverMethods(driver.capabilities)) {
    const method = methods[call];
    if (typeof method !== 'function') continue; // checked by fromDriver; a wrapper never invents a method
    const expire = () => {
      const cause = new DeadlineExceededError(`${store} ${call}`, deadlineMs);
      return new StoreUnavailableError({ store, message: `The ${store} store did not answer ${call} within ${deadlineMs} ms.`, cause });
    };
    wrapped[call] = (...args: unknown[]) =>
      deadlines.race(() => (method as (...callArgs: unknown[]) => Promise<unknown>).apply(driver, args), expire);
  }
  return wrapped as unknown as StorageDriver;
}
