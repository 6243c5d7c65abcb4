/**
 * The snippet of a search hit: the text around the first match, on one line, and where the matching
 * words are in it (for highlighting). Cut from the message's searchable text (search-text.ts), so it
 * shows the match whichever part held it: a text, a tool's name, input or output.
 */
import { termMatches, wordsOf, type Word } from '../common/search-text.js';

/** About this many characters of text (plus an ellipsis at each end that was cut). */
const SNIPPET_LENGTH = 160;
/** Text kept before the first match, so it reads in context. */
const LEAD = 40;

export interface Snippet {
  snippet: string;
  highlights: Array<[number, number]>;
}

export function makeSnippet(text: string, terms: readonly string[], lastTermIsPrefix: boolean): Snippet {
  const line = text.replace(/\s+/g, ' ').trim();
  const words = [...wordsOf(line)];
  const matches = (word: Word): boolean =>
    word.terms.some((term) => terms.some((queryTerm, index) => termMatches(term, queryTerm, lastTermIsPrefix && index === terms.length - 1)));
  const matched = words.filter(matches);
  const first = matched[0];
  let start = 0;
  if (first !== undefined && first.start > LEAD) {
    // Begin at a word, at most LEAD characters before the match.
    start = words.find((word) => word.start >= first.start - LEAD)?.start ?? first.start;
  }
  let end = Math.min(line.length, start + SNIPPET_LENGTH);
  if (end < line.length) {
    // End after a word rather than inside one, unless that would cut the match itself.
    const lastWhole = words.filter((word) => word.end <= end && word.start >= start).pop();
    if (lastWhole !== undefined && (first === undefined || lastWhole.end >= first.end)) end = lastWhole.end;
  }
  const lead = start > 0 ? '…' : '';
  const snippet = `${lead}${line.slice(start, end)}${end < line.length ? '…' : ''}`;
  const highlights = matched
    .filter((word) => word.start >= start && word.start < end)
    .map((word): [number, number] => [word.start - start + lead.length, Math.min(word.end, end) - start + lead.length]);
  return { snippet, highlights };
}
