/**
 * The record adapter: the few methods a key-value or document database needs for
 * `SessionStore.fromAdapter(adapter)` to give it every feature of a store (fork, rewind, runs,
 * checkpoints, lifecycle). Values are JSON (objects, arrays, strings, finite numbers, booleans);
 * keys are strings of letters, digits and `._:@-~%`, safe as file names and database keys.
 *
 * Concurrency: with `compareAndSet`, any number of processes may share the data; without it, only
 * one process may write at a time (the single-writer rule), and that process's store objects are
 * serialized for you. See `AdapterDriver` for how a batch stays all-or-nothing.
 */
import { ConfigurationError } from '../../errors.js';
import type { JsonValue } from '../../types.js';

export interface RecordAdapter {
  /** The value at `key`, or `undefined` (or `null`) when there is none. */
  get(key: string): Promise<JsonValue | undefined | null>;
  /** Stores `value` at `key`, replacing what was there. */
  put(key: string, value: JsonValue): Promise<void>;
  /** Removes `key`; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Every stored key that starts with `prefix`, in any order. */
  list(prefix: string): Promise<string[]>;
  /**
   * Atomically: if the value at `key` equals `expected` (`undefined`: the key is absent), replace it
   * with `value` (`undefined`: delete the key) and return true; otherwise change nothing and return
   * false. Every value sessionloom passes here is an object with a `stamp` string that is fresh on
   * every write, so comparing `stamp` alone is enough (a conditional put/delete on one attribute).
   */
  compareAndSet?(key: string, expected: JsonValue | undefined, value: JsonValue | undefined): Promise<boolean>;
  /** Releases connections; called by the store's `close()` (optional). */
  close?(): Promise<void>;
  /** Where the data lives, without credentials (optional; a fallback store keys its journal by it). */
  readonly location?: string;
}

const REQUIRED_METHODS = ['get', 'put', 'delete', 'list'] as const;

export function assertRecordAdapter(candidate: unknown): asserts candidate is RecordAdapter {
  const fail = (problem: string): never => {
    throw new ConfigurationError({
      setting: 'adapter',
      message: `SessionStore.fromAdapter was given something that is not a record adapter: ${problem}. Expected { get(key), put(key, value), delete(key), list(prefix), compareAndSet?(key, expected, value) }.`,
    });
  };
  if (typeof candidate !== 'object' || candidate === null) return fail(`expected an object, got ${candidate === null ? 'null' : typeof candidate}`);
  const adapter = candidate as Record<string, unknown>;
  const missing = REQUIRED_METHODS.filter((method) => typeof adapter[method] !== 'function');
  if (missing.length > 0) fail(`it lacks ${missing.join(', ')}`);
  if (adapter.compareAndSet !== undefined && typeof adapter.compareAndSet !== 'function') fail('compareAndSet must be a function when given');
  if (adapter.close !== undefined && typeof adapter.close !== 'function') fail('close must be a function when given');
}
