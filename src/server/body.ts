/**
 * Reading JSON request bodies. The store validates what it is given; this only makes sure it is
 * given an object (or nothing), and that fields a route does not accept are refused rather than
 * silently dropped (a misspelt `expectedVersion` must not turn into an unconditional write).
 */
import type { Context } from 'hono';
import { describeType } from '../common/ids.js';
import { InvalidArgumentError } from '../errors.js';

export type JsonObject = Record<string, unknown>;

/** The body parsed as JSON, or undefined when it is empty. Malformed JSON is an `InvalidArgumentError`. */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidArgumentError({ argument: 'request body', message: 'it is not valid JSON.', cause: error });
  }
}

/**
 * The body as a JSON object; an empty body reads as `{}` when `optional`. With `allowed`, any other
 * field is refused.
 */
export async function readObject(c: Context, options: { optional?: boolean; allowed?: readonly string[] } = {}): Promise<JsonObject> {
  const body = await readJson(c);
  if (body === undefined) {
    if (options.optional === true) return {};
    throw new InvalidArgumentError({ argument: 'request body', message: 'expected a JSON object, got an empty body.' });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidArgumentError({ argument: 'request body', message: `expected a JSON object, got ${describeType(body)}.` });
  }
  const object = body as JsonObject;
  if (options.allowed !== undefined) {
    const unknown = Object.keys(object).filter((key) => !options.allowed!.includes(key));
    if (unknown.length > 0) {
      throw new InvalidArgumentError({
        argument: 'request body',
        message: `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => JSON.stringify(key)).join(', ')} (accepted: ${options.allowed.join(', ')}).`,
      });
    }
  }
  return object;
}

/** `object` without the fields that are undefined or absent, so optional options stay absent. */
export function defined<T extends JsonObject>(object: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
