/**
 * The adapter as the driver uses it: values copied in and out (never shared with the adapter, and
 * checked to be JSON on the way in), `null` read as absent, reads of many keys in parallel chunks,
 * adapter failures reported as `StoreUnavailableError`, and `compareAndSet` emulated when the
 * adapter has none.
 *
 * The emulation (read, compare, write) is atomic only among the stores of this process over the
 * same adapter object, which share one set of key locks: that is the single-writer rule.
 */
import { SessionloomError, StoreUnavailableError } from '../../errors.js';
import type { JsonValue } from '../../types.js';
import type { RecordAdapter } from './adapter.js';

const PARALLEL_READS = 64;

/** Key locks shared by every driver over one adapter object (for emulated compare-and-set). */
const emulationLocks = new WeakMap<RecordAdapter, Map<string, Promise<unknown>>>();

export class AdapterAccess {
  /** True when the adapter has its own compare-and-set (several processes may write). */
  readonly concurrent: boolean;
  private readonly locks: Map<string, Promise<unknown>>;

  constructor(
    private readonly adapter: RecordAdapter,
    private readonly storeName: string,
  ) {
    this.concurrent = typeof adapter.compareAndSet === 'function';
    let locks = emulationLocks.get(adapter);
    if (!locks) emulationLocks.set(adapter, (locks = new Map()));
    this.locks = locks;
  }

  async get<Value extends JsonValue>(key: string): Promise<Value | undefined> {
    const value = await this.call('get', () => this.adapter.get(key));
    return value === null || value === undefined ? undefined : (copy(value) as Value);
  }

  /** The values at `keys`, in the same order (undefined where absent). */
  async getMany<Value extends JsonValue>(keys: string[]): Promise<Array<Value | undefined>> {
    const values: Array<Value | undefined> = [];
    for (let start = 0; start < keys.length; start += PARALLEL_READS) {
      values.push(...(await Promise.all(keys.slice(start, start + PARALLEL_READS).map((key) => this.get<Value>(key)))));
    }
    return values;
  }

  async put(key: string, value: JsonValue): Promise<void> {
    const stored = copy(value);
    await this.call('put', () => this.adapter.put(key, stored));
  }

  async putMany(entries: Array<{ key: string; value: JsonValue }>): Promise<void> {
    for (let start = 0; start < entries.length; start += PARALLEL_READS) {
      await Promise.all(entries.slice(start, start + PARALLEL_READS).map(({ key, value }) => this.put(key, value)));
    }
  }

  async delete(key: string): Promise<void> {
    await this.call('delete', () => this.adapter.delete(key));
  }

  async deleteMany(keys: string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += PARALLEL_READS) {
      await Promise.all(keys.slice(start, start + PARALLEL_READS).map((key) => this.delete(key)));
    }
  }

  async list(prefix: string): Promise<string[]> {
    const listed = await this.call('list', () => this.adapter.list(prefix));
    if (!Array.isArray(listed)) throw new Error(`record adapter: list("${prefix}") returned ${typeof listed}, not an array of keys`);
    // An adapter whose list matches loosely (a LIKE, a glob) must not hand us a neighbour's keys.
    return listed.filter((key) => typeof key === 'string' && key.startsWith(prefix));
  }

  /** Replaces the value at `key` with `value` (undefined: deletes it) iff it still equals `expected`. */
  async compareAndSet(key: string, expected: JsonValue | undefined, value: JsonValue | undefined): Promise<boolean> {
    const next = value === undefined ? undefined : copy(value);
    if (this.adapter.compareAndSet) {
      const swapped = await this.call('compareAndSet', () => this.adapter.compareAndSet!(key, expected, next));
      return swapped === true;
    }
    return this.exclusive(key, async () => {
      const current = await this.get(key);
      if (!sameJson(current, expected)) return false;
      if (next === undefined) await this.delete(key);
      else await this.put(key, next);
      return true;
    });
  }

  async close(): Promise<void> {
    await this.call('close', async () => this.adapter.close?.());
  }

  private async exclusive<Result>(key: string, task: () => Promise<Result>): Promise<Result> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const settled = run.catch(() => undefined);
    this.locks.set(key, settled);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === settled) this.locks.delete(key);
    }
  }

  /** Runs an adapter call; its own failures become `StoreUnavailableError` (a fallback store serves on those). */
  private async call<Result>(method: string, run: () => Promise<Result> | Result): Promise<Result> {
    try {
      return await run();
    } catch (error) {
      if (SessionloomError.isSessionloomError(error)) throw error;
      throw new StoreUnavailableError({
        store: this.storeName,
        message: `The ${this.storeName} store's adapter failed in ${method}: ${error instanceof Error ? error.message : String(error)}`,
        cause: error,
      });
    }
  }
}

/** A deep copy through JSON: what is stored is plain JSON, whatever the caller keeps. */
function copy(value: JsonValue): JsonValue {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('record adapter: a value must be JSON');
  return JSON.parse(text) as JsonValue;
}

function sameJson(left: JsonValue | undefined, right: JsonValue | undefined): boolean {
  if (left === undefined || right === undefined) return left === right;
  return JSON.stringify(left) === JSON.stringify(right);
}
