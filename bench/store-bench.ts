/**
 * Every measurement of one store, phase by phase, as printed lines and as raw results for the JSON
 * report. Phases that need a known population open their own namespace (see store-targets.ts);
 * the depth comparisons, reads and throughput share one store, as an application's would.
 */
import { benchCompaction } from './compaction-bench.js';
import type { Counts, PhaseName } from './configuration.js';
import { benchCheckpoint, benchFileStore } from './file-store-bench.js';
import { benchLiveRuns } from './live-bench.js';
import { CREATE_BATCH, LIST_PAGE, listCost } from './list-workload.js';
import { formatMs } from './measure.js';
import { inPhase } from './progress.js';
import { ratioAtLeast, ratioAtMost, ratioWithoutTarget, timeUnder, type Line } from './report.js';
import { benchSearch } from './search-bench.js';
import { benchSqliteOnly } from './sqlite-bench.js';
import type { StoreTarget } from './store-targets.js';
import { SESSIONS, WRITERS, concurrencyThroughput } from './throughput.js';
import { appendCostByDepth, forkCostByDepth, readCosts, rewindCostByDepth, type DepthComparison } from './workload.js';

/** Promised by issues 2 and 3. */
const APPEND_RATIO_LIMIT = 1.3;
const FORK_RATIO_LIMIT = 1.5;
// Issue 18: `last: 50` stays under 1 ms.
const SQLITE_PAGE_LIMIT_MS = 1;
const SQLITE_SESSIONS_RATIO_LIMIT = 4;
const SHALLOW_APPEND_DEPTH = 10;
const SHALLOW_FORK_DEPTH = 100;

const count = (value: number) => value.toLocaleString('en-US');
const perSecond = (value: number) => `${count(Math.round(value))} appends/s`;

function depthFigure(comparison: DepthComparison): string {
  const { shallow, deep } = comparison;
  return `${formatMs(shallow.mean)} vs ${formatMs(deep.mean)} (median ${formatMs(shallow.median)} vs ${formatMs(deep.median)})`;
}

/** The robust ratios beside the judged one, so a miss can be told apart from a noisy tail. */
function depthCheck(name: string, comparison: DepthComparison, limit: number) {
  return ratioAtMost(name, comparison.ratio, limit, { median: comparison.medianRatio, trimmed: comparison.trimmedRatio });
}

export interface StoreResult {
  lines: Line[];
  results: Record<string, unknown>;
}

export async function benchStore(target: StoreTarget, counts: Counts, directory: string, phases: readonly PhaseName[]): Promise<StoreResult> {
  const lines: Line[] = [];
  const results: Record<string, unknown> = {};
  if (phases.includes('core')) await benchCore(target, counts, lines, results);
  if (phases.includes('list')) await benchList(target, counts, lines, results);
  if (phases.includes('sqlite') && target.name === 'sqlite') {
    const sqlite = await benchSqliteOnly(counts, directory);
    lines.push(...sqlite.lines);
    Object.assign(results, sqlite.results);
  }
  if (phases.includes('compaction')) {
    const compaction = await benchCompaction(target, counts);
    lines.push(...compaction.lines);
    Object.assign(results, compaction.results);
  }
  if (phases.includes('live')) {
    const live = await benchLiveRuns(target, counts);
    lines.push(...live.lines);
    Object.assign(results, live.results);
  }
  if (phases.includes('filestore') && target.name === 'file') {
    const file = await benchFileStore(target, { forks: counts.fileForks, listCalls: counts.fileListCalls, messages: counts.deep });
    lines.push(...file.lines);
    Object.assign(results, file.results);
  }
  // Issue 18's checkpoint target, on the default store and the file store.
  if (phases.includes('checkpoint') && (target.name === 'sqlite' || target.name === 'file')) {
    const checkpoint = await benchCheckpoint(target, counts.checkpoints, directory);
    lines.push(...checkpoint.lines);
    Object.assign(results, checkpoint.results);
  }
  if (phases.includes('search')) {
    const search = await benchSearch(target, counts);
    lines.push(...search.lines);
    Object.assign(results, search.results);
  }
  return { lines, results };
}

