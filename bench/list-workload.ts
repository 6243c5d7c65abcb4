/**
 * `list` of the 20 most recent sessions among many: what a sidebar of recent conversations asks on
 * every page load. The store is filled first (in parallel batches, as many clients would, so the
 * setup of 10,000 sessions stays short on stores with network round trips), then `list` is timed.
 */
import type { SessionStore } from '../src/index.js';
import { collectGarbage, summarise, timeOnce, type Summary } from './measure.js';
import type { OnProgress } from './workload.js';

/** Creates in flight at once: enough to overlap network round trips (the PostgreSQL pool queues what it cannot run yet). */
export const CREATE_BATCH = 50;
export const LIST_PAGE = 20;

export interface ListCost {
  sessions: number;
  /** How long creating them took (the setup, reported because on the file store it is the slow part). */
  createMs: number;
  /** The first call after the store was filled: what a freshly started process pays (cold caches, query plans). */
  firstMs: number;
  /** The calls after it. */
  list: Summary;
}

export async function fillStore(store: SessionStore, sessions: number, onProgress?: OnProgress): Promise<number> {
  return timeOnce(async () => {
    for (let created = 0; created < sessions; created += CREATE_BATCH) {
      const batch = Math.min(CREATE_BATCH, sessions - created);
      await Promise.all(Array.from({ length: batch }, () => store.create()));
      onProgress?.(created + batch, sessions);
    }
  });
}

/**
 * Times the first listing of the newest page, then `calls` more; checks every page is full, so an
 * empty store cannot look fast. The first is reported apart: the file store's first listing reads
 * every session file, later ones only check which files changed.
 */
export async function listCost(store: SessionStore, sessions: number, calls: number, onProgress?: OnProgress): Promise<ListCost> {
  const createMs = await fillStore(store, sessions, onProgress);
  collectGarbage();
  const timedList = async () => {
    let found = 0;
    const elapsed = await timeOnce(async () => {
      found = (await store.list({ orderBy: 'updatedAt', order: 'desc', limit: LIST_PAGE })).sessions.length;
    });
    if (found !== LIST_PAGE) throw new Error(`list returned ${found} sessions, expected ${LIST_PAGE} of ${sessions}`);
    return elapsed;
  };
  const firstMs = await timedList();
  const samples: number[] = [];
  for (let call = 0; call < calls; call += 1) samples.push(await timedList());
  return { sessions, createMs, firstMs, list: summarise(samples) };
}
