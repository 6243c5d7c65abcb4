/**
 * The driver's only way to talk to Redis: each call maps a failure of the connection to
 * `StoreUnavailableError` (see errors.ts), and Lua scripts run by EVALSHA, falling back to EVAL
 * (which also caches the script) when the server does not know it yet, e.g. after a restart.
 * User input only ever travels as KEYS or ARGV values, never inside a script or a command name.
 */
import { createHash } from 'node:crypto';
import type { RedisClientLike } from './client.js';
import { closedError, isNoScriptError, toStoreError } from './errors.js';

export interface LuaScript {
  name: string;
  source: string;
  sha1: string;
}

export function luaScript(name: string, source: string): LuaScript {
  return { name, source, sha1: createHash('sha1').update(source).digest('hex') };
}

export class RedisConnection {
  private closed = false;

  constructor(private readonly client: RedisClientLike) {}

  markClosed(): void {
    this.closed = true;
  }

  async call(command: string, ...args: Array<string | number | Buffer>): Promise<unknown> {
    if (this.closed) throw closedError();
    try {
      return await this.client.call(command, ...args);
    } catch (error) {
      throw toStoreError(error, command);
    }
  }

  /** A command whose reply is binary (blob bytes): ioredis would decode it as UTF-8 through `call`. */
  async callBuffer(command: string, ...args: Array<string | number>): Promise<unknown> {
    if (this.closed) throw closedError();
    if (this.client.callBuffer === undefined) throw new Error('RedisDriver: file checkpoints need a client with callBuffer() (an ioredis client).');
    try {
      return await this.client.callBuffer(command, ...args);
    } catch (error) {
      throw toStoreError(error, command);
    }
  }

  async evaluate(script: LuaScript, keys: readonly string[], args: ReadonlyArray<string | number | Buffer>): Promise<unknown> {
    if (this.closed) throw closedError();
    try {
      try {
        return await this.client.call('EVALSHA', script.sha1, keys.length, ...keys, ...args);
      } catch (error) {
        if (!isNoScriptError(error)) throw error;
        return await this.client.call('EVAL', script.source, keys.length, ...keys, ...args);
      }
    } catch (error) {
      throw toStoreError(error, `the ${script.name} script`);
    }
  }
}

/** A reply that must be a string or nil. */
export function asOptionalString(reply: unknown): string | undefined {
  if (reply === null || reply === undefined) return undefined;
  if (typeof reply !== 'string') throw new Error(`RedisDriver: expected a string reply, got ${typeof reply}.`);
  return reply;
}

/** A reply that must be an array of strings (or nils, kept as undefined). */
export function asStringArray(reply: unknown): Array<string | undefined> {
  if (!Array.isArray(reply)) throw new Error(`RedisDriver: expected an array reply, got ${typeof reply}.`);
  return reply.map(asOptionalString);
}

export function asInteger(reply: unknown): number {
  const value = typeof reply === 'string' ? Number(reply) : reply;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new Error(`RedisDriver: expected an integer reply, got ${String(reply)}.`);
  return value;
}
