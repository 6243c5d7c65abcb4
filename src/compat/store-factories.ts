/**
 * The third seed's (002) store factories, each a `DbSessionStore` over a sessionloom store:
 * `createInMemoryStore({ retentionDays })`, `createSqliteStore({ path })` (`:memory:` when no path),
 * `createRedisStore({ redis, keyPrefix, ttlSeconds })` (`redis` a URL, ioredis connection options or
 * an ioredis client), `createFallbackSessionStore(primary, { fallback, onFallback, onRecover })`, and
 * the databases `DbSessionStore` opens: `new SqliteAgentDb({ path })`, `new PostgresAgentDb({ connectionString })`.
 */
import type { RedisClientLike } from '../drivers/redis/client.js';
import { InvalidArgumentError } from '../errors.js';
import { SessionStore } from '../session-store.js';
import {
  DbSessionStore,
  FallbackSessionStore,
  InMemorySessionStore,
  type AgentDb,
  type FallbackSessionStoreOptions,
  type InMemorySessionStoreOptions,
} from './db-session-store.js';

export function createInMemoryStore(options: InMemorySessionStoreOptions = {}): InMemorySessionStore {
  return new InMemorySessionStore(options);
}

export function createSqliteStore(options: { path?: string } = {}): DbSessionStore {
  return new DbSessionStore(new SqliteAgentDb(options));
}

/** ioredis connection options, as far as a URL can carry them. */
export interface RedisConnectionOptions {
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: unknown;
}

export interface RedisStoreConfig {
  /** `redis://...`, ioredis connection options, or an ioredis client you own. */
  redis: string | RedisConnectionOptions | RedisClientLike;
  keyPrefix?: string;
  ttlSeconds?: number;
}

export function createRedisStore(config: RedisStoreConfig): DbSessionStore {
  const { redis, keyPrefix, ttlSeconds } = config;
  const options = { ...(keyPrefix === undefined ? {} : { keyPrefix }), ...(ttlSeconds === undefined ? {} : { ttlSeconds }) };
  if (typeof redis === 'string') return new DbSessionStore(SessionStore.redis({ url: redis }, options));
  if (isRedisClient(redis)) return new DbSessionStore(SessionStore.redis({ client: redis }, options));
  if (typeof redis === 'object' && redis !== null) return new DbSessionStore(SessionStore.redis({ url: redisUrl(redis) }, options));
  throw new InvalidArgumentError({ argument: 'redis', message: 'expected a redis:// URL, ioredis connection options or an ioredis client.' });
}

function isRedisClient(value: unknown): value is RedisClientLike {
  return typeof value === 'object' && value !== null && typeof (value as { evalsha?: unknown }).evalsha === 'function';
}

function redisUrl(options: RedisConnectionOptions): string {
  const scheme = options.tls ? 'rediss' : 'redis';
  const credentials =
    options.password === undefined ? '' : `${encodeURIComponent(options.username ?? '')}:${encodeURIComponent(options.password)}@`;
  return `${scheme}://${credentials}${options.host ?? '127.0.0.1'}:${options.port ?? 6379}/${options.db ?? 0}`;
}

export function createFallbackSessionStore(primary: DbSessionStore | SessionStore, options: FallbackSessionStoreOptions = {}): FallbackSessionStore {
  return new FallbackSessionStore(primary, options);
}

/** A SQLite database file (`:memory:` when no path) for `DbSessionStore`. */
export class SqliteAgentDb implements AgentDb {
  readonly path: string;
  constructor(options: { path?: string } = {}) {
    this.path = options.path ?? ':memory:';
  }
  openSessionStore(): SessionStore {
    return SessionStore.sqlite(this.path);
  }
}

/** A PostgreSQL database for `DbSessionStore` (needs `pg`). */
export class PostgresAgentDb implements AgentDb {
  readonly connectionString: string;
  constructor(options: { connectionString: string }) {
    this.connectionString = options.connectionString;
  }
  openSessionStore(): SessionStore {
    return SessionStore.postgres({ connectionString: this.connectionString });
  }
}
