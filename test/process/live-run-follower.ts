/**
 * A follower for the live-run process tests: follows RUN_ID after AFTER_SEQ in the store at URL,
 * printing `following` once it has begun, `event <seq> <type>` per event as it arrives, and
 * `end <status>` (the run's status as it then reads) when the follow ends.
 */
import { SessionStore } from '../../src/index.js';

const [url, runId, afterText, staleText] = process.argv.slice(2);
if (!url || !runId || afterText === undefined) {
  console.error('usage: live-run-follower STORE_URL RUN_ID AFTER_SEQ [STALE_RUN_MS]');
  process.exit(2);
}
const store = await SessionStore.open(url, staleText ? { staleRunMs: Number(staleText) } : {});
console.log('following');
for await (const event of store.followRun(runId, { afterSeq: Number(afterText) })) console.log(`event ${event.seq} ${event.type}`);
console.log(`end ${(await store.getRun(runId))?.status}`);
await store.close();
process.exit(0);
