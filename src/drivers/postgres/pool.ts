/**
 * The slice of node-postgres the driver uses, declared structurally (as kysely does) so that a
 * caller can hand in any `pg.Pool` (or a compatible pool) without this package naming `pg`'s types
 * in its public signature. `pg` itself is imported only when the driver makes its own pool.
 */
import { importClient } from '../lazy.js';

export interface PgQueryResultLike {
  rows: unknown[];
  rowCount: number | null;
}

export interface PgPoolClientLike {
  query(text: string, values?: unknown[]): Promise<PgQueryResultLike>;
  /** Passing an error (or `true`) tells the pool to destroy the connection instead of reusing it. */
  release(destroy?: Error | boolean): void;
  /**
   * pg-pool stops listening for a client's errors while it is checked out; a connection lost
   * between two statements of a transaction would then emit an unhandled 'error' and end the process.
   */
  on?(event: 'error', listener: (error: Error) => void): unknown;
  removeListener?(event: 'error', listener: (error: Error) => void): unknown;
}

export interface PgPoolLike {
  query(text: string, values?: unknown[]): Promise<PgQueryResultLike>;
  connect(): Promise<PgPoolClientLike>;
}

/** A pool the driver made, which it therefore ends on close. */
export interface OwnedPool extends PgPoolLike {
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface OwnedPoolSettings {
  connectionString: string;
  connectionTimeoutMs: number;
  statementTimeoutMs: number;
}

interface PgModuleLike {
  Pool: new (config: Record<string, unknown>) => OwnedPool;
}

/** How long past the server's statement timeout the client gives up on a server that stopped answering. */
const queryTimeoutMarginMs = 1_000;

export async function createOwnedPool(settings: OwnedPoolSettings): Promise<OwnedPool> {
  const loaded = await importClient<PgModuleLike & { default?: PgModuleLike }>('pg', 'postgres');
  // pg is CommonJS: depending on the loader, Pool is a named export or sits on the default export.
  const Pool = loaded.default?.Pool ?? loaded.Pool;
  const pool = new Pool({
    connectionString: settings.connectionString,
    // Without it, a connection attempt to an unreachable host waits for the operating system's TCP timeout (minutes).
    connectionTimeoutMillis: settings.connectionTimeoutMs,
    // The server cancels a statement (lock waits included) past this; the error is SQLSTATE 57014.
    statement_timeout: settings.statementTimeoutMs,
    // The client gives up when the server itself stops answering (a hung or frozen server).
    query_timeout: settings.statementTimeoutMs + queryTimeoutMarginMs,
    // A process that dies or hangs mid-transaction must not hold session row locks for ever.
    idle_in_transaction_session_timeout: settings.statementTimeoutMs + queryTimeoutMarginMs,
    // Detects a peer that vanished without closing the connection (a crashed host, a dropped route).
    keepAlive: true,
    application_name: 'sessionloom',
  });
  // An idle connection that the server closes (restart, failover) emits 'error' on the pool, which
  // then discards the connection. Without a listener Node would treat the event as a crash; the next
  // query simply opens a new connection, so there is nothing else to do here.
  pool.on('error', () => {});
  return pool;
}
