/**
 * A writer process for the fallback tests: a fallback store over the primary at URL (connected on
 * first use, so it may start while the primary is down) journaling in JOURNAL_DIR. Says "ready",
 * waits for "go", appends COUNT messages `WRITER:k` (k from START) to SESSION_ID printing
 * "ack <content>" after each, then waits until the journal has reached the primary, prints
 * "recovered" and exits. With COUNT 0 it appends until it reads "stop" (or is killed).
 */
import { createInterface } from 'node:readline';
import { SessionStore } from '../../src/index.js';

const [url, journalDirectory, sessionId, writer, startText, countText] = process.argv.slice(2);
if (!url || !journalDirectory || !sessionId || !writer || !startText || !countText) {
  console.error('usage: fallback-writer URL JOURNAL_DIR SESSION_ID WRITER START COUNT');
  process.exit(2);
}
const start = Number(startText);
const count = Number(countText);
const primary = await SessionStore.open(url, { connect: false });
const store = SessionStore.fallback(primary, {
  fallback: { directory: journalDirectory },
  probeIntervalMs: 200,
  primaryDeadlineMs: 1500,
  onFallback: () => console.log('degraded'),
  onRecover: (report) => console.log(`replayed ${report.entries}`),
});
// Reading the session first is what makes it available during an outage (the read cache).
await store.get(sessionId).catch(() => undefined);
console.log(store.isDegraded() ? 'ready degraded' : 'ready');

let stopRequested = false;
const started = new Promise<void>((resolve) => {
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === 'go') resolve();
    if (line.trim() === 'stop') stopRequested = true;
  });
});
await started;

for (let index = start; count === 0 ? !stopRequested : index < start + count; index += 1) {
  const content = `${writer}:${index}`;
  await store.append(sessionId, { role: 'user', content });
  console.log(`ack ${content}`);
}
while (store.isDegraded()) {
  await store.recover().catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 100));
}
console.log('recovered');
await store.close();
process.exit(0);
