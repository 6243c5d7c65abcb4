/**
 * The search phase's workload: a population of sessions whose messages are sentences drawn from a
 * fixed vocabulary (frequent words often, rare words seldom, deterministically), with planted words
 * whose number of matches is known, then timed queries of each kind and what the index adds to an
 * append (a message with text, indexed, against one of the same size without text, not indexed).
 */
import type { MessageInput, SessionStore } from '../src/index.js';
import { collectGarbage, interleave, summarise, timeOnce, type Summary } from './measure.js';
import type { OnProgress } from './workload.js';

const VOCABULARY = 5_000;
const SESSION_USERS = 100;
/** In this share of messages: `harbour` (one in ten), `lights` (one in five). */
const HARBOUR_EVERY = 10;
const LIGHTS_EVERY = 5;

/** A deterministic pseudo-random sequence (a linear congruential generator), so every run writes the same text. */
function sequence(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Message `index` of session `session`: 12 to 30 words, frequent words more often (cubed draw), and the planted words. */
function sentence(session: number, index: number, next: () => number): string {
  const words: string[] = [];
  const length = 12 + Math.floor(next() * 19);
  for (let word = 0; word < length; word += 1) words.push(`w${Math.floor(VOCABULARY * next() ** 3).toString(36)}`);
  const global = session * 1_000_003 + index;
  if (global % HARBOUR_EVERY === 0) words.splice(3, 0, 'harbour');
  if (global % LIGHTS_EVERY === 0) words.splice(6, 0, 'lights');
  if (index === 7) words.splice(1, 0, `needle${session}`);
  return words.join(' ');
}

function message(session: number, index: number, next: () => number): MessageInput {
  const text = sentence(session, index, next);
  return index % 2 === 0 ? { role: 'user', content: text } : { role: 'assistant', content: [{ type: 'text', text }] };
}

export interface SearchPopulation {
  sessionIds: string[];
  messages: number;
  createMs: number;
}

/** `sessions` sessions of `perSession` messages each, one append per session, users spread over SESSION_USERS. */
export async function searchPopulation(store: SessionStore, sessions: number, perSession: number, onProgress?: OnProgress): Promise<SearchPopulation> {
  const next = sequence(17);
  const sessionIds: string[] = [];
  const started = Date.now();
  for (let session = 0; session < sessions; session += 1) {
    const created = await store.create({ userId: `user-${session % SESSION_USERS}` });
    await store.append(created.id, Array.from({ length: perSession }, (_, index) => message(session, index, next)));
    sessionIds.push(created.id);
    onProgress?.(session + 1, sessions);
  }
  return { sessionIds, messages: sessions * perSession, createMs: Date.now() - started };
}

export interface QueryCost {
  name: string;
  /** Hits on the first page (at most 20). */
  hits: number;
  time: Summary;
}

/** Each kind of query, `rounds` times after one untimed call, each kind after a collection. */
export async function queryCosts(store: SessionStore, population: SearchPopulation, rounds: number, onProgress?: OnProgress): Promise<QueryCost[]> {
  const pick = sequence(99);
  const sessionAt = () => population.sessionIds[Math.floor(pick() * population.sessionIds.length)]!;
  const kinds: Array<{ name: string; run: () => Promise<{ hits: unknown[] }> }> = [
    { name: 'a rare word (1 match)', run: () => store.search(`needle${Math.floor(pick() * population.sessionIds.length)}`) },
    { name: `a common word (1 message in ${HARBOUR_EVERY})`, run: () => store.search('harbour') },
    { name: 'two common words (both in 1 in 10)', run: () => store.search('harbour lights') },
    { name: 'a prefix as typed ("harb")', run: () => store.search('harb') },
    { name: `the common word, one user's sessions (1 in ${SESSION_USERS})`, run: () => store.search('harbour', { userId: `user-${Math.floor(pick() * SESSION_USERS)}` }) },
    { name: 'the common word, within one session', run: () => store.search('harbour', { sessionId: sessionAt() }) },
  ];
  const costs: QueryCost[] = [];
  for (const [position, kind] of kinds.entries()) {
    const first = await kind.run();
    collectGarbage();
    const samples: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      samples.push(await timeOnce(kind.run));
      onProgress?.(position * rounds + round + 1, kinds.length * rounds);
    }
    costs.push({ name: kind.name, hits: first.hits.length, time: summarise(samples) });
  }
  return costs;
}

/**
 * What indexing adds to an append: a message with text (indexed) against one of about the same
 * encoded size holding only an image URL (nothing to index), interleaved on one session.
 */
export async function indexedAppendCost(store: SessionStore, appends: number, onProgress?: OnProgress) {
  const session = (await store.create()).id;
  const next = sequence(5);
  const text = (round: number): MessageInput => ({ role: 'user', content: sentence(1, round, next) });
  const image = (round: number): MessageInput => ({
    role: 'user',
    content: [{ type: 'image', image: `https://example.com/${'x'.repeat(120)}/${round}.png` }],
  });
  const samples = await interleave(
    appends,
    (round) => store.append(session, text(round)),
    (round) => store.append(session, image(round)),
    (done) => onProgress?.(done, appends),
  );
  const indexed = summarise(samples.left);
  const plain = summarise(samples.right);
  return { indexed, plain, ratio: indexed.mean / plain.mean, medianRatio: indexed.median / plain.median };
}
