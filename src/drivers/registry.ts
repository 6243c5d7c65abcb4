/**
 * From a factory call or a store URL to a driver. Every driver except memory is loaded on demand
 * (a dynamic import), so users never load a database client they do not use, and a missing client
 * library is a clear error naming the package to install.
 *
 * URLs: `memory:`, `sqlite:PATH` (`sqlite::memory:` too; `?searchIndex=off` after it), `file:DIR`,
 * `postgres://...?schema=NAME&tablePrefix=PREFIX`, `redis://...?keyPrefix=PREFIX&ttlSeconds=N`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { ALL_CAPABILITIES, POLLED_CAPABILITIES, type StorageDriver } from '../driver/driver.js';
import { InvalidArgumentError } from '../errors.js';
import type { FileDriverOptions } from './file/driver.js';
import {
  checkDriverOptions,
  fileOptionsSchema,
  postgresOptionsSchema,
  redisOptionsSchema,
  sqliteOptionsSchema,
} from './driver-options.js';
import { importClient, lazyDriver, type LazyDriver } from './lazy.js';
import { MemoryDriver } from './memory.js';
import type { PostgresDriverOptions } from './postgres/options.js';
import type { RedisDriverOptions } from './redis/options.js';

export interface SqliteStoreOptions {
  /** `durable` (default): on disk before a call returns, power loss included. `relaxed`: survives a crash of the process, not of the machine. */
  durability?: 'durable' | 'relaxed';
  /** How long a writer waits for another process's write lock before failing (default 10 s). */
  busyTimeoutMs?: number;
  /**
   * Whether the file keeps a full-text index for `search` (a setting of the file, shared by every
   * process). Absent: the file's setting (on for a new file); given and different: the file is
   * switched. Off: no index bytes (about a quarter of each message's), and searches scan, bounded
   * at 100,000 messages (`partial: true` past that).
   */
  searchIndex?: boolean;
}

export type FileStoreOptions = Omit<FileDriverOptions, 'directory'>;
export type PostgresStoreOptions = PostgresDriverOptions;
export type RedisStoreOptions = Omit<RedisDriverOptions, 'url' | 'client'>;



export function sqliteDriver(path: string, options: SqliteStoreOptions = {}): LazyDriver {
  if (typeof path !== 'string' || path.length === 0) {
    throw new InvalidArgumentError({ argument: 'sqlite path', message: 'expected a file path or ":memory:".' });
  }
  checkDriverOptions(sqliteOptionsSchema, options, 'sqlite store options');
  return lazyDriver(
    'sqlite',
    async () => {
      await importClient('better-sqlite3', 'sqlite');
      const { SqliteDriver } = await import('./sqlite/driver.js');
      return new SqliteDriver({ path, ...options });
    },
    {
      location: path === ':memory:' ? `:memory:#${randomUUID()}` : resolve(path),
      // Absent, the file decides: a file kept without the index answers searches with undefined, and the core scans.
      capabilities: { ...POLLED_CAPABILITIES, search: options.searchIndex !== false },
    },
  );
}

export function fileDriver(directory: string, options: FileStoreOptions = {}): LazyDriver {
  if (typeof directory !== 'string' || directory.length === 0) {
    throw new InvalidArgumentError({ argument: 'file store directory', message: 'expected a directory path.' });
  }
  checkDriverOptions(fileOptionsSchema, options, 'file store options');
  return lazyDriver(
    'file',
    async () => {
      const { FileDriver } = await import('./file/driver.js');
      return new FileDriver({ ...options, directory });
    },
    { location: resolve(directory), capabilities: POLLED_CAPABILITIES },
  );
}

export function postgresDriver(options: PostgresDriverOptions): LazyDriver {
  checkDriverOptions(postgresOptionsSchema, options, 'postgres store options');
  if ((options.connectionString === undefined) === (options.pool === undefined)) {
    throw new InvalidArgumentError({ argument: 'postgres store options', message: 'give either connectionString or pool (exactly one).' });
  }
  return lazyDriver(
    'postgres',
    async () => {
      if (options.pool === undefined) await importClient('pg', 'postgres');
      const { PostgresDriver } = await import('./postgres/driver.js');
      return PostgresDriver.connect(options);
    },
    {
      capabilities: { ...ALL_CAPABILITIES, search: true },
      ...(options.connectionString === undefined
        ? {}
        : { location: `${withoutCredentials(options.connectionString)}#${options.schema ?? 'public'}.${options.tablePrefix ?? 'sessionloom_'}` }),
    },
  );
}

