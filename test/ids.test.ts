/** Generated ids: unique, time-sortable in creation order, with a random part that really varies. */
import { describe, expect, it } from 'vitest';
import { generateId } from '../src/common/ids.js';

describe('generateId', () => {
  it('gives 20,000 distinct ids that sort in the order they were made, past refills of the random pool', () => {
    const ids = Array.from({ length: 20_000 }, () => generateId('message'));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(/^msg_[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('draws every letter of the alphabet in the random part, evenly enough', () => {
    // The first id of each millisecond draws 16 fresh random letters; later ones increment it.
    const counts = new Map<string, number>();
    let previousTime = '';
    let drawn = 0;
    while (drawn < 400) {
      const id = generateId('session').slice('session_'.length);
      const time = id.slice(0, 10);
      if (time !== previousTime) {
        previousTime = time;
        drawn += 1;
        for (const letter of id.slice(10)) counts.set(letter, (counts.get(letter) ?? 0) + 1);
      }
    }
    // 400 × 16 = 6,400 letters over 32 symbols: 200 each expected; a broken source shows as gaps.
    expect(counts.size).toBe(32);
    for (const count of counts.values()) expect(count).toBeGreaterThan(100);
  });
});
