/**
 * `MapRecordAdapter`: a `RecordAdapter` over an in-memory map, the shortest complete example of
 * the adapter contract, and what tests run `SessionStore.fromAdapter` on. Values are kept as JSON
 * text (so nothing is ever shared with a caller), keys in a sorted array (so `list(prefix)` is a
 * binary search, not a scan of every key).
 *
 * @example
 * const store = SessionStore.fromAdapter(new MapRecordAdapter());
 */
import type { JsonValue } from '../../types.js';
import type { RecordAdapter } from './adapter.js';

export interface MapRecordAdapterOptions {
  /** Offer compareAndSet (default true). Without it the store follows the single-writer rule. */
  compareAndSet?: boolean;
}

export class MapRecordAdapter implements RecordAdapter {
  // NonNullable: under a consumer's exactOptionalPropertyTypes, an optional member typed with undefined does not implement the interface's optional method.
  readonly compareAndSet?: NonNullable<RecordAdapter['compareAndSet']>;
  private readonly values = new Map<string, string>();
  private readonly sortedKeys: string[] = [];

  constructor(options: MapRecordAdapterOptions = {}) {
    if (options.compareAndSet !== false) {
      this.compareAndSet = async (key, expected, value) => {
        const current = this.values.get(key);
        if (current !== (expected === undefined ? undefined : JSON.stringify(expected))) return false;
        if (value === undefined) this.remove(key);
        else this.store(key, value);
        return true;
      };
    }
  }

  /** How many keys are stored (for tests and curiosity). */
  get size(): number {
    return this.values.size;
  }

  async get(key: string): Promise<JsonValue | undefined> {
    const text = this.values.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as JsonValue);
  }

  async put(key: string, value: JsonValue): Promise<void> {
    this.store(key, value);
  }

  async delete(key: string): Promise<void> {
    this.remove(key);
  }

  async list(prefix: string): Promise<string[]> {
    const found: string[] = [];
    for (let index = this.lowerBound(prefix); index < this.sortedKeys.length; index += 1) {
      const key = this.sortedKeys[index]!;
      if (!key.startsWith(prefix)) break;
      found.push(key);
    }
    return found;
  }

  private store(key: string, value: JsonValue): void {
    if (!this.values.has(key)) this.sortedKeys.splice(this.lowerBound(key), 0, key);
    this.values.set(key, JSON.stringify(value));
  }

  private remove(key: string): void {
    if (!this.values.delete(key)) return;
    this.sortedKeys.splice(this.lowerBound(key), 1);
  }

  /** The index of the first key not less than `key`. */
  private lowerBound(key: string): number {
    let low = 0;
    let high = this.sortedKeys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.sortedKeys[middle]! < key) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
