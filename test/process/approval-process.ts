/**
 * One step of an approval's life in its own process, on a store URL:
 *
 * - `approval-process URL run SESSION LOG`: runs the refund agent; its step asks for approval, so the
 *   run is parked and the process exits. Prints `result {json}`.
 * - `approval-process URL list`: prints `result {json}` with `store.pendingApprovals()`.
 * - `approval-process URL answer RUN APPROVAL approve|deny [REASON]`: records the answer.
 * - `approval-process URL resume RUN LOG`: `Runner.resume`, printing the result and the tool
 *   results the model was sent.
 *
 * The refund tool appends a line to LOG each time it runs, so the parent counts executions across
 * processes.
 */
import { appendFileSync } from 'node:fs';
import { tool } from 'ai';
import { z } from 'zod';
import { Agent, Runner, ScriptedLanguageModel, SessionStore } from '../../src/index.js';

const [url, mode, ...rest] = process.argv.slice(2);
if (!url || !mode) {
  console.error('usage: approval-process URL run|list|answer|resume ...');
  process.exit(2);
}

/** The tool results in the prompt, as `name:type:value-or-reason`. */
const seen: string[][] = [];
const model = new ScriptedLanguageModel({
  fallback: (context) => {
    if (!context.afterToolResults) return { text: 'I will refund it.', toolCalls: [{ toolName: 'refund', input: { order: '42', amount: 30 } }] };
    const results: string[] = [];
    for (const message of context.prompt) {
      if (message.role !== 'tool') continue;
      for (const part of message.content) {
        if (part.type !== 'tool-result') continue;
        const output = part.output as { type: string; value?: unknown; reason?: string };
        results.push(`${part.toolName}:${output.type}:${output.type === 'execution-denied' ? output.reason : JSON.stringify(output.value)}`);
      }
    }
    seen.push(results);
    return { text: `Finished after: ${results.join('; ')}` };
  },
});

function agentLogging(log: string | undefined): Agent {
  return new Agent({
    name: 'refunds',
    model,
    tools: {
      refund: tool({
        inputSchema: z.object({ order: z.string(), amount: z.number() }),
        needsApproval: true,
        execute: async ({ order, amount }) => {
          if (log) appendFileSync(log, `refund ${order} ${amount} pid ${process.pid}\n`);
          return { refunded: order, amount };
        },
      }),
    },
  });
}

const store = await SessionStore.open(url);
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
  } else if (mode === 'resume') {
    const [runId, log] = rest;
    const result = await Runner.resume(agentLogging(log), { runId: runId!, store });
    print({ ...result, seen });
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} finally {
  await store.close();
}
