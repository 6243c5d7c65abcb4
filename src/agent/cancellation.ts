/** Cancellation: the error a cancelled run rejects with. */

/** The signal's reason when it is an error (what `AbortController.abort()` sets), else an `AbortError`. */
export function cancellationError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  const error = new Error(reason === undefined ? 'The run was cancelled.' : `The run was cancelled: ${String(reason)}`);
  error.name = 'AbortError';
  return error;
}

/** Throws the cancellation error when the signal has fired. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancellationError(signal);
}
