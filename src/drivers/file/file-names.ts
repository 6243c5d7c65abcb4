/**
 * A reversible, portable file name for every valid id. Ids may hold `:` (forbidden on Windows,
 * shown as `/` by macOS), `.` (a trailing dot vanishes on Windows, and `con.x` is a device name
 * there) and letters whose case matters (two ids differing only in case would share one file on
 * the case-insensitive file systems of macOS and Windows). So:
 *
 * - letters are written in lower case, and which positions were upper case is written after a `~`
 *   as a bitmap in lower-case base32 (five positions per character, trailing zeros dropped);
 * - `:` becomes `+` and `.` becomes `,` (neither can appear in an id, so the mapping reverses);
 * - digits, `_`, `-` and `@` stay as they are.
 *
 * `Order-42` becomes `order-42~b`, `tenant:a@b.c` becomes `tenant+a@b,c~`. The longest id (200
 * characters) gives at most 241 characters, under the 255-byte limit of common file systems even
 * with an extension. Only ids matching `ID_PATTERN` are ever encoded.
 */
import { InvalidArgumentError } from '../../errors.js';
import { ID_PATTERN } from '../../common/ids.js';

const CASE_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const BITS_PER_CHARACTER = 5;

/** Throws `InvalidArgumentError` unless `id` is a string matching `ID_PATTERN`: the driver's own check, before any path is built. */
export function assertStorableId(id: unknown, argument: string): asserts id is string {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    const shown = typeof id === 'string' ? JSON.stringify(id.length > 60 ? `${id.slice(0, 60)}...` : id) : typeof id;
    throw new InvalidArgumentError({ argument, message: `${shown} is not a valid id; the file store refuses to build a path from it.` });
  }
}

export function encodeFileName(id: string): string {
  assertStorableId(id, 'id');
  let body = '';
  const caseGroups: number[] = [];
  for (let index = 0; index < id.length; index += 1) {
    const character = id[index] as string;
    if (character >= 'A' && character <= 'Z') {
      body += character.toLowerCase();
      const group = Math.floor(index / BITS_PER_CHARACTER);
      while (caseGroups.length <= group) caseGroups.push(0);
      caseGroups[group] = (caseGroups[group] ?? 0) | (1 << index % BITS_PER_CHARACTER);
    } else if (character === ':') {
      body += '+';
    } else if (character === '.') {
      body += ',';
    } else {
      body += character;
    }
  }
  // caseGroups ends at the group of the last upper-case letter, so it has no trailing zeros.
  return `${body}~${caseGroups.map((group) => CASE_ALPHABET[group]).join('')}`;
}

/** The id a file name stands for, or undefined when the name is not one `encodeFileName` produces. */
export function decodeFileName(name: string): string | undefined {
  const separator = name.indexOf('~');
  if (separator < 1) return undefined;
  const body = name.slice(0, separator);
  const suffix = name.slice(separator + 1);
  if (!/^[a-z0-9_@+,-]+$/.test(body)) return undefined;
  const characters = [...body].map((character) => (character === '+' ? ':' : character === ',' ? '.' : character));
  for (let group = 0; group < suffix.length; group += 1) {
    const value = CASE_ALPHABET.indexOf(suffix[group] as string);
    if (value < 0) return undefined;
    for (let bit = 0; bit < BITS_PER_CHARACTER; bit += 1) {
      if ((value & (1 << bit)) === 0) continue;
      const position = group * BITS_PER_CHARACTER + bit;
      const character = characters[position];
      if (character === undefined || character < 'a' || character > 'z') return undefined;
      characters[position] = character.toUpperCase();
    }
  }
  const id = characters.join('');
  // Only the canonical spelling decodes, so one id has exactly one file name.
  return ID_PATTERN.test(id) && encodeFileName(id) === name ? id : undefined;
}
