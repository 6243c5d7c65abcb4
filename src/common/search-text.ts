/**
 * What full-text search reads of a message, and how text becomes search terms: one definition for
 * every store. SQLite and PostgreSQL index the terms made here (their own tokenizers then only split
 * on spaces), and stores searched by scanning match with the same terms, so a query finds the same
 * messages on every backend.
 *
 * A message's searchable text is its text parts, the names of the tools it calls or answers for,
 * the values of their inputs and their outputs as text (reasoning, images and files are left out).
 * A term is a run of letters, digits and combining marks, folded to lower case without diacritics
 * ("Café" and "cafe" are the same term); everything else separates terms, so punctuation, quotes
 * and operators in a query are never syntax.
 */
import { decodeJson } from './codec.js';

/** Only this much of a message's searchable text is indexed (and scanned): it bounds an append's cost. */
export const MAX_SEARCHABLE_CHARACTERS = 100_000;
/** Longer words (hashes, base64) are cut to this length, in the index and in queries alike. */
const MAX_TERM_LENGTH = 100;
const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const MARKS = /\p{M}+/gu;
const SEPARATORS = /[^\p{L}\p{N}]+/u;

type Part = { type?: unknown; text?: unknown; toolName?: unknown; input?: unknown; output?: unknown };

/** The searchable text of an encoded message body (as the store keeps it), pieces on their own lines. */
export function searchableText(body: string): string {
  let message: unknown;
  try {
    message = decodeJson(body);
  } catch {
    return '';
  }
  const content = (message as { content?: unknown } | null)?.content;
  if (typeof content === 'string') return content.slice(0, MAX_SEARCHABLE_CHARACTERS);
  if (!Array.isArray(content)) return '';
  const pieces: string[] = [];
  for (const part of content as Array<Part | null>) {
    if (part?.type === 'text' && typeof part.text === 'string') pieces.push(part.text);
    else if (part?.type === 'tool-call') pieces.push(String(part.toolName ?? ''), ...leafTexts(part.input));
    else if (part?.type === 'tool-result') pieces.push(String(part.toolName ?? ''), ...outputTexts(part.output));
  }
  return pieces.filter((piece) => piece.length > 0).join('\n').slice(0, MAX_SEARCHABLE_CHARACTERS);
}

function outputTexts(output: unknown): string[] {
  if (typeof output !== 'object' || output === null) return [];
  const { type, value, reason } = output as { type?: unknown; value?: unknown; reason?: unknown };
  if (type === 'execution-denied') return typeof reason === 'string' ? [reason] : [];
  if (type === 'content' && Array.isArray(value)) {
    return value.flatMap((item: Part | null) => (item?.type === 'text' && typeof item.text === 'string' ? [item.text] : []));
  }
  return leafTexts(value);
}

/** The strings and numbers inside a value (a tool's input, a JSON output), in order; bytes are not text. */
function leafTexts(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (typeof value === 'number' || typeof value === 'boolean') into.push(String(value));
  else if (value instanceof URL) into.push(value.href);
  else if (Array.isArray(value)) for (const item of value) leafTexts(item, into);
  else if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer) && !(value instanceof Date)) {
    for (const item of Object.values(value)) leafTexts(item, into);
  }
  return into;
}

/** A word of some text, where it is, and the terms it makes (usually one). */
export interface Word {
  start: number;
  end: number;
  terms: string[];
}

/** The words of `text` with their offsets (for snippets and highlighting). */
export function* wordsOf(text: string): Generator<Word> {
  for (const match of text.matchAll(WORD)) {
    const terms = termsOfWord(match[0]);
    if (terms.length > 0) yield { start: match.index, end: match.index + match[0].length, terms };
  }
}

function termsOfWord(word: string): string[] {
  // NFKD can turn one character into several, some of them separators ("½" is "1⁄2").
  return word
    .normalize('NFKD')
    .replace(MARKS, '')
    .toLowerCase()
    .split(SEPARATORS)
    .filter((term) => term.length > 0)
    .map((term) => term.slice(0, MAX_TERM_LENGTH));
}

// Only characters below U+0080: no marks, no compatibility forms, so NFKD changes nothing.
const ASCII_ONLY = /^[\x00-\x7f]*$/;
const ASCII_SEPARATORS = /[^a-z0-9]+/;

/** Every term of `text`, in order, repeats included. */
export function termsOf(text: string): string[] {
  // The common case, ASCII text, in three passes over the whole text instead of a normalization per
  // word: the same terms (a term of ASCII text is a run of letters and digits, lower-cased), at a
  // fraction of the cost, which every indexed message and every scanned one pays.
  if (ASCII_ONLY.test(text)) {
    const terms: string[] = [];
    for (const term of text.toLowerCase().split(ASCII_SEPARATORS)) {
      if (term.length > 0) terms.push(term.length > MAX_TERM_LENGTH ? term.slice(0, MAX_TERM_LENGTH) : term);
    }
    return terms;
  }
  const terms: string[] = [];
  for (const word of wordsOf(text)) terms.push(...word.terms);
  return terms;
}

/** What a search index stores for a message: its terms, separated by single spaces ('' when it has none). */
export function indexedTerms(body: string): string {
  return termsOf(searchableText(body)).join(' ');
}

/** Whether a document term matches a query term (the last query term matches as a prefix: search as you type). */
export function termMatches(documentTerm: string, queryTerm: string, prefix: boolean): boolean {
  return prefix ? documentTerm.startsWith(queryTerm) : documentTerm === queryTerm;
}
