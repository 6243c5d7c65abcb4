/**
 * A snapshot of caller data: a deep copy in which every property of the caller's objects was read
 * exactly once. Validation runs on the snapshot and the snapshot is what gets stored, so a getter
 * (or a Proxy) that answers one thing when checked and another when stored cannot slip the second
 * answer past the checks: a `role` that reads `'user'` and then `'admin'` is stored as `'user'`.
 *
 * The copy keeps what the codec accepts (plain objects and arrays, strings, numbers, booleans,
 * null, `Uint8Array`, `ArrayBuffer`, `URL`, `Date`) and hands anything else (functions, class
 * instances, symbols) through untouched, for the validator that follows to refuse with its path.
 * Cycles and nesting past `maxDepth` are refused here, before the walk could overflow the stack.
 */
import { InvalidArgumentError } from '../errors.js';
import { describePath, tooDeep } from './codec.js';

export interface SnapshotOptions {
  /** Name of the argument, for error messages. */
  argument: string;
  /** Deepest nesting accepted, the value itself being level 1. */
  maxDepth: number;
}

export function snapshotData(value: unknown, options: SnapshotOptions): unknown {
  return copy(value, options, '', new Set(), 1);
}

function copy(value: unknown, options: SnapshotOptions, path: string, ancestors: Set<object>, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.has(value)) {
    throw new InvalidArgumentError({ argument: options.argument, message: `${describePath(path)} refers back to itself (a cycle).` });
  }
  const rich = copyRichValue(value);
  if (rich !== undefined) return rich;
  const prototype: unknown = Reflect.getPrototypeOf(value);
  const isArray = Array.isArray(value);
  // A class instance is not data: passed through for the validator to refuse by name.
  if (!isArray && prototype !== Object.prototype && prototype !== null) return value;
  if (depth > options.maxDepth) throw tooDeep(options.argument, path, options.maxDepth);
  ancestors.add(value);
  try {
    if (isArray) {
      const source = value as unknown[];
      const length = source.length;
      const result: unknown[] = new Array(length);
      for (let index = 0; index < length; index += 1) {
        // A hole stays a hole (the codec decides what it means), rather than becoming undefined.
        if (!(index in source)) continue;
        result[index] = copy(source[index], options, `${path}[${index}]`, ancestors, depth + 1);
      }
      return result;
    }
    // An ordinary object even for a null-prototype source: what is stored and handed back is plain data.
    const result: Record<PropertyKey, unknown> = {};
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Reflect.getOwnPropertyDescriptor(value, key);
      if (descriptor === undefined) continue;
      // The one read of this property: a getter runs here and never again.
      const read = 'value' in descriptor ? descriptor.value : descriptor.get?.call(value);
      const childPath = typeof key === 'symbol' ? path : path === '' ? key : `${path}.${key}`;
      // defineProperty, not assignment: a "__proto__" key must stay a plain own key for the validator to see.
      Object.defineProperty(result, key, {
        value: copy(read, options, childPath, ancestors, depth + 1),
        enumerable: descriptor.enumerable === true,
        writable: true,
        configurable: true,
      });
    }
    return result;
  } finally {
    ancestors.delete(value);
  }
}

/** A fresh copy of a binary, URL or Date value; undefined for anything else. */
function copyRichValue(value: object): unknown {
  if (value instanceof Uint8Array) {
    const bytes = new Uint8Array(value);
    return Buffer.isBuffer(value) ? Buffer.from(bytes.buffer, 0, bytes.byteLength) : bytes;
  }
  if (value instanceof ArrayBuffer) return ArrayBuffer.prototype.slice.call(value, 0);
  if (value instanceof URL) return new URL(value.href);
  if (value instanceof Date) return new Date(Date.prototype.getTime.call(value));
  return undefined;
}