async function benchCore(target: StoreTarget, counts: Counts, lines: Line[], results: Record<string, unknown>): Promise<void> {
  const name = target.name;
  const deep = count(counts.deep);
  const store = await target.open('main');
  try {
    const depthPhases = [
      { operation: 'append', history: 'depth', shallowDepth: SHALLOW_APPEND_DEPTH, rounds: counts.appends, limit: APPEND_RATIO_LIMIT, measure: appendCostByDepth },
      { operation: 'fork', history: 'history', shallowDepth: SHALLOW_FORK_DEPTH, rounds: counts.forks, limit: FORK_RATIO_LIMIT, measure: forkCostByDepth },
      { operation: 'rewind', history: 'history', shallowDepth: SHALLOW_FORK_DEPTH, rounds: counts.rewinds, limit: FORK_RATIO_LIMIT, measure: rewindCostByDepth },
    ];
    for (const { operation, history, shallowDepth, rounds, limit, measure } of depthPhases) {
      const comparison = await inPhase(name, `${operation} cost at ${history} ${shallowDepth} vs ${deep} (${rounds} interleaved rounds)`, (phase) =>
        measure(store, shallowDepth, counts.deep, rounds, phase.advance),
      );
      lines.push({
        measure: `${operation}, mean of ${rounds}: ${history} ${shallowDepth} vs ${deep}`,
        figure: depthFigure(comparison),
        check: depthCheck(`${operation} ${deep} / ${shallowDepth}`, comparison, limit),
      });
      results[operation] = comparison;
    }

    const reads = await inPhase(name, `resume of ${deep} messages (${counts.reads} times), last-50 page (${counts.pages} times)`, (phase) =>
      readCosts(store, counts.deep, counts.reads, counts.pages, phase.advance),
    );
    lines.push({
      measure: `resume: getMessages of all ${deep}, ${counts.reads} times`,
      figure: `mean ${formatMs(reads.resume.mean)}, median ${formatMs(reads.resume.median)}, p95 ${formatMs(reads.resume.p95)}`,
    });
    lines.push({
      measure: `page: last 50 of ${deep}, ${counts.pages} times`,
      figure: `mean ${formatMs(reads.lastPage.mean)}, median ${formatMs(reads.lastPage.median)}, p95 ${formatMs(reads.lastPage.p95)}`,
      ...(name === 'sqlite' ? { check: timeUnder('last-50 page, mean', reads.lastPage.mean, SQLITE_PAGE_LIMIT_MS) } : {}),
    });

    const throughput = await inPhase(
      name,
      `append throughput: 1 writer, ${SESSIONS} sessions, ${WRITERS} writers on one session (${counts.throughputRounds} interleaved rounds)`,
      (phase) => concurrencyThroughput(store, counts.throughputAppends, counts.throughputRounds, phase.advance),
    );
    const appendsEach = count(throughput.oneWriter.appends);
    lines.push({ measure: `append throughput, 1 writer (${appendsEach} appends)`, figure: perSecond(throughput.oneWriter.perSecond) });
    lines.push({
      measure: `append throughput, ${SESSIONS} sessions at once (${appendsEach})`,
      figure: perSecond(throughput.manySessions.perSecond),
      // Issue 18 asks SQLite (group commit) for 4x; the other stores' figure is reported as found.
      check:
        name === 'sqlite'
          ? ratioAtLeast(`throughput ${SESSIONS} sessions / 1 writer`, throughput.sessionsRatio, SQLITE_SESSIONS_RATIO_LIMIT)
          : ratioWithoutTarget(`throughput ${SESSIONS} sessions / 1 writer`, throughput.sessionsRatio),
    });
    lines.push({
      measure: `append throughput, ${WRITERS} writers on one session (${appendsEach})`,
      figure: perSecond(throughput.eightWritersOneSession.perSecond),
      check: ratioWithoutTarget(`throughput ${WRITERS} writers on one session / 1 writer`, throughput.oneSessionRatio),
    });
    Object.assign(results, { reads, throughput });
  } finally {
    await store.close();
  }
}

const LIST_TARGET_STORES = new Set(['sqlite', 'postgres']);
const LIST_LIMIT_MS = 1;

async function benchList(target: StoreTarget, counts: Counts, lines: Line[], results: Record<string, unknown>): Promise<void> {
  const name = target.name;
  const listStore = await target.open('list');
  try {
    const list = await inPhase(name, `list newest ${LIST_PAGE} among ${count(counts.listSessions)} sessions (created in parallel batches)`, async (phase) => {
      const cost = await listCost(listStore, counts.listSessions, counts.listCalls, phase.advance);
      phase.note(`of which creating the sessions ${formatMs(cost.createMs)}`);
      return cost;
    });
    lines.push({
      measure: `list: newest ${LIST_PAGE} of ${count(list.sessions)} sessions, ${counts.listCalls} times after a first`,
      figure: `mean ${formatMs(list.list.mean)}, median ${formatMs(list.list.median)}, p95 ${formatMs(list.list.p95)}; first ${formatMs(list.firstMs)}`,
      // Issue 18: under 1 ms on SQLite and PostgreSQL (the file store's target is in its own phase).
      // Judged on the median: a handful of calls on a shared machine, where one preempted call moves the mean.
      ...(LIST_TARGET_STORES.has(name) ? { check: timeUnder(`list newest ${LIST_PAGE} of ${count(list.sessions)} (median)`, list.list.median, LIST_LIMIT_MS) } : {}),
    });
    lines.push({
      measure: `  its setup: ${count(list.sessions)} creates, ${CREATE_BATCH} at a time`,
      figure: `${formatMs(list.createMs)} (${count(Math.round(list.sessions / (list.createMs / 1000)))} sessions/s)`,
    });
    results.list = list;
  } finally {
    await listStore.close();
  }
}
