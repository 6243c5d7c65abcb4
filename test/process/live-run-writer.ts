/**
 * A run's writer for the live-run process tests: opens the store at URL and, by MODE,
 * - `events`: starts a run on SESSION_ID, prints `run <id>`, waits for `go` on stdin, records 30
 *   batches of three events 15 ms apart (printing `recorded <last seq>` after each), then `run-end`,
 *   finishes the run and prints `done completed`;
 * - `agent`: streams a long answer of the scripted model (Runner.stream), printing `run <id>` once the
 *   run is recorded and `done <status>` at the end (a cancelled run ends `done cancelled`);
 * - `hang`: starts a run, records two events, prints `run <id>` and then never writes again (the test
 *   kills it). With STALE_RUN_MS the store reads a silent run as interrupted that soon.
 */
import { createInterface } from 'node:readline';
import { Agent, Runner, ScriptedLanguageModel, SessionStore } from '../../src/index.js';

const [url, sessionId, mode, staleText] = process.argv.slice(2);
if (!url || !sessionId || !mode) {
  console.error('usage: live-run-writer STORE_URL SESSION_ID events|agent|hang [STALE_RUN_MS]');
  process.exit(2);
}
const store = await SessionStore.open(url, staleText ? { staleRunMs: Number(staleText) } : {});
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (mode === 'events') {
  const run = await store.startRun(sessionId, { agentName: 'process-writer' });
  console.log(`run ${run.id}`);
  for await (const line of createInterface({ input: process.stdin })) if (line.trim() === 'go') break;
  for (let batch = 1; batch <= 30; batch += 1) {
    const events = await store.recordRunEvents(run.id, [
      { type: 'text-delta', data: { batch, text: `batch ${batch} ` } },
      { type: 'text-delta', data: { batch, text: 'and more ' } },
      { type: 'step-end', data: { batch } },
    ]);
    console.log(`recorded ${events.at(-1)?.seq}`);
    await pause(15);
  }
  await store.recordRunEvents(run.id, [{ type: 'run-end', data: { status: 'completed' } }]);
  await store.finishRun(run.id, { status: 'completed' });
  console.log('done completed');
} else if (mode === 'agent') {
  const answer = Array.from({ length: 400 }, (_, index) => `word${index}`).join(' ');
  const agent = new Agent({ name: 'typist', model: new ScriptedLanguageModel({ fallback: { text: answer }, chunkDelayMs: 10 }) });
  const stream = Runner.stream(agent, { input: 'Type a long answer', session: { store, resume: sessionId } });
  let status = 'completed';
  try {
    for await (const event of stream) if (event.type === 'run-start') console.log(`run ${event.runId}`);
  } catch (error) {
    status = (error as Error).name === 'AbortError' ? 'cancelled' : `failed ${(error as Error).message}`;
  }
  console.log(`done ${status}`);
} else if (mode === 'hang') {
  const run = await store.startRun(sessionId, { agentName: 'doomed' });
  await store.recordRunEvents(run.id, [{ type: 'run-start' }, { type: 'text-delta', data: { text: 'Once upon' } }]);
  console.log(`run ${run.id}`);
  await new Promise(() => setInterval(() => {}, 60_000));
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
await store.close();
process.exit(0);