export function redisDriver(connection: { url: string } | { client: NonNullable<RedisDriverOptions['client']> }, options: RedisStoreOptions = {}): LazyDriver {
  const hasUrl = typeof (connection as { url?: unknown })?.url === 'string';
  const hasClient = typeof (connection as { client?: unknown })?.client === 'object' && (connection as { client?: unknown }).client !== null;
  if (hasUrl === hasClient) {
    throw new InvalidArgumentError({ argument: 'redis connection', message: 'expected { url: "redis://..." } or { client } (an ioredis client), exactly one.' });
  }
  checkDriverOptions(redisOptionsSchema, options, 'redis store options');
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

type OpenUrlOptions = SqliteStoreOptions & FileStoreOptions;

/** The path after `scheme:` (and after `//` when an absolute path follows: `sqlite:///tmp/x.db`). */
const pathOf = (url: string): string => url.slice(url.indexOf(':') + 1).replace(/^\/\/(?=\/)/, '');

const SEARCH_INDEX_VALUES: Record<string, boolean> = { on: true, off: false, true: true, false: false };

/**
 * A `sqlite:` URL's file and options: `sqlite:./a.db?searchIndex=off`. A `?` starts the options
 * (so a file name cannot hold one); each option is known and given once, or the URL is refused.
 */
export function sqliteUrlParts(url: string): { path: string; options: Pick<SqliteStoreOptions, 'searchIndex'> } {
  const whole = pathOf(url);
  const mark = whole.indexOf('?');
  if (mark === -1) return { path: whole, options: {} };
  const options: Pick<SqliteStoreOptions, 'searchIndex'> = {};
  const seen = new Set<string>();
  const refuse = (message: string) => new InvalidArgumentError({ argument: 'store URL', message: `"${url}": ${message}` });
  for (const [key, text] of new URLSearchParams(whole.slice(mark + 1))) {
    if (key !== 'searchIndex') throw refuse(`unknown option "${key}"; a sqlite: URL takes searchIndex=on or searchIndex=off.`);
    if (seen.has(key)) throw refuse(`${key} is given twice.`);
    seen.add(key);
    const value = Object.hasOwn(SEARCH_INDEX_VALUES, text.toLowerCase()) ? SEARCH_INDEX_VALUES[text.toLowerCase()] : undefined;
    if (value === undefined) throw refuse(`searchIndex must be on or off, got "${text}".`);
    options.searchIndex = value;
  }
  return { path: whole.slice(0, mark), options };
}

/**
 * The file or directory a `sqlite:` or `file:` URL names, as written (`:memory:` too; a sqlite: URL's
 * options are not part of the name), or undefined for another scheme.
 */
export function localUrlPath(url: string): string | undefined {
  const scheme = url.slice(0, url.indexOf(':') + 1).toLowerCase();
  if (scheme === 'sqlite:') return sqliteUrlParts(url).path;
  return scheme === 'file:' ? pathOf(url) : undefined;
}

/**
 * Every store URL scheme and the driver it opens: the one table a new store is added to (with its
 * driver's folder under src/drivers/).
 */
const SCHEMES: Record<string, (url: string, options: OpenUrlOptions) => StorageDriver | LazyDriver> = {
  'memory:': () => new MemoryDriver(),
  'sqlite:': (url, options) => {
    const { path, options: fromUrl } = sqliteUrlParts(url);
    const given = pick(options, sqliteOptionsSchema.keyof().options);
    if (fromUrl.searchIndex !== undefined && given.searchIndex !== undefined && fromUrl.searchIndex !== given.searchIndex) {
      throw new InvalidArgumentError({ argument: 'store URL', message: `"${url}" says searchIndex=${fromUrl.searchIndex ? 'on' : 'off'}, but the open options say searchIndex: ${given.searchIndex}; give one.` });
    }
    return sqliteDriver(path, { ...given, ...fromUrl });
  },
  'file:': (url, options) => fileDriver(pathOf(url), pick(options, fileOptionsSchema.keyof().options)),
  'postgres:': (url) => postgresDriver(postgresFromUrl(url)),
  'postgresql:': (url) => postgresDriver(postgresFromUrl(url)),
  'redis:': (url) => redisDriver({ url }),
  'rediss:': (url) => redisDriver({ url }),
};

/**
 * The driver for a store URL. With `connect` (the default) it is ready to use, so a bad path, a
 * refused connection or a missing library fails here; without, it connects on first use (what a
 * fallback store wants: its primary may be down when the process starts).
 */
export async function driverFromUrl(url: string, options: OpenUrlOptions = {}, { connect = true }: { connect?: boolean } = {}): Promise<StorageDriver> {
  if (typeof url !== 'string') throw new InvalidArgumentError({ argument: 'store URL', message: 'expected a string.' });
  // Every option given is checked, whichever store the URL names: a bad value is a mistake either way.
  checkDriverOptions(sqliteOptionsSchema, pick(options, sqliteOptionsSchema.keyof().options), 'open options');
  checkDriverOptions(fileOptionsSchema, pick(options, fileOptionsSchema.keyof().options), 'open options');
  const scheme = url.slice(0, url.indexOf(':') + 1).toLowerCase();
  const open = Object.hasOwn(SCHEMES, scheme) ? SCHEMES[scheme] : undefined;
  if (!open) {
    throw new InvalidArgumentError({
      argument: 'store URL',
      message: `"${url}" has no supported scheme; use ${Object.keys(SCHEMES).join(' ')} (memory:, sqlite:PATH, file:DIR, postgres://..., redis://...).`,
    });
  }
  const driver = open(url, options);
  if (connect && 'ready' in driver) await (driver as LazyDriver).ready();
  return driver;
}

/** The options one driver takes, out of `open`'s options for every driver. */
function pick<Options extends object>(options: Options, keys: readonly string[]): Partial<Options> {
  return Object.fromEntries(Object.entries(options).filter(([key]) => keys.includes(key))) as Partial<Options>;
}
