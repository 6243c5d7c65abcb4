/**
 * Lossless JSON encoding of message bodies. Model messages may carry binary data (image and file
 * parts hold `Uint8Array`s), `URL`s and `Date`s, which plain JSON would silently mangle; these are
 * written as tagged objects `{ "$sl": "bytes", "base64": ... }` so a message reads back deep-equal
 * to what was written. A user object that happens to have a `$sl` key is wrapped so it cannot be
 * mistaken for a tag. Anything that is not data (functions, symbols, BigInt, cycles, NaN,
 * `undefined` array items, class instances) is refused with the path where it was found.
 */
import { InvalidArgumentError } from '../errors.js';

const TAG = '$sl';
/** Keys that could reach an object's prototype if a consumer merged the data naively. */
export const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface EncodeOptions {
  /** Name of the argument, for error messages. */
  argument: string;
  /** Refuse `__proto__`, `constructor` and `prototype` as keys (metadata). */
  refuseForbiddenKeys?: boolean;
  /** Allow binary, URL and Date values (message content); metadata is plain JSON only. */
  allowRichValues?: boolean;
  /** Leave out object keys whose value is undefined instead of refusing them (message content). */
  dropUndefinedKeys?: boolean;
}

/** Encodes `value` to a JSON string, refusing anything that would not read back equal. */
export function encodeJson(value: unknown, options: EncodeOptions): string {
  return JSON.stringify(toEncodable(value, options, '', new Set()));
}

/** Checks that `value` is plain JSON data (and has no forbidden keys); throws `InvalidArgumentError` otherwise. */
export function assertJsonData(value: unknown, options: EncodeOptions): void {
  toEncodable(value, options, '', new Set());
}

/** Decodes what `encodeJson` wrote. */
export function decodeJson(text: string): unknown {
  // The reviver costs a call per value; most messages hold no tagged value, so skip it for them.
  return text.includes(`"${TAG}"`) ? JSON.parse(text, reviveTagged) : JSON.parse(text);
}

function refuse(options: EncodeOptions, path: string, message: string): never {
  throw new InvalidArgumentError({
    argument: options.argument,
    message: `${path === '' ? 'the value' : `"${path}"`} ${message}`,
  });
}

function childPath(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
}

function toEncodable(value: unknown, options: EncodeOptions, path: string, ancestors: Set<object>): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) refuse(options, path, `is ${value}, which JSON cannot represent.`);
      return value;
    case 'undefined':
      return refuse(options, path, 'is undefined, which JSON cannot hold in this place; use null.');
    case 'bigint':
      return refuse(options, path, 'is a BigInt, which JSON cannot represent; store it as a string.');
    case 'function':
      return refuse(options, path, 'is a function, which is not data.');
    case 'symbol':
      return refuse(options, path, 'is a symbol, which is not data.');
  }
  if (value === null) return null;
  const object = value as object;
  if (ancestors.has(object)) refuse(options, path, 'refers back to itself (a cycle).');
  if (options.allowRichValues) {
    const rich = encodeRichValue(object);
    if (rich !== undefined) return rich;
  }
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      return object.map((item, index) => toEncodable(item, options, childPath(path, index), ancestors));
    }
    const prototype = Object.getPrototypeOf(object);
    if (prototype !== Object.prototype && prototype !== null) {
      const kind = (object as { constructor?: { name?: string } }).constructor?.name ?? 'an object with a prototype';
      refuse(options, path, `is a ${kind}, not plain data (plain objects, arrays, strings, numbers, booleans, null).`);
    }
    const result: Record<string, unknown> = {};
    for (const key of Reflect.ownKeys(object)) {
      if (typeof key === 'symbol') refuse(options, path, 'has a symbol key, which is not data.');
      // An object key set to undefined means "absent" (the AI SDK writes `providerOptions: undefined`
      // in its response messages); it reads back equal when left out. In an array it would become null.
      if (options.dropUndefinedKeys && (object as Record<string, unknown>)[key] === undefined) continue;
      if (options.refuseForbiddenKeys && FORBIDDEN_KEYS.has(key)) {
        refuse(options, childPath(path, key), 'is a forbidden key (__proto__, constructor and prototype are refused).');
      }
      const encoded = toEncodable((object as Record<string, unknown>)[key], options, childPath(path, key), ancestors);
      // defineProperty, not assignment: a "__proto__" key in content must stay a plain own key.
      Object.defineProperty(result, key, { value: encoded, enumerable: true, writable: true, configurable: true });
    }
    // Escaped as entries, so the reviver (which works bottom-up) never sees the user's `$sl` key as a tag.
    if (Object.prototype.hasOwnProperty.call(result, TAG)) return { [TAG]: 'object', entries: Object.entries(result) };
    return result;
  } finally {
    ancestors.delete(object);
  }
}

function encodeRichValue(object: object): unknown {
  if (object instanceof Uint8Array) {
    const kind = Buffer.isBuffer(object) ? 'buffer' : 'bytes';
    return { [TAG]: kind, base64: Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString('base64') };
  }
  if (object instanceof ArrayBuffer) return { [TAG]: 'arraybuffer', base64: Buffer.from(object).toString('base64') };
  if (object instanceof URL) return { [TAG]: 'url', href: object.href };
  if (object instanceof Date) {
    if (Number.isNaN(object.getTime())) return undefined;
    return { [TAG]: 'date', iso: object.toISOString() };
  }
  return undefined;
}

function reviveTagged(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  const tag = record[TAG];
  if (typeof tag !== 'string') return value;
  switch (tag) {
    case 'bytes':
      return new Uint8Array(Buffer.from(String(record.base64), 'base64'));
    case 'buffer':
      return Buffer.from(String(record.base64), 'base64');
    case 'arraybuffer': {
      const bytes = Buffer.from(String(record.base64), 'base64');
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    }
    case 'url':
      return new URL(String(record.href));
    case 'date':
      return new Date(String(record.iso));
    case 'object': {
      const restored: Record<string, unknown> = {};
      for (const [key, entryValue] of record.entries as Array<[string, unknown]>) {
        Object.defineProperty(restored, key, { value: entryValue, enumerable: true, writable: true, configurable: true });
      }
      return restored;
    }
    default:
      return value;
  }
}
