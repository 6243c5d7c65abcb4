/**
 * Approvals across real processes, on a SQLite file and a file store: process A runs an agent whose
 * tool needs approval and exits with the run `awaiting-approval`; process B lists the request and
 * answers it; process C resumes the run. Approved: the tool runs exactly once, in C, and the run
 * completes. Denied: the tool never runs and the model in C is sent the denial with its reason.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INTERRUPTED_TOOL_RESULT_TEXT, SessionStore, type PendingApproval, type Run } from '../src/index.js';
import { runAgentChild, spawnAgentChild } from './process/agent-spawn.js';
import { APPROVAL_PROCESS_STALE_RUN_MS } from './fixtures/approval-agents.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-approval-processes-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

interface RunReport {
  sessionId: string;
  runId: string;
  status: string;
  output: string;
  pendingApprovals?: PendingApproval[];
  seen?: string[][];
}

const child = <T>(url: string, ...args: string[]) => runAgentChild<T>('./approval-process.ts', [url, ...args]);
const executions = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);

const backends = [
  { name: 'sqlite', url: (label: string) => `sqlite:${join(directory, `${label}.db`)}` },
  { name: 'file', url: (label: string) => `file:${join(directory, `${label}-files`)}` },
];

describe.each(backends)('approvals across processes ($name)', ({ url: urlOf }) => {
  it('A parks the run, B approves, C resumes: the tool runs once and the run completes', async () => {
    const url = urlOf('approve');
    const log = join(directory, `approve-${Math.random().toString(36).slice(2)}.log`);
    const started = await child<RunReport>(url, 'run', 'order-42', log);
    expect(started.status).toBe('awaiting-approval');
    expect(executions(log)).toEqual([]);

    const listed = await child<PendingApproval[]>(url, 'list');
    expect(listed).toHaveLength(1);
    const [request] = listed;
    expect(request).toMatchObject({ runId: started.runId, sessionId: 'order-42', userId: 'ada', toolName: 'refund', input: { order: '42', amount: 30 } });
    const answered = await child<Run>(url, 'answer', started.runId, request!.approvalId, 'approve');
    expect(answered.status).toBe('awaiting-approval');
    expect(executions(log)).toEqual([]);

    const resumed = await child<RunReport>(url, 'resume', started.runId, log);
    expect(resumed.status).toBe('completed');
    expect(resumed.runId).toBe(started.runId);
    expect(resumed.seen).toEqual([['refund:json:{"refunded":"42","amount":30}']]);
    expect(executions(log)).toHaveLength(1);

    // A second resume, from yet another process, is refused and runs nothing.
    await expect(child<RunReport>(url, 'resume', started.runId, log)).rejects.toThrow(/SessionConflictError|not waiting/);
    expect(executions(log)).toHaveLength(1);
    const store = await SessionStore.open(url);
    expect((await store.getRun(started.runId))?.status).toBe('completed');
    expect(await store.pendingApprovals()).toEqual([]);
    const roles = (await store.getMessages('order-42')).map((message) => message.role);
    expect(roles).toEqual(['user', 'assistant', 'tool', 'assistant']);
    await store.close();
  });

  it('A parks the run, B denies with a reason (racing another process), C resumes: the tool never runs and the model sees the denial', async () => {
    const url = urlOf('deny');
    const log = join(directory, `deny-${Math.random().toString(36).slice(2)}.log`);
    const started = await child<RunReport>(url, 'run', 'order-43', log);
    const [request] = await child<PendingApproval[]>(url, 'list');
    // Two processes deny at once, for different reasons: exactly one answer is kept, and it is the one the model sees.
    const reasons = ['Refunds over 20 need a manager', 'Refunds over 20 need a manager (second desk)'];
    const race = await Promise.allSettled(reasons.map((reason) => child<Run>(url, 'answer', started.runId, request!.approvalId, 'deny', reason)));
    expect(race.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(String((race.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult).reason)).toMatch(/already was denied/);
    const winner = reasons[race.findIndex((outcome) => outcome.status === 'fulfilled')]!;
    // Answering again from another process is refused.
    await expect(child<Run>(url, 'answer', started.runId, request!.approvalId, 'approve')).rejects.toThrow(/already was denied/);
    const resumed = await child<RunReport>(url, 'resume', started.runId, log);
    expect(resumed.status).toBe('completed');
    expect(resumed.seen).toEqual([[`refund:execution-denied:${winner}`]]);
    expect(resumed.output).toContain(winner);
    expect(executions(log)).toEqual([]);
  });

  it('a process killed while an approved tool runs leaves the run interrupted, and a resume sends the model the call closed', async () => {
    const url = urlOf('killed');
    const log = join(directory, `killed-${Math.random().toString(36).slice(2)}.log`);
    const started = await child<RunReport>(url, 'run', 'order-44', log);
    const [request] = await child<PendingApproval[]>(url, 'list');
    await child<Run>(url, 'answer', started.runId, request!.approvalId, 'approve');
    const resuming = spawnAgentChild('./approval-process.ts', [url, 'resume-blocking', started.runId, log]);
    await resuming.lineStartingWith('tool-started');
    resuming.child.kill('SIGKILL');
    await resuming.exited;
    expect(executions(log)).toHaveLength(1);
    const store = await SessionStore.open(url, { staleRunMs: APPROVAL_PROCESS_STALE_RUN_MS });
    try {
      expect((await store.getRun(started.runId))?.status).toBe('running');
      await new Promise((resolve) => setTimeout(resolve, APPROVAL_PROCESS_STALE_RUN_MS + 500));
      expect((await store.getRun(started.runId))?.status).toBe('interrupted');
      // The stored call has its approval but no result; what a model is sent closes it as interrupted.
      const transcript = await store.transcript('order-44');
      const results = transcript.flatMap((message) => (message.role === 'tool' ? message.content : [])).filter((part) => part.type === 'tool-result');
      expect(results).toEqual([expect.objectContaining({ toolName: 'refund', output: { type: 'error-text', value: INTERRUPTED_TOOL_RESULT_TEXT } })]);
      // Nothing resumes the dead run a second time: it is no longer waiting.
      await expect(child<RunReport>(url, 'resume', started.runId, log)).rejects.toThrow(/not waiting for approval/);
      expect(executions(log)).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});
