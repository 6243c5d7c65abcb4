/**
 * The store factories, wired onto `SessionStore` by the package entry (src/session-store.ts): the
 * core never builds a driver, it is handed one. Every driver except memory is loaded on demand, so
 * `SessionStore.memory()` never loads better-sqlite3, pg or ioredis.
 */
import { MemoryDriver } from '../drivers/memory.js';
import type { RedisClientLike } from '../drivers/redis/client.js';
import {
  driverFromUrl,
  fileDriver,
  postgresDriver,
  redisDriver,
  sqliteDriver,
  type FileStoreOptions,
  type PostgresStoreOptions,
  type RedisStoreOptions,
  type SqliteStoreOptions,
} from '../drivers/registry.js';
import { DRIVER_OPTION_KEYS } from '../drivers/driver-options.js';
import { assertKnownKeys } from '../session/known-keys.js';
import { SessionStore, STORE_OPTION_KEYS, type StoreOptions } from '../session/store.js';

export interface OpenOptions extends StoreOptions, SqliteStoreOptions, FileStoreOptions {
  /** Connect now (default), so an unreachable backend fails `open`; `false` connects on first use (for a fallback's primary). */
  connect?: boolean;
}

declare module '../session/store.js' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace SessionStore {
    /** Sessions in this process's memory: gone when it exits. */
    function memory(options?: StoreOptions): SessionStore;
    /** The embedded default: one SQLite file (WAL, `synchronous=FULL` unless `durability: 'relaxed'`; `searchIndex: false` keeps no full-text index, and searches scan); `:memory:` allowed. */
    function sqlite(path: string, options?: StoreOptions & SqliteStoreOptions): SessionStore;
    /** Append-only JSONL files in a directory, fsynced before each call returns; several processes may share it. */
    function file(directory: string, options?: StoreOptions & FileStoreOptions): SessionStore;
    /**
     * PostgreSQL through `pg` (install it): `{ connectionString }` or a `{ pool }` you own, plus `schema` and `tablePrefix`.
     *
     * @example
     * const store = SessionStore.postgres({ connectionString: process.env.DATABASE_URL! });
     */
    function postgres(connection: PostgresStoreOptions, options?: StoreOptions): SessionStore;
    /**
     * Redis through `ioredis` (install it): `{ url }` or a `{ client }` you own; `keyPrefix`, and `ttlSeconds` for native expiry.
     *
     * @example
     * const store = SessionStore.redis({ url: 'redis://127.0.0.1:6379' }, { keyPrefix: 'app:sessions:' });
     */
    function redis(connection: { url: string } | { client: RedisClientLike }, redisOptions?: RedisStoreOptions, options?: StoreOptions): SessionStore;
    /**
     * A store from a URL: `memory:`, `sqlite:PATH` (`?searchIndex=off`), `file:DIR`, `postgres://...?schema=&tablePrefix=`,
     * `redis://...?keyPrefix=&ttlSeconds=`. Connects now, so a bad URL or an unreachable server fails here.
     */
    function open(url: string, options?: OpenOptions): Promise<SessionStore>;
  }
}

/** Splits a factory's options into the store's own and the rest (the driver's). */
export function splitStoreOptions<Options extends StoreOptions>(options: Options): [StoreOptions, Omit<Options, keyof StoreOptions>] {
  const store: Record<string, unknown> = {};
  const rest: Record<string, unknown> = { ...(options as Record<string, unknown>) };
  for (const key of STORE_OPTION_KEYS) {
    if (rest[key] !== undefined) store[key] = rest[key];
    delete rest[key];
  }
  return [store as StoreOptions, rest as Omit<Options, keyof StoreOptions>];
}

Object.assign(SessionStore, {
  memory(options: StoreOptions = {}): SessionStore {
    return SessionStore.fromDriver(new MemoryDriver(), options);
  },
  sqlite(path: string, options: StoreOptions & SqliteStoreOptions = {}): SessionStore {
    const [storeOptions, sqliteOptions] = splitStoreOptions(options);
    return SessionStore.fromDriver(sqliteDriver(path, sqliteOptions), storeOptions);
  },
  file(directory: string, options: StoreOptions & FileStoreOptions = {}): SessionStore {
    const [storeOptions, fileOptions] = splitStoreOptions(options);
    return SessionStore.fromDriver(fileDriver(directory, fileOptions), storeOptions);
  },
  postgres(connection: PostgresStoreOptions, options: StoreOptions = {}): SessionStore {
    return SessionStore.fromDriver(postgresDriver(connection), options);
  },
  redis(connection: { url: string } | { client: RedisClientLike }, redisOptions: RedisStoreOptions = {}, options: StoreOptions = {}): SessionStore {
    return SessionStore.fromDriver(redisDriver(connection, redisOptions), options);
  },
  async open(url: string, options: OpenOptions = {}): Promise<SessionStore> {
    assertKnownKeys(options, [...STORE_OPTION_KEYS, ...DRIVER_OPTION_KEYS, 'connect'], 'open options');
    const [storeOptions, { connect, ...driverOptions }] = splitStoreOptions(options);
    return SessionStore.fromDriver(await driverFromUrl(url, driverOptions, { connect: connect ?? true }), storeOptions);
  },
});
