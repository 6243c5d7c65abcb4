/**
 * `npm run bench`: the performance shape of SPEC section 6, measured in one run on this machine.
 * Every promise is a ratio of two figures measured here, side by side (interleaved), so a slow or
 * busy machine shifts both and the ratio still means something. Never part of `npm test`.
 *
 *   BENCH_QUICK=1 npm run bench   smaller counts, for a smoke run
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SessionStore } from '../src/index.js';
import { formatMs } from './measure.js';
import { rawInsertThroughput } from './sqlite-baseline.js';
import {
  appendCostByDepth,
  appendThroughput,
  forkCostByDepth,
  readCosts,
  rewindCostByDepth,
  sessionOfDepth,
  type DepthComparison,
} from './workload.js';

const quick = process.env.BENCH_QUICK === '1';
const counts = {
  deep: quick ? 2_000 : 10_000,
  appends: quick ? 100 : 500,
  forks: quick ? 50 : 200,
  rewinds: quick ? 40 : 90,
  reads: quick ? 5 : 20,
  throughput: quick ? 200 : 1_000,
};

interface Row {
  store: string;
  measure: string;
  figure: string;
  target?: string;
  pass?: boolean;
}
const rows: Row[] = [];
const results: Record<string, unknown> = { counts, node: process.version, at: new Date().toISOString() };

function depthRow(store: string, name: string, comparison: DepthComparison, shallow: number, limit: number) {
  rows.push({
    store,
    measure: `${name} at ${shallow} vs ${counts.deep}`,
    figure: `${formatMs(comparison.shallow.mean)} vs ${formatMs(comparison.deep.mean)} (median ${formatMs(comparison.shallow.median)} vs ${formatMs(comparison.deep.median)}): ratio ${comparison.ratio.toFixed(2)}`,
    target: `ratio <= ${limit}`,
    pass: comparison.ratio <= limit,
  });
}

async function benchStore(name: string, open: () => SessionStore) {
  const store = open();
  const append = await appendCostByDepth(store, 10, counts.deep, counts.appends);
  depthRow(name, `append (mean of ${counts.appends})`, append, 10, 1.3);
  const fork = await forkCostByDepth(store, 100, counts.deep, counts.forks);
  depthRow(name, `fork (mean of ${counts.forks})`, fork, 100, 1.5);
  const rewind = await rewindCostByDepth(store, 100, counts.deep, counts.rewinds);
  depthRow(name, `rewind (mean of ${counts.rewinds})`, rewind, 100, 1.5);
  const reads = await readCosts(store, counts.deep, counts.reads);
  rows.push({ store: name, measure: `resume: getMessages of all ${counts.deep}`, figure: `mean ${formatMs(reads.resume.mean)}, median ${formatMs(reads.resume.median)}` });
  rows.push({
    store: name,
    measure: `page: last 50 of ${counts.deep}`,
    figure: `mean ${formatMs(reads.lastPage.mean)}, p95 ${formatMs(reads.lastPage.p95)}`,
    target: name === 'sqlite' ? '< 5 ms' : undefined,
    pass: name === 'sqlite' ? reads.lastPage.mean < 5 : undefined,
  });
  const throughput = await appendThroughput(store, counts.throughput);
  rows.push({ store: name, measure: 'append throughput, 1 writer', figure: `${throughput.toFixed(0)} appends/s` });
  await store.close();
  results[name] = { append, fork, rewind, reads, throughput };
  return throughput;
}

async function bytesPerMessage(directory: string): Promise<number> {
  const path = join(directory, 'size.db');
  const store = SessionStore.sqlite(path);
  await sessionOfDepth(store, counts.deep);
  await store.close();
  const database = new Database(path);
  database.pragma('wal_checkpoint(TRUNCATE)');
  database.close();
  return statSync(path).size / counts.deep;
}

const directory = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'sessionloom-bench-'));
try {
  console.log(`sessionloom bench (${quick ? 'quick' : 'full'}), node ${process.version}, files in ${directory}\n`);
  await benchStore('memory', () => SessionStore.memory());
  const sqliteThroughput = await benchStore('sqlite', () => SessionStore.sqlite(join(directory, 'bench.db')));
  const rawThroughput = await rawInsertThroughput(join(directory, 'raw.db'), counts.throughput, 'FULL');
  const ratio = sqliteThroughput / rawThroughput;
  rows.push({
    store: 'sqlite',
    measure: 'durable append throughput vs raw better-sqlite3 insert (1 tx per row, synchronous=FULL)',
    figure: `${sqliteThroughput.toFixed(0)} vs ${rawThroughput.toFixed(0)} rows/s: ratio ${ratio.toFixed(2)}`,
    target: 'ratio >= 0.5',
    pass: ratio >= 0.5,
  });
  const bytes = await bytesPerMessage(directory);
  rows.push({ store: 'sqlite', measure: `bytes on disk per message (${counts.deep} messages, ~190 B of content)`, figure: `${bytes.toFixed(0)} B` });
  Object.assign(results, { rawThroughput, throughputRatio: ratio, bytesPerMessage: bytes });

  const width = Math.max(...rows.map((row) => row.measure.length));
  for (const row of rows) {
    const verdict = row.target === undefined ? '' : `  [${row.pass ? 'ok' : 'MISSED'}: ${row.target}]`;
    console.log(`${row.store.padEnd(7)} ${row.measure.padEnd(width)}  ${row.figure}${verdict}`);
  }
  mkdirSync('reports', { recursive: true });
  writeFileSync('reports/bench.json', `${JSON.stringify({ ...results, rows }, null, 2)}\n`);
  console.log('\nwritten to reports/bench.json');
} finally {
  rmSync(directory, { recursive: true, force: true });
}
