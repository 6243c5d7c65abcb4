/** The tokenizer's ASCII fast path makes exactly the terms the general path makes. */
import { describe, expect, it } from 'vitest';
import { termsOf, wordsOf } from '../src/common/search-text.js';

const generalTerms = (text: string): string[] => [...wordsOf(text)].flatMap((word) => word.terms);

describe('termsOf', () => {
  it('gives ASCII text the terms the general path gives it', () => {
    const alphabet = 'aZ09 _-.,;:\'"()[]{}<>/\\\n\t*+=?!@#$%^&|~`';
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let sample = 0; sample < 500; sample += 1) {
      const length = Math.floor(random() * 60);
      const text = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      expect(termsOf(text)).toEqual(generalTerms(text));
    }
    const long = `${'Ab1'.repeat(50)} tail`;
    expect(termsOf(long)).toEqual(generalTerms(long));
    expect(termsOf(long)[0]).toHaveLength(100);
    expect(termsOf('Find_Harbour, PORTO 2026!')).toEqual(['find', 'harbour', 'porto', '2026']);
  });

  it('folds case and diacritics outside ASCII', () => {
    expect(termsOf('Café ½ ÉTÉ')).toEqual(['cafe', '1', '2', 'ete']);
    expect(termsOf('Café ½ ÉTÉ')).toEqual(generalTerms('Café ½ ÉTÉ'));
  });
});
