/**
 * One step of an approval's life in its own process, on a store URL:
 *
 * - `approval-process URL run SESSION LOG`: runs the refund agent; its step asks for approval, so the
 *   run is parked and the process exits. Prints `result {json}`.
 * - `approval-process URL list`: prints `result {json}` with `store.pendingApprovals()`.
 * - `approval-process URL answer RUN APPROVAL approve|deny [REASON]`: records the answer.
 * - `approval-process URL resume RUN LOG`: `Runner.resume`, printing the result and the tool
 *   results the model was sent; `resume-blocking` resumes with a tool that prints `tool-started`
 *   and never returns (the parent kills the process).
 *
 * The agent is the one of test/fixtures/approval-agents.ts; its tool appends a line to LOG each time
 * it runs, so the parent counts executions across processes.
 */
import { Runner, SessionStore } from '../../src/index.js';
import { APPROVAL_PROCESS_STALE_RUN_MS, refundAgent } from '../fixtures/approval-agents.js';

const [url, mode, ...rest] = process.argv.slice(2);
if (!url || !mode) {
  console.error('usage: approval-process URL run|list|answer|resume ...');
  process.exit(2);
}

const seen: string[][] = [];
const agentLogging = (log: string | undefined) => refundAgent(log, seen, { block: mode === 'resume-blocking' });

// A short silence window, so the parent sees a killed writer's run read as interrupted within a test.
const store = await SessionStore.open(url, { staleRunMs: APPROVAL_PROCESS_STALE_RUN_MS });
const print = (value: unknown) => console.log(`result ${JSON.stringify(value)}`);
try {
  if (mode === 'run') {
    const [session, log] = rest;
    const result = await Runner.run(agentLogging(log), { input: 'Please refund order 42', session: { store, id: session!, userId: 'ada' } });
    print(result);
  } else if (mode === 'list') {
    print(await store.pendingApprovals());
  } else if (mode === 'answer') {
    const [runId, approvalId, decision, reason] = rest;
    const run = await store.answerApprovals(runId!, [{ approvalId: approvalId!, approved: decision === 'approve', ...(reason ? { reason } : {}) }]);
    print(run);
  } else if (mode === 'resume' || mode === 'resume-blocking') {
    const [runId, log] = rest;
    const result = await Runner.resume(agentLogging(log), { runId: runId!, store });
    print({ ...result, seen });
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} finally {
  await store.close();
}
