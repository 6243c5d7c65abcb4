/** The benchmark's store-independent workload: sessions of a given depth, and the timed operations on them. */
import type { MessageInput, SessionStore } from '../src/index.js';
import { interleave, summarise, timeOnce, type Summary } from './measure.js';

/** A message of a typical chat size (about 200 bytes of content). */
export function sampleMessage(index: number): MessageInput {
  return index % 2 === 0
    ? { role: 'user', content: `Question ${index}: could you summarise the previous answer in two sentences, with the key figure?` }
    : { role: 'assistant', content: [{ type: 'text', text: `Answer ${index}: the figure is ${index * 7}; it follows from the earlier steps, which hold.` }] };
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
  /** deep mean / shallow mean: 1.0 means the cost does not grow with history. */
  ratio: number;
}

function compare(samples: { left: number[]; right: number[] }): DepthComparison {
  const shallow = summarise(samples.left);
  const deep = summarise(samples.right);
  return { shallow, deep, ratio: deep.mean / shallow.mean };
}

export async function appendCostByDepth(store: SessionStore, shallowDepth: number, deepDepth: number, appends: number) {
  const shallow = await sessionOfDepth(store, shallowDepth);
  const deep = await sessionOfDepth(store, deepDepth);
  return compare(
    await interleave(
      appends,
      (round) => store.append(shallow, sampleMessage(round)),
      (round) => store.append(deep, sampleMessage(round)),
    ),
  );
}

export async function forkCostByDepth(store: SessionStore, shallowDepth: number, deepDepth: number, forks: number) {
  const shallow = await sessionOfDepth(store, shallowDepth);
  const deep = await sessionOfDepth(store, deepDepth);
  return compare(await interleave(forks, () => store.fork(shallow), () => store.fork(deep)));
}

/** Rewinds by one message at a time from the head, so each round rewinds a session of (almost) the given depth. */
export async function rewindCostByDepth(store: SessionStore, shallowDepth: number, deepDepth: number, rewinds: number) {
  const shallow = await sessionOfDepth(store, shallowDepth);
  const deep = await sessionOfDepth(store, deepDepth);
  const shallowIds = (await store.getMessages(shallow)).map((message) => message.id);
  const deepIds = (await store.getMessages(deep)).map((message) => message.id);
  return compare(
    await interleave(
      rewinds,
      (round) => store.rewind(shallow, { toMessage: shallowIds[shallowIds.length - 2 - round]! }),
      (round) => store.rewind(deep, { toMessage: deepIds[deepIds.length - 2 - round]! }),
    ),
  );
}

export async function readCosts(store: SessionStore, depth: number, rounds: number) {
  const id = await sessionOfDepth(store, depth);
  const resume: number[] = [];
  const lastPage: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    resume.push(await timeOnce(() => store.getMessages(id)));
    lastPage.push(await timeOnce(() => store.getMessages(id, { last: 50 })));
  }
  return { resume: summarise(resume), lastPage: summarise(lastPage) };
}

/** Appends per second with one writer, one message per call (each call durable before it returns). */
export async function appendThroughput(store: SessionStore, appends: number): Promise<number> {
  const session = await store.create();
  const elapsed = await timeOnce(async () => {
    for (let index = 0; index < appends; index += 1) await store.append(session.id, sampleMessage(index));
  });
  return appends / (elapsed / 1000);
}
