/**
 * `sessionloom approvals` and `sessionloom approve` as a user runs them (a real process per
 * command): listing waiting tool calls (by user), approving or denying with a reason, continuing the
 * run with `--agents`, and the typed errors for answering twice or an unknown run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Runner, type PendingApproval, type Run, type RunResult } from '../src/index.js';
import { FINISHED_PREFIX, refundAgent } from './fixtures/approval-agents.js';
import { runCliJson, runCliProcess, withLibraryStore } from './fixtures/cli-process.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-cli-approvals-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const agentsModule = join(import.meta.dirname, 'fixtures/approval-agents.ts');
const executions = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);

async function waitingRun(storeUrl: string, userId: string): Promise<RunResult> {
  return withLibraryStore(storeUrl, (store) => Runner.run(refundAgent(undefined), { input: 'Refund order 42', session: { store, userId } }));
}

describe.concurrent('sessionloom approvals / approve', () => {
  it('lists waiting calls by user; approve --deny --reason --agents continues the run and the model sees the denial', async () => {
    const storeUrl = `sqlite:${join(directory, 'deny.db')}`;
    const log = join(directory, 'deny.log');
    const waiting = await waitingRun(storeUrl, 'ada');
    const listed = await runCliJson<{ approvals: PendingApproval[] }>(['approvals'], { storeUrl });
    expect(listed.approvals).toHaveLength(1);
    expect(listed.approvals[0]).toMatchObject({ runId: waiting.runId, userId: 'ada', toolName: 'refund', input: { order: '42', amount: 30 } });
    expect((await runCliJson<{ approvals: PendingApproval[] }>(['approvals', '--user', 'bob'], { storeUrl })).approvals).toEqual([]);
    const readable = await runCliProcess(['approvals', '--user', 'ada'], { storeUrl });
    expect(readable.stdout).toContain('1 tool call waiting for approval');
    expect(readable.stdout).toContain('{"order":"42","amount":30}');

    const answered = await runCliJson<{ run: Run; result: RunResult }>(
      ['approve', waiting.runId, '--deny', '--reason', 'Needs a manager', '--agents', agentsModule],
      { storeUrl, env: { SESSIONLOOM_TEST_APPROVAL_LOG: log } },
    );
    expect(answered.run.status).toBe('completed');
    expect(answered.result.output).toBe(`${FINISHED_PREFIX}refund:execution-denied:Needs a manager`);
    expect(executions(log)).toEqual([]);
    const replay = await runCliProcess(['replay', waiting.runId], { storeUrl });
    expect(replay.stdout).toContain(`waits for a person: refund {"order":"42","amount":30}  [${listed.approvals[0]!.approvalId}]`);
    expect(replay.stdout).toContain('resumed after approval (1 answered)');
    expect(replay.stdout).toContain('refund -> denied: Needs a manager');
    // Answering again is refused, and says why.
    const again = await runCliProcess(['approve', waiting.runId, listed.approvals[0]!.approvalId], { storeUrl });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/not waiting for approval/);
  });

  it('approve records the answer; the agent continues the run later, running the tool once', async () => {
    const storeUrl = `sqlite:${join(directory, 'approve.db')}`;
    const log = join(directory, 'approve.log');
    const waiting = await waitingRun(storeUrl, 'ada');
    const runs = await runCliProcess(['runs', waiting.sessionId], { storeUrl });
    expect(runs.stdout).toMatch(new RegExp(`${waiting.runId}\\s+awaiting-approval\\s+\\S+\\s+waiting for approval for `));
    const readable = await runCliProcess(['approve', waiting.runId], { storeUrl });
    expect(readable.code).toBe(0);
    expect(readable.stdout).toContain(`Approved 1 request of ${waiting.runId}.`);
    expect(readable.stdout).toContain('the run continues when its agent resumes it');
    expect((await runCliJson<{ approvals: PendingApproval[] }>(['approvals'], { storeUrl })).approvals).toEqual([]);
    const resumed = await withLibraryStore(storeUrl, (store) => Runner.resume(refundAgent(log), { runId: waiting.runId, store }));
    expect(resumed.status).toBe('completed');
    expect(resumed.output).toBe(`${FINISHED_PREFIX}refund:json:{"refunded":"42","amount":30}`);
    expect(executions(log)).toHaveLength(1);
    const unknown = await runCliProcess(['approve', 'run_unknown'], { storeUrl });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/run_unknown/);
  });

  it('the chat REPL asks y/n inline for a call that needs approval, and continues with the answer', async () => {
    const storeUrl = `sqlite:${join(directory, 'chat.db')}`;
    const log = join(directory, 'chat.log');
    const approved = await runCliProcess(['chat', '--agents', agentsModule, '--user', 'ada'], {
      storeUrl,
      input: 'Refund order 42\nmaybe\ny\n',
      env: { SESSIONLOOM_TEST_APPROVAL_LOG: log },
    });
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain('allow refund {"order":"42","amount":30}? [y/n] maybe');
    expect(approved.stdout).toContain('Please answer y or n.');
    expect(approved.stdout).toContain('allow refund {"order":"42","amount":30}? [y/n] y');
    expect(approved.stdout).toContain(`assistant> ${FINISHED_PREFIX}refund:json:{"refunded":"42","amount":30}`);
    expect(executions(log)).toHaveLength(1);

    const denied = await runCliJson<{ entries: Array<{ type: string; output?: string; approved?: boolean }> }>(['chat', '--agents', agentsModule, '--user', 'ada'], {
      storeUrl,
      input: 'Refund order 42\nn\n',
      env: { SESSIONLOOM_TEST_APPROVAL_LOG: log },
    });
    expect(denied.entries.map((entry) => entry.type)).toEqual(['turn', 'approval', 'turn']);
    expect(denied.entries[1]?.approved).toBe(false);
    expect(denied.entries[2]?.output).toBe(`${FINISHED_PREFIX}refund:execution-denied:The user said no in sessionloom chat.`);
    expect(executions(log)).toHaveLength(1);
  });
});
