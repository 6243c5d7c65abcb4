/**
 * Which Redis failures mean "the store is unavailable". A refused or dropped connection, a command
 * timeout, a client that gave up retrying, or a server that cannot serve yet (loading its data,
 * a replica cut off from its primary) become `StoreUnavailableError` with the client's error as
 * `cause`. Any other reply error (a script bug, a key of the wrong type) is a fault to see as is.
 */
import { StoreUnavailableError } from '../../errors.js';

/** Reply errors a server sends while it cannot serve (yet): retrying later may work. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|CLUSTERDOWN|TRYAGAIN|NOREPLICAS|MISCONF)\b/;

export function isReplyError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ReplyError';
}

export function isNoScriptError(error: unknown): boolean {
  return isReplyError(error) && error.message.startsWith('NOSCRIPT');
}

/** The error a failed client call should surface as. */
export function toStoreError(error: unknown, what: string): unknown {
  if (isReplyError(error) && !TRANSIENT_REPLY.test(error.message)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError({ store: 'redis', message: `The redis store is unavailable (${what}): ${reason}`, cause: error });
}

/** The error for a call made after `close()`. */
export function closedError(): StoreUnavailableError {
  return new StoreUnavailableError({
    store: 'redis',
    message: 'The redis store is closed.',
    cause: new Error('RedisDriver: close() was called'),
  });
}
