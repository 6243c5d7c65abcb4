/**
 * From a factory call or a store URL to a driver. Every driver except memory is loaded on demand
 * (a dynamic import), so users never load a database client they do not use, and a missing client
 * library is a clear error naming the package to install.
 *
 * URLs: `memory:`, `sqlite:PATH` (`sqlite::memory:` too), `file:DIR`,
 * `postgres://...?schema=NAME&tablePrefix=PREFIX`, `redis://...?keyPrefix=PREFIX&ttlSeconds=N`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { StorageDriver } from '../driver/driver.js';
import { InvalidArgumentError } from '../errors.js';
import type { FileDriverOptions } from './file/driver.js';
import { importClient, lazyDriver, type LazyDriver } from './lazy.js';
import { MemoryDriver } from './memory.js';
import type { PostgresDriverOptions } from './postgres/options.js';
import type { RedisDriverOptions } from './redis/options.js';

export interface SqliteStoreOptions {
  /** `durable` (default): on disk before a call returns, power loss included. `relaxed`: survives a crash of the process, not of the machine. */
  durability?: 'durable' | 'relaxed';
  /** How long a writer waits for another process's write lock before failing (default 10 s). */
  busyTimeoutMs?: number;
}

export type FileStoreOptions = Omit<FileDriverOptions, 'directory'>;
export type PostgresStoreOptions = PostgresDriverOptions;
export type RedisStoreOptions = Omit<RedisDriverOptions, 'url' | 'client'>;



export function sqliteDriver(path: string, options: SqliteStoreOptions = {}): LazyDriver {
  if (typeof path !== 'string' || path.length === 0) {
    throw new InvalidArgumentError({ argument: 'sqlite path', message: 'expected a file path or ":memory:".' });
  }
  return lazyDriver(
    'sqlite',
    async () => {
      await importClient('better-sqlite3', 'sqlite');
      const { SqliteDriver } = await import('./sqlite/driver.js');
      return new SqliteDriver({ path, ...options });
    },
    { location: path === ':memory:' ? `:memory:#${randomUUID()}` : resolve(path) },
  );
}

export function fileDriver(directory: string, options: FileStoreOptions = {}): LazyDriver {
  if (typeof directory !== 'string' || directory.length === 0) {
    throw new InvalidArgumentError({ argument: 'file store directory', message: 'expected a directory path.' });
  }
  return lazyDriver(
    'file',
    async () => {
      const { FileDriver } = await import('./file/driver.js');
      return new FileDriver({ ...options, directory });
    },
    { location: resolve(directory) },
  );
}

export function postgresDriver(options: PostgresDriverOptions): LazyDriver {
  return lazyDriver(
    'postgres',
    async () => {
      if (options.pool === undefined) await importClient('pg', 'postgres');
      const { PostgresDriver } = await import('./postgres/driver.js');
      return PostgresDriver.connect(options);
    },
    {
      ...(options.connectionString === undefined
        ? {}
        : { location: `${withoutCredentials(options.connectionString)}#${options.schema ?? 'public'}.${options.tablePrefix ?? 'sessionloom_'}` }),
    },
  );
}

export function redisDriver(connection: { url: string } | { client: NonNullable<RedisDriverOptions['client']> }, options: RedisStoreOptions = {}): LazyDriver {
  return lazyDriver(
    'redis',
    async () => {
      if (!('client' in connection)) await importClient('ioredis', 'redis');
      const { RedisDriver } = await import('./redis/driver.js');
      return RedisDriver.connect({ ...options, ...connection });
    },
    {
      // The URL carries the key prefix as a query parameter when it came from `open`.
      ...('url' in connection ? { location: `${withoutCredentials(connection.url)}#${options.keyPrefix ?? ''}` } : {}),
    },
  );
}

/** The URL without user name and password: a location to key things by, never to print secrets from. */
function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return createHash('sha256').update(url).digest('hex');
  }
}

/** Takes sessionloom's own query parameters out of a PostgreSQL URL (pg would send unknown ones to the server). */
function postgresFromUrl(url: string): PostgresDriverOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new InvalidArgumentError({ argument: 'store URL', message: 'it is not a valid postgres:// URL.', cause: error });
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  const tablePrefix = parsed.searchParams.get('tablePrefix') ?? undefined;
  parsed.searchParams.delete('schema');
  parsed.searchParams.delete('tablePrefix');
  return {
    connectionString: parsed.toString(),
    ...(schema === undefined ? {} : { schema }),
    ...(tablePrefix === undefined ? {} : { tablePrefix }),
  };
}

/**
 * The driver for a store URL. With `connect` (the default) it is ready to use, so a bad path, a
 * refused connection or a missing library fails here; without, it connects on first use (what a
 * fallback store wants: its primary may be down when the process starts).
 */
export async function driverFromUrl(
  url: string,
  options: SqliteStoreOptions & FileStoreOptions = {},
  { connect = true }: { connect?: boolean } = {},
): Promise<StorageDriver> {
  if (typeof url !== 'string') throw new InvalidArgumentError({ argument: 'store URL', message: 'expected a string.' });
  const scheme = url.slice(0, url.indexOf(':') + 1).toLowerCase();
  let driver: LazyDriver;
  switch (scheme) {
    case 'memory:':
      return new MemoryDriver();
    case 'sqlite:':
      driver = sqliteDriver(url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, ''), options);
      break;
    case 'file:':
      driver = fileDriver(url.slice('file:'.length).replace(/^\/\/(?=\/)/, ''), options);
      break;
    case 'postgres:':
    case 'postgresql:':
      driver = postgresDriver(postgresFromUrl(url));
      break;
    case 'redis:':
    case 'rediss:':
      driver = redisDriver({ url });
      break;
    default:
      throw new InvalidArgumentError({
        argument: 'store URL',
        message: `"${url}" has no supported scheme; use memory:, sqlite:PATH, file:DIR, postgres://... or redis://...`,
      });
  }
  if (connect) await driver.ready();
  return driver;
}
