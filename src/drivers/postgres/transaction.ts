/**
 * One transaction on one pooled connection, with the connection's fate decided afterwards: returned
 * to the pool when its state is known (committed, or rolled back), destroyed otherwise.
 */
import { isUnavailableError } from './errors.js';
import type { PgPoolClientLike, PgPoolLike } from './pool.js';

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export async function withTransaction<Result>(
  pool: PgPoolLike,
  work: (client: PgPoolClientLike) => Promise<Result>,
): Promise<Result> {
  const client = await pool.connect();
  // Set when the connection must not be reused; handed to release(), which then destroys it.
  let broken: Error | undefined;
  const onError = (error: Error): void => {
    broken ??= error;
  };
  client.on?.('error', onError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    if (broken === undefined && isUnavailableError(error)) {
      // The connection is gone, or a query on it timed out and may still be running: a ROLLBACK would
      // queue behind it, perhaps for ever. Destroying the connection makes the server roll back.
      broken = asError(error);
    } else if (broken === undefined) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = asError(rollbackError);
      });
    }
    throw error;
  } finally {
    client.removeListener?.('error', onError);
    client.release(broken);
  }
}
