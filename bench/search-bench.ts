/**
 * The search phase of one store (issue 17): query times (median, p95) of each kind of query over a
 * population with known matches, what indexing adds to an append, and the index's bytes per
 * message where there is an index. SQLite and PostgreSQL search their full-text indexes; the other
 * stores scan, so they are measured over a smaller population, printed with their figures.
 */
import type { Counts } from './configuration.js';
import { formatMs } from './measure.js';
import { inPhase } from './progress.js';
import { ratioWithoutTarget, type Line } from './report.js';
import { indexedAppendCost, queryCosts, searchPopulation } from './search-workload.js';
import type { StoreTarget } from './store-targets.js';

const INDEXED = new Set(['sqlite', 'postgres']);
/** Scanning stores read every message in scope on each search: a population this size keeps the phase short. */
const SCANNED_MESSAGES = 10_000;

const count = (value: number) => value.toLocaleString('en-US');

export async function benchSearch(target: StoreTarget, counts: Counts): Promise<{ lines: Line[]; results: Record<string, unknown> }> {
  const name = target.name;
  const indexed = INDEXED.has(name);
  const messages = indexed ? counts.searchMessages : Math.min(counts.searchMessages, SCANNED_MESSAGES);
  const sessions = Math.max(1, Math.round(messages / counts.searchMessagesPerSession));
  const store = await target.open('search');
  try {
    const population = await inPhase(name, `search population: ${count(sessions)} sessions of ${counts.searchMessagesPerSession} messages`, (phase) =>
      searchPopulation(store, sessions, counts.searchMessagesPerSession, phase.advance),
    );
    const queries = await inPhase(name, `search ${count(population.messages)} messages (${indexed ? 'index' : 'scan'}), each kind of query ${counts.searchQueries} times`, (phase) =>
      queryCosts(store, population, counts.searchQueries, phase.advance),
    );
    const append = await inPhase(name, `append with text (indexed) vs without (${counts.appends} interleaved rounds)`, (phase) =>
      indexedAppendCost(store, counts.appends, phase.advance),
    );
    const indexBytes = indexed ? await target.searchIndexBytes?.('search') : undefined;
    const lines: Line[] = [
      {
        measure: `search over ${count(population.messages)} messages in ${count(sessions)} sessions (${indexed ? 'full-text index' : 'bounded scan'})`,
        figure: `written in ${formatMs(population.createMs)}`,
      },
      ...queries.map((query) => ({
        measure: `  ${query.name}, ${query.time.count} times (${query.hits} hits on the first page)`,
        figure: `median ${formatMs(query.time.median)}, p95 ${formatMs(query.time.p95)}, mean ${formatMs(query.time.mean)}`,
      })),
      {
        measure: `append of a message with text (indexed) vs without, mean of ${counts.appends}`,
        figure: `${formatMs(append.indexed.mean)} vs ${formatMs(append.plain.mean)} (median ${formatMs(append.indexed.median)} vs ${formatMs(append.plain.median)})`,
        check: ratioWithoutTarget('append with text / without', append.ratio),
      },
      ...(indexBytes === undefined
        ? []
        : [{ measure: '  the search index on disk, per message', figure: `${count(Math.round(indexBytes / (population.messages + 2 * counts.appends)))} B` }]),
    ];
    return { lines, results: { search: { messages: population.messages, sessions, queries, append, indexBytes } } };
  } finally {
    await store.close();
  }
}
