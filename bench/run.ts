/**
 * `npm run bench`: the performance shape of SPEC section 6 on every store (memory, SQLite, file,
 * PostgreSQL, Redis), measured in one run on this machine. Every promise is a ratio of two
 * figures measured here, side by side (interleaved), so a slow or busy machine shifts both and
 * the ratio still means something. PostgreSQL and Redis run as private servers started here and
 * stopped at the end; a store whose server is not installed is skipped with a line saying how to
 * install it. Never part of `npm test`.
 *
 *   BENCH_QUICK=1 npm run bench              smaller counts, for a smoke run
 *   BENCH_STORES=sqlite,redis npm run bench  only these stores
 *   BENCH_PHASES=compaction npm run bench    only these phases (core, list, sqlite, compaction, live, search, filestore, checkpoint)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { atCleanup, cleanUp, cleanUpOnSignal, wasInterrupted } from './cleanup.js';
import { readConfiguration } from './configuration.js';
import { announce } from './progress.js';
import { storeTable, summaryEntries, summaryTable, writeJson, type StoreNotMeasured, type StoreReport } from './report.js';
import { destroyAllServers } from './servers.js';
import { benchStore } from './store-bench.js';
import { prepareTarget } from './store-targets.js';

/** Next to the package's other reports, wherever the bench is started from. */
const REPORT_PATH = fileURLToPath(new URL('../reports/bench.json', import.meta.url));

const configuration = readConfiguration();
const directory = mkdtempSync(join(configuration.directory ?? tmpdir(), 'sessionloom-bench-'));
const reports: StoreReport[] = [];
const skipped: StoreNotMeasured[] = [];
const failed: StoreNotMeasured[] = [];
const results: Record<string, unknown> = {};
const started = Date.now();
atCleanup(() => rmSync(directory, { recursive: true, force: true }));
atCleanup(destroyAllServers);
cleanUpOnSignal();

/** Other processes on the machine lengthen the tails of the timings: printed so a reader can weigh a noisy run. */
function machineLoad(): string {
  return `load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs`;
}

try {
  console.log(
    `sessionloom bench (${configuration.quick ? 'quick' : 'full'}), node ${process.version}, ${machineLoad()}, ` +
      `stores ${configuration.stores.join(', ')}, phases ${configuration.phases.join(', ')}, files in ${directory}\n`,
  );
  for (const name of configuration.stores) {
    // One store failing (its server would not start, a check found lost appends) must not cost
    // the figures of the others: it is reported, and the run exits non-zero at the end.
    try {
      const target = await prepareTarget(name, directory);
      if ('skipped' in target) {
        announce(name, `SKIPPED: ${target.skipped}`);
        skipped.push({ store: name, reason: target.skipped });
        continue;
      }
      const load = machineLoad();
      announce(name, `starting, ${load}`);
      try {
        const { lines, results: storeResults } = await benchStore(target, configuration.counts, directory, configuration.phases);
        reports.push({ store: name, lines });
        results[name] = { machineLoadAtStart: load, ...storeResults };
      } finally {
        await target.release();
      }
    } catch (error) {
      if (wasInterrupted()) throw error;
      const reason = (error instanceof Error ? error.message : String(error)).trim();
      announce(name, `FAILED: ${reason}`);
      console.error(error);
      failed.push({ store: name, reason });
      process.exitCode = 1;
    }
  }

  for (const report of reports) console.log(storeTable(report));
  const summary = summaryEntries(reports);
  console.log(summaryTable(summary, skipped, failed));
  if (configuration.quick) console.log('  quick mode: a few rounds each, so the ratios are noisy; judge the targets on a full run.');
  writeJson(REPORT_PATH, {
    mode: configuration.quick ? 'quick' : 'full',
    counts: configuration.counts,
    node: process.version,
    cpus: cpus().length,
    at: new Date().toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    stores: Object.fromEntries(reports.map((report) => [report.store, { lines: report.lines, results: results[report.store] }])),
    skipped,
    failed,
    summary,
  });
  console.log(`\nwritten to ${REPORT_PATH} (run took ${Math.round((Date.now() - started) / 1000)} s, ${machineLoad()} at the end)`);
} catch (error) {
  // After Ctrl-C the servers are going away under a running phase: its error is expected, not news.
  if (!wasInterrupted()) throw error;
} finally {
  await cleanUp();
}
