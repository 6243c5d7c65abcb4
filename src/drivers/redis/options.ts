/**
 * The Redis driver's options, from the caller and from the URL: `redis://host:6379/0?keyPrefix=app:&ttlSeconds=3600`
 * (what `SessionStore.open` receives). sessionloom's own query parameters are taken out of the URL
 * before ioredis sees it: ioredis turns query parameters into client options, and its own
 * `keyPrefix` would prefix some keys of a command but not those inside script arguments.
 */
import { InvalidArgumentError } from '../../errors.js';
import type { RedisClientLike } from './client.js';
import { DEFAULT_COMMAND_TIMEOUT_MS } from './client.js';
import { DEFAULT_KEY_PREFIX } from './keys.js';

export interface RedisDriverOptions {
  /** `redis://` or `rediss://` URL; the driver makes (and on close, quits) its own ioredis client. */
  url?: string;
  /** An ioredis client you own: the driver uses it and leaves it open on close. */
  client?: RedisClientLike;
  /** Prepended to every key (default `sessionloom:`); stores with different prefixes never see each other. */
  keyPrefix?: string;
  /**
   * Native expiry: a session whose data nothing writes for this long disappears, with its messages
   * (history a live fork still reaches stays). Every process sharing a prefix should use the same value.
   */
  ttlSeconds?: number;
  /** How long one command may wait for an answer before failing (own client only; default 5 s). */
  commandTimeoutMs?: number;
}

export interface ResolvedRedisOptions {
  url?: string;
  client?: RedisClientLike;
  keyPrefix: string;
  ttlMs?: number;
  commandTimeoutMs: number;
}

/** The largest TTL Redis handles comfortably in milliseconds (about 31 years). */
const MAX_TTL_SECONDS = 1_000_000_000;

export function resolveOptions(options: RedisDriverOptions): ResolvedRedisOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError({ argument: 'redis options', message: 'expected { url } or { client }.' });
  }
  const hasUrl = options.url !== undefined;
  const hasClient = options.client !== undefined;
  if (hasUrl === hasClient) {
    throw new InvalidArgumentError({ argument: 'redis options', message: 'give exactly one of "url" and "client".' });
  }
  let fromUrl: Record<string, string> = {};
  let url: string | undefined;
  if (hasUrl) ({ url, parameters: fromUrl } = splitUrl(options.url));
  if (hasClient) assertClient(options.client);

  const ttlSeconds = options.ttlSeconds ?? numberParameter(fromUrl, 'ttlSeconds');
  if (ttlSeconds !== undefined && !(Number.isInteger(ttlSeconds) && ttlSeconds > 0 && ttlSeconds <= MAX_TTL_SECONDS)) {
    throw new InvalidArgumentError({ argument: 'ttlSeconds', message: `expected a whole number of seconds from 1 to ${MAX_TTL_SECONDS}.` });
  }
  const commandTimeoutMs = options.commandTimeoutMs ?? numberParameter(fromUrl, 'commandTimeoutMs') ?? DEFAULT_COMMAND_TIMEOUT_MS;
  if (!(Number.isInteger(commandTimeoutMs) && commandTimeoutMs > 0)) {
    throw new InvalidArgumentError({ argument: 'commandTimeoutMs', message: 'expected a positive whole number of milliseconds.' });
  }
  const keyPrefix = options.keyPrefix ?? fromUrl.keyPrefix ?? DEFAULT_KEY_PREFIX;
  if (typeof keyPrefix !== 'string') throw new InvalidArgumentError({ argument: 'keyPrefix', message: 'expected a string.' });
  return {
    ...(url === undefined ? {} : { url }),
    ...(options.client === undefined ? {} : { client: options.client }),
    keyPrefix,
    ...(ttlSeconds === undefined ? {} : { ttlMs: ttlSeconds * 1000 }),
    commandTimeoutMs,
  };
}

const OWN_PARAMETERS = ['keyPrefix', 'ttlSeconds', 'commandTimeoutMs'] as const;

function splitUrl(url: unknown): { url: string; parameters: Record<string, string> } {
  let parsed: URL;
  try {
    if (typeof url !== 'string') throw new TypeError('not a string');
    parsed = new URL(url);
  } catch (error) {
    throw new InvalidArgumentError({ argument: 'redis url', message: 'expected a redis:// or rediss:// URL.', cause: error });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new InvalidArgumentError({ argument: 'redis url', message: `expected redis:// or rediss://, got "${parsed.protocol}".` });
  }
  const parameters: Record<string, string> = {};
  for (const name of OWN_PARAMETERS) {
    const value = parsed.searchParams.get(name);
    if (value !== null) parameters[name] = value;
    parsed.searchParams.delete(name);
  }
  return { url: parsed.toString(), parameters };
}

function numberParameter(parameters: Record<string, string>, name: string): number | undefined {
  const text = parameters[name];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) {
    throw new InvalidArgumentError({ argument: name, message: `the URL parameter must be a number, got ${JSON.stringify(text)}.` });
  }
  return value;
}

function assertClient(client: unknown): asserts client is RedisClientLike {
  const candidate = client as Partial<RedisClientLike> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.call !== 'function' || typeof candidate.on !== 'function') {
    throw new InvalidArgumentError({ argument: 'redis client', message: 'expected an ioredis client (with call() and on()).' });
  }
  const clientPrefix = candidate.options?.keyPrefix;
  if (typeof clientPrefix === 'string' && clientPrefix !== '') {
    throw new InvalidArgumentError({
      argument: 'redis client',
      message: `the client has the ioredis keyPrefix "${clientPrefix}"; create it without one and pass { keyPrefix } to sessionloom instead.`,
    });
  }
}
