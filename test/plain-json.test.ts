import { describe, expect, it } from 'vitest';
import { encodeJson, MAX_CONTENT_DEPTH } from '../src/common/codec.js';
import { isPlainJson } from '../src/common/plain-json.js';
import { snapshotData } from '../src/common/snapshot.js';

const options = { dropUndefinedKeys: true, refuseForbiddenKeys: false, maxDepth: MAX_CONTENT_DEPTH };
const codec = (value: unknown) => encodeJson(value, { argument: 'x', allowRichValues: true, dropUndefinedKeys: true, maxDepth: MAX_CONTENT_DEPTH });
const nested = (levels: number): unknown => (levels === 0 ? 'leaf' : { inner: nested(levels - 1) });

describe('isPlainJson (the fast path of encoding a message)', () => {
  const plain: Array<[string, unknown]> = [
    ['a user message', { role: 'user', content: 'hello' }],
    ['parts with numbers, booleans and null', { role: 'assistant', content: [{ type: 'text', text: 'x', n: -0, f: 1.5e300, ok: true, none: null }] }],
    ['undefined object values (left out by both)', { role: 'user', content: 'x', providerOptions: undefined, nested: { a: undefined, b: 1 } }],
    ['a null-prototype object', Object.assign(Object.create(null) as object, { role: 'user', content: 'x' })],
    ['unicode and lone surrogates', { role: 'user', content: 'é 😀 \ud800 "quoted" \\ \n' }],
    ['an own "__proto__" key from a snapshot', snapshotData(JSON.parse('{"role":"user","content":[{"type":"text","__proto__":{"x":1}}]}'), { argument: 'x', maxDepth: 100 })],
    ['nesting at the limit', nested(MAX_CONTENT_DEPTH)],
  ];
  for (const [name, value] of plain) {
    it(`writes ${name} exactly as the codec does`, () => {
      expect(isPlainJson(value, options)).toBe(true);
      expect(JSON.stringify(value)).toBe(codec(value));
    });
  }

  const notPlain: Array<[string, unknown]> = [
    ['binary', { role: 'user', content: [{ type: 'image', image: new Uint8Array([1, 2]) }] }],
    ['a Date', { at: new Date(0) }],
    ['a URL', { url: new URL('https://example.com') }],
    ['a user "$sl" key (the codec escapes it)', { role: 'user', content: [{ type: 'text', $sl: 'bytes' }] }],
    ['an array hole', { items: [1, , 3] }],
    ['an undefined array item', { items: [1, undefined] }],
    ['NaN', { n: Number.NaN }],
    ['Infinity', { n: Number.POSITIVE_INFINITY }],
    ['a function', { f: () => 1 }],
    ['a bigint', { n: 1n }],
    ['a symbol key', { [Symbol('s')]: 1 }],
    ['a non-enumerable key', Object.defineProperty({}, 'hidden', { value: 1, enumerable: false })],
    ['a class instance', { map: new Map() }],
    ['a cycle (caught by the depth bound)', (() => { const a: Record<string, unknown> = {}; a.self = a; return a; })()],
    ['nesting past the limit (the codec refuses it)', nested(MAX_CONTENT_DEPTH + 1)],
  ];
  for (const [name, value] of notPlain) {
    it(`leaves ${name} to the codec`, () => {
      expect(isPlainJson(value, options)).toBe(false);
    });
  }

  it('agrees with the codec on where nesting stops', () => {
    expect(() => codec(nested(MAX_CONTENT_DEPTH + 1))).toThrow(/nested more than/);
    expect(() => codec(nested(MAX_CONTENT_DEPTH))).not.toThrow();
  });

  it('refuses forbidden keys when asked, as the codec would', () => {
    const value = snapshotData(JSON.parse('{"constructor":1}'), { argument: 'x', maxDepth: 10 });
    expect(isPlainJson(value, { ...options, refuseForbiddenKeys: true })).toBe(false);
    expect(isPlainJson(value, options)).toBe(true);
  });
});
