/**
 * Items compared the way they are stored: a key set to `undefined` is absent, bytes compare by
 * value, and key order does not matter. History transactions need this twice: to check that the
 * stored suffix is the one the runner expects, and to tell a retried transaction from a
 * different one reusing its operation id.
 */
import { createHash } from 'node:crypto';
import { encodeJson } from '../../common/codec.js';

/** Stable JSON text of `value`: equal for values `getItems` would return equal. */
export function canonicalJson(value: unknown): string {
  const plain = JSON.parse(encodeJson(value, { argument: 'history item', allowRichValues: true, dropUndefinedKeys: true })) as unknown;
  return JSON.stringify(sortKeys(plain));
}

export function sameItems(left: readonly unknown[], right: readonly unknown[]): boolean {
  return left.length === right.length && canonicalJson(left) === canonicalJson(right);
}

export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    // defineProperty, so a "__proto__" key stays data instead of changing the prototype.
    Object.defineProperty(sorted, key, { value: sortKeys((value as Record<string, unknown>)[key]), enumerable: true });
  }
  return sorted;
}
