/**
 * Generated ids that tell nothing about other ids (issue 10, item 7): they keep their time order,
 * but every id carries 64 freshly drawn random bits. The reproduction: ids were made by ulid's
 * monotonic factory, so an id made in the same millisecond as one of yours was yours plus one,
 * and from user A's own ids, user B's message ids were guessed.
 */
import { decodeTime, incrementBase32 } from 'ulid';
import { describe, expect, it } from 'vitest';
import { generateId } from '../src/common/ids.js';
import { SessionStore } from '../src/index.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The last 12 letters (60 bits) of an id, as bits. */
function tailBits(id: string): string {
  return [...id.slice(-12)].map((letter) => CROCKFORD.indexOf(letter).toString(2).padStart(5, '0')).join('');
}

function differingBits(left: string, right: string): number {
  let count = 0;
  for (let index = 0; index < left.length; index += 1) if (left[index] !== right[index]) count += 1;
  return count;
}

describe('generated ids', () => {
  it("cannot be guessed from the ids made just before and after: user B's ids are not user A's plus one", async () => {
    const store = SessionStore.memory();
    const alice = await store.create({ userId: 'alice' });
    const bob = await store.create({ userId: 'bob' });
    let guessedRight = 0;
    let sameMillisecond = 0;
    for (let round = 0; round < 300; round += 1) {
      // Alice, Bob and Alice again append as close together as the event loop allows.
      const [[before], [bobs], [after]] = await Promise.all([
        store.append(alice.id, { role: 'user', content: 'a' }),
        store.append(bob.id, { role: 'user', content: 'b' }),
        store.append(alice.id, { role: 'user', content: 'a' }),
      ]);
      const ulidOf = (id: string) => id.slice('msg_'.length);
      if (decodeTime(ulidOf(before!.id)) !== decodeTime(ulidOf(bobs!.id))) continue;
      sameMillisecond += 1;
      // What an attacker computes from their own id: the monotonic next one.
      const guesses = new Set<string>();
      let candidate = ulidOf(before!.id);
      for (let step = 0; step < 3; step += 1) {
        candidate = candidate.slice(0, 10) + incrementBase32(candidate.slice(10));
        guesses.add(`msg_${candidate}`);
      }
      if (guesses.has(bobs!.id)) guessedRight += 1;
      expect(bobs!.id).not.toBe(after!.id);
    }
    expect(sameMillisecond).toBeGreaterThan(30);
    expect(guessedRight).toBe(0);
    await store.close();
  });

  it('carry fresh randomness in every id: consecutive ids of one millisecond differ in about half their last 60 bits', () => {
    const ids = Array.from({ length: 5_000 }, () => generateId('message').slice('msg_'.length));
    let pairs = 0;
    let differing = 0;
    for (let index = 1; index < ids.length; index += 1) {
      if (ids[index]!.slice(0, 10) !== ids[index - 1]!.slice(0, 10)) continue;
      pairs += 1;
      differing += differingBits(tailBits(ids[index]!), tailBits(ids[index - 1]!));
    }
    expect(pairs).toBeGreaterThan(1_000);
    // 60 independent random bits differ in 30 on average; an incremented counter in 1 or 2.
    expect(differing / pairs).toBeGreaterThan(25);
    expect(differing / pairs).toBeLessThan(35);
  });

  it('keep their time order at millisecond granularity, and the order they were made in', async () => {
    const started = Date.now();
    const ids: string[] = [];
    for (let round = 0; round < 20; round += 1) {
      ids.push(generateId('session'), generateId('session'));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const times = ids.map((id) => decodeTime(id.slice('session_'.length)));
    expect(times[0]!).toBeGreaterThanOrEqual(started);
    expect(times[times.length - 1]!).toBeLessThanOrEqual(Date.now());
    expect([...times].sort((left, right) => left - right)).toEqual(times);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(/^session_[0-9A-HJKMNP-TV-Z]{26}$/);
  });
});
