/**
 * The driver's options, checked before anything connects: exactly one of connectionString and pool,
 * identifiers that are safe to write into SQL, and timeouts that are positive integers.
 */
import { InvalidArgumentError } from '../../errors.js';
import { defaultSchema, defaultTablePrefix, tableNames, type TableNames } from './identifiers.js';
import type { PgPoolLike } from './pool.js';

export interface PostgresDriverOptions {
  /** `postgres://user:password@host:port/database`; the driver makes (and on close ends) its own pool. */
  connectionString?: string;
  /** A pool you made (e.g. `new pg.Pool(...)`); the driver uses it and leaves ending it to you. */
  pool?: PgPoolLike;
  /** The schema holding the tables, created if missing (default `public`). */
  schema?: string;
  /** Prepended to every table and index name (default `sessionloom_`), so several stores can share a schema. */
  tablePrefix?: string;
  /** How long opening a connection may take before the call fails (default 5,000 ms; own pool only). */
  connectionTimeoutMs?: number;
  /** How long the server may run one statement, lock waits included (default 10,000 ms; own pool only). */
  statementTimeoutMs?: number;
}

export const defaultConnectionTimeoutMs = 5_000;
export const defaultStatementTimeoutMs = 10_000;

function timeoutOption(value: unknown, argument: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError({
      argument: `postgres ${argument}`,
      message: `expected a positive integer of milliseconds, got ${String(value)}.`,
    });
  }
  return value;
}

export interface ParsedOptions {
  /** Where connections come from: a pool to make, or the caller's. */
  source: { connectionString: string } | { pool: PgPoolLike };
  names: TableNames;
  connectionTimeoutMs: number;
  statementTimeoutMs: number;
}

/** Checks the options before anything connects: exactly one of connectionString and pool, safe names, sane timeouts. */
export function parseOptions(options: PostgresDriverOptions): ParsedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError({ argument: 'postgres options', message: 'expected { connectionString } or { pool }.' });
  }
  const hasConnectionString = options.connectionString !== undefined;
  const hasPool = options.pool !== undefined;
  if (hasConnectionString === hasPool) {
    throw new InvalidArgumentError({ argument: 'postgres options', message: 'give exactly one of connectionString and pool.' });
  }
  if (hasConnectionString && (typeof options.connectionString !== 'string' || options.connectionString.length === 0)) {
    throw new InvalidArgumentError({ argument: 'postgres connectionString', message: 'expected a non-empty string.' });
  }
  if (hasPool && (options.connectionTimeoutMs !== undefined || options.statementTimeoutMs !== undefined)) {
    // Silently ignoring them would leave the caller believing their queries cannot hang.
    throw new InvalidArgumentError({
      argument: 'postgres options',
      message:
        'connectionTimeoutMs and statementTimeoutMs configure the pool the driver makes from a connectionString; ' +
        'set connectionTimeoutMillis, statement_timeout and query_timeout on your own pool instead.',
    });
  }
  return {
    source: options.pool === undefined ? { connectionString: options.connectionString as string } : { pool: options.pool },
    names: tableNames(options.schema ?? defaultSchema, options.tablePrefix ?? defaultTablePrefix),
    connectionTimeoutMs: timeoutOption(options.connectionTimeoutMs, 'connectionTimeoutMs', defaultConnectionTimeoutMs),
    statementTimeoutMs: timeoutOption(options.statementTimeoutMs, 'statementTimeoutMs', defaultStatementTimeoutMs),
  };
}
