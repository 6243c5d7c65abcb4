/**
 * Query-string parsing. Everything in a query string is text, so numbers are parsed strictly
 * (integers only: `limit=10abc` or `limit=1.5` is an error, not 10 or 1). Unknown parameters and
 * repeats of single-valued ones are refused, because silently ignoring a misspelt filter would
 * answer with more than was asked for. Values are otherwise passed on as given: the store's own
 * validation decides what is acceptable, with the same messages as for library callers.
 */
import { InvalidArgumentError } from '../errors.js';

export class Query {
  private readonly values = new Map<string, string[]>();

  /**
   * `known`: the parameter names this route accepts; `prefixes`: families such as `filter.` whose
   * members are accepted by prefix. Parsed with `URLSearchParams`, which keeps names such as
   * `__proto__` as plain strings.
   */
  constructor(url: string, known: readonly string[], prefixes: readonly string[] = []) {
    for (const [name, value] of new URL(url).searchParams) {
      if (!known.includes(name) && !prefixes.some((prefix) => name.startsWith(prefix))) {
        const accepted = [...known, ...prefixes.map((prefix) => `${prefix}KEY`)].join(', ');
        throw new InvalidArgumentError({ argument: `query parameter ${JSON.stringify(name)}`, message: `it is not accepted here (accepted: ${accepted}).` });
      }
      const list = this.values.get(name);
      if (list) list.push(value);
      else this.values.set(name, [value]);
    }
  }

  /** The names given, in order. */
  names(): string[] {
    return [...this.values.keys()];
  }

  /** A single-valued parameter; given twice is an error. */
  string(name: string): string | undefined {
    const list = this.values.get(name);
    if (list === undefined) return undefined;
    if (list.length > 1) throw new InvalidArgumentError({ argument: `query parameter ${JSON.stringify(name)}`, message: 'give it once.' });
    return list[0];
  }

  /** Every value of a repeatable parameter (`?tag=a&tag=b`). */
  all(name: string): string[] | undefined {
    return this.values.get(name);
  }

  /** A single-valued integer parameter (the store checks the range). */
  integer(name: string): number | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    const value = /^-?\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value)) {
      throw new InvalidArgumentError({ argument: `query parameter ${JSON.stringify(name)}`, message: `expected an integer, got ${JSON.stringify(text.slice(0, 40))}.` });
    }
    return value;
  }
}
