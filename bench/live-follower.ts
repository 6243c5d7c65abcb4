/**
 * The follower process of the live-run bench (bench/live-runs.ts), by MODE:
 * - `ack URL RUN_ID`: follows the run and prints each event's seq as soon as it arrives;
 * - `idle URL RUN_IDS SECONDS`: follows every run of the comma-separated list (runs that record
 *   nothing), lets them settle, then prints the process's CPU time over SECONDS as JSON;
 * - `baseline URL RUN_IDS SECONDS`: the same process with the store open and no follower, to subtract.
 */
import { SessionStore } from '../src/index.js';

const [mode, url, runIdsText, secondsText] = process.argv.slice(2);
if (!mode || !url || !runIdsText) {
  console.error('usage: live-follower ack|idle|baseline STORE_URL RUN_ID[,RUN_ID...] [SECONDS]');
  process.exit(2);
}
const store = await SessionStore.open(url);
const runIds = runIdsText.split(',');

if (mode === 'ack') {
  console.log('following');
  for await (const event of store.followRun(runIds[0]!)) process.stdout.write(`${event.seq}\n`);
} else {
  const stop = new AbortController();
  if (mode === 'idle') {
    for (const runId of runIds) {
      void (async () => {
        for await (const _event of store.followRun(runId, { signal: stop.signal }));
      })();
    }
  } else {
    await store.getRun(runIds[0]!);
  }
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const before = process.cpuUsage();
  const started = process.hrtime.bigint();
  await new Promise((resolve) => setTimeout(resolve, Number(secondsText ?? '5') * 1000));
  const used = process.cpuUsage(before);
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(JSON.stringify({ cpuMs: (used.user + used.system) / 1000, elapsedMs, followers: mode === 'idle' ? runIds.length : 0 }));
  stop.abort();
}
await store.close();
process.exit(0);
