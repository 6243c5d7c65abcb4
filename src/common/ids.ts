/** Id rules and generation. Every id is checked here before any storage is touched. */
import { randomFillSync } from 'node:crypto';
import { encodeTime } from 'ulid';
import { InvalidArgumentError } from '../errors.js';

/** Caller-chosen ids: a letter or digit, then letters, digits and `._:@-`, at most 200 characters. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$/;

/**
 * Generated ids are ULID-shaped (26 Crockford base-32 letters: 48 bits of milliseconds, then 80
 * bits), so they sort by time. The 80 bits are 16 bits that order the ids this process makes
 * within one millisecond, then 64 bits drawn fresh for every id. ulid's monotonic factory instead
 * added 1 to the previous id's random part: from one id a user could compute the ids made next,
 * for anyone. Here an id tells nothing about any other id; guessing one means guessing 64 random bits.
 */
const SEQUENCE_LIMIT = 0x10000;
/** Each millisecond's sequence starts at a random point in its lower half, so it does not count the process's ids either. */
const SEQUENCE_START_RANGE = 0x8000;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

// The kernel is asked for random bytes 4 KiB at a time rather than 8 per id: the same
// cryptographic randomness at a fraction of the cost.
const randomPool = new Uint8Array(4096);
let randomPoolOffset = randomPool.length;

function randomByte(): number {
  if (randomPoolOffset === randomPool.length) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  return randomPool[randomPoolOffset++]!;
}

let lastTime = -1;
let sequence = 0;

/** The 26 letters: the time, then the sequence within that millisecond, then 64 fresh random bits. */
function nextUlid(): string {
  let time = Date.now();
  if (time > lastTime) {
    sequence = ((randomByte() << 8) | randomByte()) % SEQUENCE_START_RANGE;
  } else {
    // The same millisecond (or a clock that stepped back): keep the order by counting on.
    time = lastTime;
    sequence += 1;
    if (sequence === SEQUENCE_LIMIT) {
      time += 1;
      sequence = 0;
    }
  }
  lastTime = time;
  let letters = encodeTime(time, 10);
  // 80 bits as 16 letters of 5 bits: 2 bytes of sequence, then 8 random bytes.
  let bits = 0;
  let pending = 0;
  for (let index = 0; index < 10; index += 1) {
    const byte = index === 0 ? sequence >> 8 : index === 1 ? sequence & 0xff : randomByte();
    pending = (pending << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      letters += CROCKFORD[(pending >> bits) & 31];
    }
    pending &= (1 << bits) - 1;
  }
  return letters;
}

export type IdKind = 'session' | 'message' | 'segment' | 'run' | 'approval';

const prefixes: Record<IdKind, string> = { session: 'session_', message: 'msg_', segment: 'seg_', run: 'run_', approval: 'approval_' };

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
