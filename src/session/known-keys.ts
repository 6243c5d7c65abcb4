/** Refusing option names nobody reads, so a typo (`durabilty`) is an error instead of a silent default. */
import { InvalidArgumentError } from '../errors.js';

export function assertKnownKeys(options: unknown, known: readonly string[], argument: string): void {
  if (typeof options !== 'object' || options === null) return; // the schema reports the type
  const unknown = Object.keys(options).filter((key) => !known.includes(key));
  if (unknown.length === 0) return;
  throw new InvalidArgumentError({
    argument,
    message: `unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `"${key}"`).join(', ')}; expected some of ${known.join(', ')}.`,
  });
}
