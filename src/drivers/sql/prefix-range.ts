/**
 * A prefix match as a range, which an ordinary b-tree index answers with one seek and a scan of the
 * matches: in code point order (SQLite's BINARY collation, PostgreSQL's "C"), the texts starting with
 * `prefix` are exactly those at or above `prefix` and below `prefix` with its last code point raised
 * by one. Nothing of the input is written into the statement: both bounds are bound values, so no
 * character (`%`, `_`, a quote, a backslash) has a meaning of its own, and no LIKE escaping is needed.
 */
export interface PrefixRange {
  from: string;
  /** Absent when no text is above every match (the prefix is all U+10FFFF). */
  below?: string;
}

const LAST_CODE_POINT = 0x10ffff;

export function prefixRange(prefix: string): PrefixRange {
  const codePoints = Array.from(prefix, (character) => character.codePointAt(0)!);
  while (codePoints.length > 0) {
    const last = codePoints.pop()!;
    if (last === LAST_CODE_POINT) continue;
    // The next code point, skipping the surrogates (no text holds them alone, and UTF-8 cannot).
    const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
    return { from: prefix, below: String.fromCodePoint(...codePoints, next) };
  }
  return { from: prefix };
}
