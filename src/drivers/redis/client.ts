/**
 * The Redis client: typed structurally (the few ioredis methods the driver uses), so the package
 * never needs ioredis unless a URL is given, and then loads it on demand.
 *
 * A client the driver makes is tuned to fail fast instead of waiting for a server that is gone:
 * no offline queue (a command sent while disconnected fails at once), commands in flight when the
 * connection drops are failed rather than silently re-sent (a re-sent commit could apply after the
 * caller gave up), a per-command timeout for a server that accepts bytes but never answers, and a
 * reconnect loop with a capped delay so the same client works again when the server is back.
 */
import { importClient } from '../lazy.js';

export interface RedisClientLike {
  call(command: string, ...args: Array<string | number | Buffer>): Promise<unknown>;
  /** Like `call`, with binary replies kept as Buffers; needed only for file checkpoints (blobs). */
  callBuffer?(command: string, ...args: Array<string | number | Buffer>): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
  /** ioredis keeps its options here; a transparent `keyPrefix` there would break the scripts. */
  readonly options?: { keyPrefix?: string | undefined };
}

interface ConnectableClient extends RedisClientLike {
  connect(): Promise<unknown>;
  off(event: 'error', listener: (error: Error) => void): unknown;
}

interface IoredisModule {
  Redis: new (url: string, options: Record<string, unknown>) => ConnectableClient;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 5_000;
/** The longest wait between two reconnection attempts. */
const MAX_RECONNECT_DELAY_MS = 2_000;

export function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 10), MAX_RECONNECT_DELAY_MS);
}

/** A new ioredis client for `url`, connected; `onError` receives its 'error' events (so none is unhandled). */
export async function connectClient(url: string, commandTimeoutMs: number, onError: (error: Error) => void): Promise<RedisClientLike> {
  const { Redis } = await importClient<IoredisModule>('ioredis', 'redis');
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    // Zero: commands still waiting when the connection drops fail then, instead of after N reconnects.
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    connectTimeout: commandTimeoutMs,
    retryStrategy: reconnectDelay,
    // sessionloom builds every key itself; ioredis must not prefix some of them (a `keyPrefix` query parameter would).
    keyPrefix: '',
  });
  client.on('error', onError);
  // ioredis rejects a refused connection with "Connection is closed."; the socket's own error (the
  // address and the reason, ECONNREFUSED 127.0.0.1:6398) came as an 'error' event just before.
  let socketError: Error | undefined;
  const remember = (error: Error) => void (socketError = error);
  client.on('error', remember);
  try {
    await client.connect();
  } catch (error) {
    // The client would keep reconnecting in the background: stop it, the caller gets the error.
    client.disconnect();
    const reason = socketError ?? error;
    const message = reason instanceof Error ? reason.message : String(reason);
    const address = addressOf(url);
    throw new Error(address === undefined || message.includes(address) ? message : `${message} (${address})`, { cause: reason });
  } finally {
    client.off('error', remember);
  }
  return client;
}

/** `host:port` of a Redis URL, for errors (never its credentials); undefined when it does not parse. */
function addressOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port === '' ? '6379' : parsed.port}`;
  } catch {
    return undefined;
  }
}
