/** Id rules and generation. Every id is checked here before any storage is touched. */
import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import { InvalidArgumentError } from '../errors.js';

/** Caller-chosen ids: a letter or digit, then letters, digits and `._:@-`, at most 200 characters. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$/;

// ulid's default source asks the kernel for one byte per character (16 calls per id); drawing
// from a buffer refilled 4 KiB at a time keeps ids cryptographically random at a fraction of the cost.
const randomPool = new Uint8Array(4096);
let randomPoolOffset = randomPool.length;

function pooledRandom(): number {
  if (randomPoolOffset === randomPool.length) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  // ulid maps the number onto its 32-letter alphabet with Math.floor(32 * n): n must stay below 1.
  return randomPool[randomPoolOffset++]! / 256;
}

// Monotonic within the process, so ids generated in one millisecond still sort in creation order.
const nextUlid = monotonicFactory(pooledRandom);

export type IdKind = 'session' | 'message' | 'segment' | 'run';

const prefixes: Record<IdKind, string> = { session: 'session_', message: 'msg_', segment: 'seg_', run: 'run_' };

/** A new time-sortable id such as `session_01J...`. */
export function generateId(kind: IdKind): string {
  return prefixes[kind] + nextUlid();
}

/** Throws `InvalidArgumentError` naming `argument` unless `value` is a valid id. */
export function assertValidId(value: unknown, argument: string): asserts value is string {
  if (typeof value !== 'string') {
    throw new InvalidArgumentError({ argument, message: `expected a string id, got ${describeType(value)}.` });
  }
  if (!ID_PATTERN.test(value)) {
    throw new InvalidArgumentError({
      argument,
      message:
        `${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value)} is not a valid id ` +
        '(1 to 200 characters: a letter or digit, then letters, digits, ".", "_", ":", "@" or "-").',
    });
  }
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
