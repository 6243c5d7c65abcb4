/**
 * The fast path of encoding a message: most messages are plain JSON data already (strings, numbers,
 * plain objects and arrays, no binary, no `$sl` key), for which the codec's copy (codec.ts
 * `toEncodable`, which builds the tagged form of rich values) would produce an equal object that
 * `JSON.stringify` then writes. Profiled, that copy was about a fifth of the core's CPU in an
 * append. `isPlainJson` walks the value without building anything; when it answers true,
 * `JSON.stringify(value)` writes exactly what `encodeJson` would. Anything else (a rich value, a
 * `$sl` key, a hole, a value the codec refuses, so that it refuses it with its path) answers
 * false, and the caller takes the codec's own path.
 *
 * Only for values whose properties are all data properties, as a snapshot's are (snapshot.ts): a
 * getter would be read here and again by `JSON.stringify`, and could answer differently.
 */
import { FORBIDDEN_KEYS } from './codec.js';

const TAG = '$sl';

export interface PlainJsonOptions {
  /** As the codec's: an object key set to undefined is left out (JSON.stringify leaves it out too). */
  dropUndefinedKeys: boolean;
  refuseForbiddenKeys: boolean;
  maxDepth: number;
}

export function isPlainJson(value: unknown, options: PlainJsonOptions, depth = 1): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  // Past the depth bound (which also ends any cycle), the codec refuses with the path.
  if (depth > options.maxDepth) return false;
  if (Array.isArray(value)) {
    const length = value.length;
    for (let index = 0; index < length; index += 1) {
      // A hole or an undefined item: the codec's path decides (it refuses undefined items).
      if (!(index in value) || !isPlainJson(value[index], options, depth + 1)) return false;
    }
    return true;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false; // a rich value or a class instance
  const keys = Object.keys(value);
  // A symbol or non-enumerable key: JSON.stringify would skip it where the codec keeps or refuses it.
  if (keys.length !== Reflect.ownKeys(value).length) return false;
  for (const key of keys) {
    if (key === TAG || (options.refuseForbiddenKeys && FORBIDDEN_KEYS.has(key))) return false;
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) {
      if (options.dropUndefinedKeys) continue;
      return false;
    }
    if (!isPlainJson(item, options, depth + 1)) return false;
  }
  return true;
}
