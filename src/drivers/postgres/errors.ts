/**
 * Which PostgreSQL failures mean "the store is unavailable" (try again later) rather than "this call
 * is wrong". Only the first kind becomes `StoreUnavailableError`; a syntax error or an unexpected
 * constraint violation is a bug and is rethrown as it is, so it is not retried and not hidden.
 */
import { StoreUnavailableError } from '../../errors.js';
import { WriteConflict } from '../../driver/driver.js';

/** SQLSTATEs (besides class 08, connection exception) that say the server went away or gave up on us. */
const unavailableSqlStates = new Set([
  '57P01', // admin_shutdown: the server is stopping (fast or smart shutdown)
  '57P02', // crash_shutdown: another backend crashed and the server is resetting
  '57P03', // cannot_connect_now: the server is starting or recovering
  '57P05', // idle_session_timeout: the server closed a connection the pool still held
  '57014', // query_canceled: statement_timeout fired (lock waits included)
  '55P03', // lock_not_available: lock_timeout fired
  '25P03', // idle_in_transaction_session_timeout: the server closed the connection
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
]);

/** Node's socket errors for a server that cannot be reached or dropped the connection. */
const unavailableSystemCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** node-postgres and pg-pool report lost connections and their own timeouts as plain errors, by message only. */
const unavailableMessages = [
  /^Connection terminated/, // unexpectedly, or "due to connection timeout"
  /^timeout exceeded when trying to connect$/, // pg-pool: no connection free within connectionTimeoutMillis
  /^Query read timeout$/, // query_timeout: the server stopped answering
  /is not queryable$/, // a client whose connection already failed or ended
  /^Client network socket disconnected/,
];

function codeOf(error: object): unknown {
  return (error as { code?: unknown }).code;
}

export function isUnavailableError(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const code = codeOf(error);
  if (typeof code === 'string') {
    if (/^08[0-9A-Z]{3}$/.test(code) || unavailableSqlStates.has(code) || unavailableSystemCodes.has(code)) return true;
  }
  const message = (error as { message?: unknown }).message;
  if (typeof message === 'string' && unavailableMessages.some((pattern) => pattern.test(message))) return true;
  // Node reports a failed connection to a name with several addresses as an AggregateError.
  if (error instanceof AggregateError && error.errors.some((inner) => isUnavailableError(inner, depth + 1))) return true;
  return isUnavailableError((error as { cause?: unknown }).cause, depth + 1);
}

/** The error a driver call rejects with: conflicts and bugs as they are, unavailability wrapped with the pg error as cause. */
export function driverError(error: unknown, call: string): unknown {
  if (WriteConflict.is(error) || StoreUnavailableError.isInstance(error)) return error;
  if (!isUnavailableError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError({
    store: 'postgres',
    message: `The postgres store is unavailable (${call}): ${reason}`,
    cause: error,
  });
}
