/**
 * Lossless JSON encoding of message bodies. Model messages may carry binary data (image and file
 * parts hold `Uint8Array`s), `URL`s and `Date`s, which plain JSON would silently mangle; these are
 * written as tagged objects `{ "$sl": "bytes", "base64": ... }` so a message reads back deep-equal
 * to what was written. A user object that happens to have a `$sl` key is wrapped so it cannot be
 * mistaken for a tag. Anything that is not data (functions, symbols, BigInt, cycles, NaN,
 * `undefined` array items, class instances) is refused with the path where it was found.
 *
 * Nesting is bounded (MAX_CONTENT_DEPTH, MAX_METADATA_DEPTH): the walk is recursive, and without a
 * bound a value nested 100,000 deep would overflow the stack (a `RangeError`, a 500 over HTTP),
 * and one stored 1,000 deep would break SQLite's JSON functions for every reader of the table.
 */
import { InvalidArgumentError } from '../errors.js';

const TAG = '$sl';
/** Keys that could reach an object's prototype if a consumer merged the data naively. */
export const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Deepest nesting of a message (the message object is level 1, its `content` array level 2, a
 * content part level 3, a tool call's input level 4, ...) and of any other data the codec encodes.
 */
export const MAX_CONTENT_DEPTH = 100;
/** Deepest nesting of metadata (sessions, messages, forks, runs): the metadata object itself is level 1. */
export const MAX_METADATA_DEPTH = 64;

export interface EncodeOptions {
  /** Name of the argument, for error messages. */
  argument: string;
  /** Refuse `__proto__`, `constructor` and `prototype` as keys (metadata). */
  refuseForbiddenKeys?: boolean;
  /** Allow binary, URL and Date values (message content); metadata is plain JSON only. */
  allowRichValues?: boolean;
  /** Leave out object keys whose value is undefined instead of refusing them (message content). */
  dropUndefinedKeys?: boolean;
  /** Deepest nesting accepted, the value itself being level 1 (default MAX_CONTENT_DEPTH). */
  maxDepth?: number;
}

/** Encodes `value` to a JSON string, refusing anything that would not read back equal. */
export function encodeJson(value: unknown, options: EncodeOptions): string {
  return JSON.stringify(toEncodable(value, options, '', new Set(), 1));
}

/** Checks that `value` is plain JSON data (and has no forbidden keys); throws `InvalidArgumentError` otherwise. */
export function assertJsonData(value: unknown, options: EncodeOptions): void {
  toEncodable(value, options, '', new Set(), 1);
}

/** Decodes what `encodeJson` wrote. */
export function decodeJson(text: string): unknown {
  // The reviver costs a call per value; most messages hold no tagged value, so skip it for them.
  return text.includes(`"${TAG}"`) ? JSON.parse(text, reviveTagged) : JSON.parse(text);
}

function refuse(options: EncodeOptions, path: string, message: string): never {
  throw new InvalidArgumentError({ argument: options.argument, message: `${describePath(path)} ${message}` });
}

/** A path for an error message, shortened: the one a deeply nested value reaches is long. */
export function describePath(path: string): string {
  if (path === '') return 'the value';
  return JSON.stringify(path.length > 120 ? `${path.slice(0, 60)}...${path.slice(-50)}` : path);
}

/** The refusal for a value nested past `maxDepth` (the value itself being level 1). */
export function tooDeep(argument: string, path: string, maxDepth: number): InvalidArgumentError {
  return new InvalidArgumentError({
    argument,
    message:
      `${describePath(path)} is nested more than ${maxDepth} levels deep; sessionloom accepts at most ` +
      `${MAX_METADATA_DEPTH} levels of metadata and ${MAX_CONTENT_DEPTH} levels in a message.`,
  });
}

function childPath(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
}

function toEncodable(value: unknown, options: EncodeOptions, path: string, ancestors: Set<object>, depth: number): unknown {
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
  if (depth > (options.maxDepth ?? MAX_CONTENT_DEPTH)) throw tooDeep(options.argument, path, options.maxDepth ?? MAX_CONTENT_DEPTH);
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      return object.map((item, index) => toEncodable(item, options, childPath(path, index), ancestors, depth + 1));
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
      const encoded = toEncodable((object as Record<string, unknown>)[key], options, childPath(path, key), ancestors, depth + 1);
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
