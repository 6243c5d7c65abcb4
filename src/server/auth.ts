/**
 * Bearer-token authentication for `/api/*`. A token is either bound to a user (the request then
 * acts through `store.withScope({ userId })`: that user's sessions only, anyone else's read as
 * missing) or unbound (the whole store, for operators and trusted services).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { assertValidId } from '../common/ids.js';
import { InvalidArgumentError } from '../errors.js';
import type { SessionStore } from '../session/store.js';
import type { ServerEnv } from './env.js';
import { jsonError } from './errors.js';

export interface AuthToken {
  /** The secret a client sends as `Authorization: Bearer <token>`: at least 16 visible ASCII characters. */
  token: string;
  /** Bind the token to this user: it sees and changes only their sessions. Unbound tokens see everything. */
  userId?: string;
}

export interface AuthOptions {
  /** No tokens: no authentication (`startServer` allows that only on a loopback address). */
  tokens?: AuthToken[];
}

/** Short secrets can be guessed over the network; 16 characters is the floor, random 32+ is better. */
const MIN_TOKEN_LENGTH = 16;
/** What an HTTP header can carry in a Bearer credential: visible ASCII, no spaces. */
const TOKEN_PATTERN = /^[\x21-\x7e]+$/;
const BEARER = /^Bearer +(\S+) *$/i;

interface TokenEntry {
  digest: Buffer;
  store: SessionStore;
  userId: string | undefined;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Checks the configured tokens, so a typo fails at start-up instead of locking everyone out later. */
export function validateTokens(tokens: readonly AuthToken[] | undefined): void {
  if (tokens === undefined) return;
  if (!Array.isArray(tokens)) throw new InvalidArgumentError({ argument: 'tokens', message: 'expected an array of { token, userId? }.' });
  const seen = new Set<string>();
  tokens.forEach((entry, index) => {
    const token: unknown = entry?.token;
    if (typeof token !== 'string' || token.length < MIN_TOKEN_LENGTH || !TOKEN_PATTERN.test(token)) {
      throw new InvalidArgumentError({
        argument: `tokens[${index}].token`,
        message: `expected at least ${MIN_TOKEN_LENGTH} visible ASCII characters without spaces.`,
      });
    }
    // The same secret bound to two users would make the request's scope depend on list order.
    if (seen.has(token)) throw new InvalidArgumentError({ argument: `tokens[${index}].token`, message: 'the same token is listed twice.' });
    seen.add(token);
    if (entry.userId !== undefined) assertValidId(entry.userId, `tokens[${index}].userId`);
  });
}

/**
 * The middleware that authenticates a request and sets the store it acts on. Without tokens every
 * request gets the whole store (the caller decided the network is trusted: see `startServer`).
 */
export function authMiddleware(store: SessionStore, options: AuthOptions): MiddlewareHandler<ServerEnv> {
  validateTokens(options.tokens);
  const tokens = options.tokens ?? [];
  if (tokens.length === 0) {
    return async (c, next) => {
      c.set('store', store);
      c.set('userId', undefined);
      await next();
    };
  }
  // Scoped views are made once: they share the store's driver and caches, so this is only bookkeeping.
  const entries: TokenEntry[] = tokens.map((entry) => ({
    digest: digest(entry.token),
    store: entry.userId === undefined ? store : store.withScope({ userId: entry.userId }),
    userId: entry.userId,
  }));
  return async (c, next) => {
    const match = BEARER.exec(c.req.header('authorization') ?? '');
    const presented = match?.[1];
    const entry = presented === undefined ? undefined : findToken(entries, presented);
    if (!entry) {
      c.header('WWW-Authenticate', presented === undefined ? 'Bearer realm="sessionloom"' : 'Bearer realm="sessionloom", error="invalid_token"');
      return jsonError(c, 401, 'UNAUTHORIZED', 'Send a valid token as "Authorization: Bearer <token>": one the server was started with ($SESSIONLOOM_TOKEN or --tokens-file).');
    }
    c.set('store', entry.store);
    c.set('userId', entry.userId);
    await next();
  };
}

/**
 * Compares digests, not the tokens: equal-length buffers let `timingSafeEqual` run in constant
 * time, and a token's length is not revealed. Every entry is compared, so the time does not tell
 * which (or whether an early) entry matched either.
 */
function findToken(entries: readonly TokenEntry[], presented: string): TokenEntry | undefined {
  const presentedDigest = digest(presented);
  let found: TokenEntry | undefined;
  for (const entry of entries) {
    if (timingSafeEqual(entry.digest, presentedDigest) && found === undefined) found = entry;
  }
  return found;
}
