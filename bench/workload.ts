/** The benchmark's store-independent workload: sessions of a given depth, and the timed operations on them. */
import type { MessageInput, SessionStore } from '../src/index.js';
import { collectGarbage, interleave, summarise, timeOnce, type Summary } from './measure.js';

/** Hears how much of a timed loop is done, for progress; called outside the timed calls. */
export type OnProgress = (done: number, total: number) => void;

/** A message of a typical chat size (about 200 bytes of content). */
export function sampleMessage(index: number): MessageInput {
  return index % 2 === 0
    ? { role: 'user', content: `Question ${index}: could you summarise the previous answer in two sentences, with the key figure?` }
    : { role: 'assistant', content: [{ type: 'text', text: `Answer ${index}: the figure is ${index * 7}; it follows from the earlier steps, which hold.` }] };
}

const PROSE =
  'The build failed on the second step because the cache key changed after the lock file was rewritten; ' +
  'pinning the resolver version and clearing the stale entries fixed it, and the test suite now runs in four minutes ' +
  'instead of nine. Next we should look at the flaky network test, which retries three times before it passes, ' +
  'and at the coverage report, which still counts generated files.';

/**
 * The turn of the issue-18 targets: a user message and an assistant answer of about 400 bytes of
 * JSON each (the size the peers were compared at), different in every turn.
 */
export function turnMessages(turn: number): MessageInput[] {
  return [
    { role: 'user', content: `Turn ${turn}: ${PROSE.slice(0, 360)}` },
    { role: 'assistant', content: [{ type: 'text', text: `Answer ${turn}: ${PROSE.slice(20, 340)}` }] },
  ];
}

/** A session holding `depth` messages, written in batches so setup stays quick. */
export async function sessionOfDepth(store: SessionStore, depth: number): Promise<string> {
  const session = await store.create();
  for (let start = 0; start < depth; start += 500) {
    const batch = Array.from({ length: Math.min(500, depth - start) }, (_, offset) => sampleMessage(start + offset));
    await store.append(session.id, batch);
  }
  return session.id;
}

export interface DepthComparison {
  shallow: Summary;
  deep: Summary;
  /** deep mean / shallow mean: 1.0 means the cost does not grow with history. What the targets judge. */
  ratio: number;
  /** deep median / shallow median: a cost that grows with history moves this too; a noisy tail does not. */
  medianRatio: number;
  /** Of the means without each side's slowest 1% (see `trimmedMean` in measure.ts). */
  trimmedRatio: number;
}

function compare(samples: { left: number[]; right: number[] }): DepthComparison {
  const shallow = summarise(samples.left);
  const deep = summarise(samples.right);
  return {
    shallow,
    deep,
    ratio: deep.mean / shallow.mean,
    medianRatio: deep.median / shallow.median,
    trimmedRatio: deep.trimmedMean / shallow.trimmedMean,
  };
}

export async function appendCostByDepth(store: SessionStore, shallowDepth: number, deepDepth: number, appends: number, onProgress?: OnProgress) {
  const shallow = await sessionOfDepth(store, shallowDepth);
  const deep = await sessionOfDepth(store, deepDepth);
  return compare(
    await interleave(
      appends,
      (round) => store.append(shallow, sampleMessage(round)),
      (round) => store.append(deep, sampleMessage(round)),
      (done) => onProgress?.(done, appends),
    ),
  );
}

export async function forkCostByDepth(store: SessionStore, shallowDepth: number, deepDepth: number, forks: number, onProgress?: OnProgress) {
  const shallow = await sessionOfDepth(store, shallowDepth);
  const deep = await sessionOfDepth(store, deepDepth);
  return compare(await interleave(forks, () => store.fork(shallow), () => store.fork(deep), (done) => onProgress?.(done, forks)));
}

/**
 * Each round rewinds the head by one message (timed), then appends one message back (untimed), so
 * every rewind is of a session holding exactly the given depth, for as many rounds as wanted.
 * The message rewound to stays the same: the one before the original head.
 */
export async function rewindCostByDepth(store: SessionStore, shallowDepth: number, deepDepth: number, rewinds: number, onProgress?: OnProgress) {
  const rewindOneAndRestore = async (depth: number) => {
    const id = await sessionOfDepth(store, depth);
    const [beforeHead] = await store.getMessages(id, { last: 2 });
    return {
      timed: async () => {
        // A rewind to the head itself would write nothing and time nothing: make sure each one removes the head.
        const { removedMessages } = await store.rewind(id, { toMessage: beforeHead!.id });
        if (removedMessages !== 1) throw new Error(`a bench rewind removed ${removedMessages} messages, expected 1`);
      },
      after: (round: number) => store.append(id, sampleMessage(round)),
    };
  };
  return compare(
    await interleave(rewinds, await rewindOneAndRestore(shallowDepth), await rewindOneAndRestore(deepDepth), (done) => onProgress?.(done, rewinds)),
  );
}

/**
 * Resume (every message of a deep session), `resumes` times, then a page of its newest 50, `pages`
 * times, each block after a collection. Not interleaved: they are not compared as a ratio, and a
 * page timed right after a 10,000-message read pays for that read's garbage (measured: on Redis a
 * median of 0.5 ms alone, 6.7 ms right after a full read), which is not what a page costs.
 */
export async function readCosts(store: SessionStore, depth: number, resumes: number, pages: number, onProgress?: OnProgress) {
  const id = await sessionOfDepth(store, depth);
  const timeRepeatedly = async (rounds: number, read: () => Promise<unknown>, doneBefore: number) => {
    await read(); // untimed first call: compiled code paths, warm connection
    collectGarbage();
    const samples: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      samples.push(await timeOnce(read));
      onProgress?.(doneBefore + round + 1, resumes + pages);
    }
    return summarise(samples);
  };
  const resume = await timeRepeatedly(resumes, () => store.getMessages(id), 0);
  const lastPage = await timeRepeatedly(pages, () => store.getMessages(id, { last: 50 }), resumes);
  return { resume, lastPage };
}
