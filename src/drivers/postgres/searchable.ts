/**
 * The form in which filterable values (user, agent, workspace and parent ids, metadata, tags,
 * surfaces) are stored for searching. PostgreSQL's `text`
 * cannot hold U+0000, and `jsonb` also refuses lone UTF-16 surrogates, both of which a JavaScript
 * string may contain; the exact values live in the session's `record` column (JSON text, where
 * `JSON.stringify` escapes both), and the searchable copies get these characters rewritten.
 *
 * The rewrite is injective (U+E000, a private-use character, is the escape and is itself escaped),
 * and filter values go through the same rewrite, so equality and containment mean the same on the
 * searchable form as on the original strings. Ordinary strings are left unchanged.
 */
import type { JsonValue } from '../../types.js';

const escapeCharacter = '\uE000';
const needsEscape = /[\u0000\uE000]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function searchableText(text: string): string {
  return text.replace(needsEscape, (character) => escapeCharacter + character.charCodeAt(0).toString(16).padStart(4, '0'));
}

export function searchableTexts(texts: readonly string[]): string[] {
  return texts.map(searchableText);
}

/** JSON text for a `jsonb` column: every key and string rewritten, numbers, booleans and null as they are. */
export function searchableJson(value: JsonValue | Record<string, JsonValue>): string {
  return JSON.stringify(rewrite(value));
}

function rewrite(value: JsonValue): JsonValue {
  if (typeof value === 'string') return searchableText(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(rewrite);
  const result: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(value)) {
    // defineProperty keeps a "__proto__" key an ordinary own key.
    Object.defineProperty(result, searchableText(key), { value: rewrite(item), enumerable: true, writable: true, configurable: true });
  }
  return result;
}
