/**
 * Tool approvals through the runner: a step that needs approval parks the run (`awaiting-approval`,
 * the AI SDK's approval-request part stored with the call), `Runner.resume` continues it with the
 * approved tools run once and the denials sent to the model; policies, partial answers, timeouts and
 * the typed errors that change nothing. Memory and SQLite (every store runs the store-level topic).
 */
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tool } from 'ai';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  Agent,
  InvalidArgumentError,
  Runner,
  ScriptedLanguageModel,
  SessionConflictError,
  SessionStore,
  type ApprovalPolicy,
  type StoreOptions,
} from '../src/index.js';
import { Agent as SeedAgent } from '../src/compat/index.js';
import { toolResultsIn } from './fixtures/approval-agents.js';
import { snapshotWorkspace, temporaryDirectory, writeTree } from './fixtures/workspace.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-approvals-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const stores = [
  { name: 'memory', open: (options: StoreOptions = {}) => SessionStore.memory(options) },
  { name: 'sqlite', open: (options: StoreOptions = {}) => SessionStore.sqlite(join(directory, `${Math.random().toString(36).slice(2)}.db`), options) },
];

function refundAgent(options: { calls?: Array<{ toolName: string; input: unknown }>; approval?: ApprovalPolicy; needsApproval?: boolean; approvalTimeoutMs?: number } = {}) {
  const executed: string[] = [];
  const seenByModel: string[][] = [];
  const model = new ScriptedLanguageModel({
    turns: [
      { text: 'Let me do that.', toolCalls: options.calls ?? [{ toolName: 'refund', input: { order: '42' } }] },
      (context) => {
        seenByModel.push(toolResultsIn(context));
        return { text: 'Done.' };
      },
    ],
    strict: true,
  });
  const make = (name: string) =>
    tool({
      inputSchema: z.object({ order: z.string() }),
      ...(options.needsApproval === false ? {} : { needsApproval: name === 'refund' }),
      execute: async ({ order }) => {
        executed.push(`${name}:${order}`);
        return `${name} of ${order} done`;
      },
    });
  const agent = new Agent({
    name: 'Refunds',
    model,
    tools: { refund: make('refund'), lookup: make('lookup') },
    ...(options.approval ? { approval: options.approval } : {}),
    ...(options.approvalTimeoutMs ? { approvalTimeoutMs: options.approvalTimeoutMs } : {}),
  });
  return { agent, executed, seenByModel, model };
}

describe.each(stores)('approvals on $name', ({ open }) => {
  it('parks the run awaiting approval with the SDK request part, and an approval runs the tool once', async () => {
    const store = open();
    const { agent, executed, seenByModel } = refundAgent();
    const session = await store.create({ userId: 'ada' });
    const first = await Runner.run(agent, { input: 'Refund order 42', session: { store, resume: session.id } });
    expect(first.status).toBe('awaiting-approval');
    expect(executed).toEqual([]);
    const [pending, ...others] = first.pendingApprovals ?? [];
    expect(others).toEqual([]);
    expect(pending).toMatchObject({ toolName: 'refund', input: { order: '42' }, step: 1 });
    expect((await store.getRun(first.runId))?.status).toBe('awaiting-approval');

    const messages = await store.getMessages(session.id);
    const assistant = messages.at(-1);
    expect(assistant?.role).toBe('assistant');
    const parts = Array.isArray(assistant?.content) ? assistant.content : [];
    const call = parts.find((part) => part.type === 'tool-call');
    expect(parts).toContainEqual({ type: 'tool-approval-request', approvalId: pending!.approvalId, toolCallId: call && 'toolCallId' in call ? call.toolCallId : 'missing' });

    for (const listed of [await store.pendingApprovals(), await store.pendingApprovals({ sessionId: session.id }), await store.pendingApprovals({ userId: 'ada' })]) {
      expect(listed.map((request) => request.approvalId)).toEqual([pending!.approvalId]);
    }
    expect(await store.pendingApprovals({ userId: 'bob' })).toEqual([]);
    expect(await store.withScope({ userId: 'bob' }).pendingApprovals()).toEqual([]);
    // While it waits, the session takes no other run.
    await expect(Runner.run(agent, { input: 'Something else', session: { store, resume: session.id } })).rejects.toBeInstanceOf(SessionConflictError);

    const resumed = await Runner.resume(agent, { runId: first.runId, approvals: [{ approvalId: pending!.approvalId, approved: true }], store });
    expect(resumed.status).toBe('completed');
    expect(resumed.runId).toBe(first.runId);
    expect(resumed.output).toBe('Done.');
    expect(executed).toEqual(['refund:42']);
    expect(seenByModel).toEqual([['refund:text:"refund of 42 done"']]);
    const run = await store.getRun(first.runId);
    expect(run?.status).toBe('completed');
    expect(run?.approvals?.[0]?.decision).toMatchObject({ approved: true });
    expect(await store.pendingApprovals()).toEqual([]);
    const toolMessage = (await store.getMessages(session.id)).find((message) => message.role === 'tool');
    expect(toolMessage?.content).toEqual([
      { type: 'tool-approval-response', approvalId: pending!.approvalId, approved: true },
      { type: 'tool-result', toolCallId: pending!.toolCallId, toolName: 'refund', output: { type: 'text', value: 'refund of 42 done' } },
    ]);
    const events = (await store.runEvents(first.runId)).map((event) => event.type);
    expect(events).toContain('approval-requested');
    expect(events).toContain('run-resume');
    expect(events.at(-1)).toBe('run-end');

    // Resolving twice, or resuming a finished run: a conflict that changes nothing.
    const before = await store.get(session.id);
    await expect(store.answerApprovals(first.runId, [{ approvalId: pending!.approvalId, approved: false }])).rejects.toBeInstanceOf(SessionConflictError);
    await expect(Runner.resume(agent, { runId: first.runId, store })).rejects.toBeInstanceOf(SessionConflictError);
    expect((await store.get(session.id))?.version).toBe(before?.version);
    expect(executed).toEqual(['refund:42']);
    await store.close();
  });

  it('a denial reaches the model as a denied tool result with the reason, and the tool never runs', async () => {
    const store = open();
    const { agent, executed, seenByModel } = refundAgent();
    const first = await Runner.run(agent, { input: 'Refund order 42', session: { store } });
    const [pending] = await store.pendingApprovals({ runId: first.runId });
    const resumed = await Runner.resume(agent, { runId: first.runId, approvals: [{ approvalId: pending!.approvalId, approved: false, reason: 'Over the limit' }], store });
    expect(resumed.status).toBe('completed');
    expect(executed).toEqual([]);
    expect(seenByModel).toEqual([['refund:execution-denied:Over the limit']]);
    await store.close();
  });

  it('bad answers are typed errors that change nothing; partial answers keep the rest waiting', async () => {
    const store = open();
    const { agent, executed, seenByModel } = refundAgent({
      calls: [
        { toolName: 'refund', input: { order: '1' } },
        { toolName: 'refund', input: { order: '2' } },
        { toolName: 'lookup', input: { order: '3' } },
      ],
    });
    const first = await Runner.run(agent, { input: 'Refund 1 and 2', session: { store } });
    // The call that needs no approval ran at once; the two that ask wait.
    expect(executed).toEqual(['lookup:3']);
    const pending = await store.pendingApprovals({ runId: first.runId });
    expect(pending.map((request) => request.input)).toEqual([{ order: '1' }, { order: '2' }]);
    const version = (await store.get(first.sessionId))?.version;
    await expect(store.answerApprovals(first.runId, [{ approvalId: 'approval_nope', approved: true }])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(store.answerApprovals(first.runId, [{ approvalId: pending[0]!.approvalId, approved: 'yes' as never }])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(
      store.answerApprovals(first.runId, [
        { approvalId: pending[0]!.approvalId, approved: true },
        { approvalId: pending[0]!.approvalId, approved: false },
      ]),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    expect((await store.get(first.sessionId))?.version).toBe(version);

    const partial = await Runner.resume(agent, { runId: first.runId, approvals: [{ approvalId: pending[0]!.approvalId, approved: true }], store });
    expect(partial.status).toBe('awaiting-approval');
    expect(partial.pendingApprovals?.map((request) => request.approvalId)).toEqual([pending[1]!.approvalId]);
    expect(executed).toEqual(['lookup:3']);
    expect((await store.pendingApprovals()).map((request) => request.approvalId)).toEqual([pending[1]!.approvalId]);

    const done = await Runner.resume(agent, { runId: first.runId, approvals: [{ approvalId: pending[1]!.approvalId, approved: false }], store });
    expect(done.status).toBe('completed');
    expect(executed).toEqual(['lookup:3', 'refund:1']);
    expect(seenByModel).toEqual([['lookup:text:"lookup of 3 done"', 'refund:text:"refund of 1 done"', 'refund:execution-denied:The tool call was not approved.']]);
    await store.close();
  });

  it("the agent's policy: default ask, per-tool decisions and functions, deny without asking", async () => {
    const store = open();
    const { agent, executed, seenByModel } = refundAgent({
      needsApproval: false,
      calls: [
        { toolName: 'refund', input: { order: 'big' } },
        { toolName: 'refund', input: { order: 'small' } },
        { toolName: 'lookup', input: { order: '7' } },
      ],
      approval: { default: 'deny', tools: { refund: (input) => ((input as { order: string }).order === 'big' ? 'ask' : 'allow') } },
    });
    const first = await Runner.run(agent, { input: 'Go', session: { store } });
    expect(first.status).toBe('awaiting-approval');
    expect(executed).toEqual(['refund:small']);
    expect(first.pendingApprovals?.map((request) => request.input)).toEqual([{ order: 'big' }]);
    await Runner.resume(agent, { runId: first.runId, approvals: [{ approvalId: first.pendingApprovals![0]!.approvalId, approved: true }], store });
    expect(executed).toEqual(['refund:small', 'refund:big']);
    expect(seenByModel[0]).toContain("lookup:execution-denied:The agent's approval policy does not allow this tool call.");

    // The seeds' alias; and a policy that asks about nothing runs straight through.
    // A run that would wait must be stored: without a store it fails, saying why, and runs nothing.
    const unstored = refundAgent();
    await expect(Runner.run(unstored.agent, { input: 'Refund order 42', session: { persist: false } })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(unstored.executed).toEqual([]);

    const alias = new Agent({ name: 'alias', model: new ScriptedLanguageModel(), permissionPolicy: { defaultDecision: 'ask' } });
    expect(alias.approval).toEqual({ default: 'ask' });
    expect(() => new Agent({ name: 'bad', model: new ScriptedLanguageModel(), approval: { default: 'maybe' as never } })).toThrow(InvalidArgumentError);
    await store.close();
  });

  it('approvalTimeoutMs turns a forgotten request into a denial when read or resumed', async () => {
    let now = 1_000_000;
    const store = open({ clock: () => now, approvalTimeoutMs: 60_000 });
    const { agent, executed, seenByModel } = refundAgent();
    const first = await Runner.run(agent, { input: 'Refund order 42', session: { store } });
    expect(await store.pendingApprovals()).toHaveLength(1);
    now += 60_001;
    expect(await store.pendingApprovals()).toEqual([]);
    expect((await store.getRun(first.runId))?.approvals?.[0]?.decision).toMatchObject({ approved: false, timedOut: true });
    const [timedOut] = (await store.getRun(first.runId))?.approvals ?? [];
    await expect(store.answerApprovals(first.runId, [{ approvalId: timedOut!.approvalId, approved: true }])).rejects.toBeInstanceOf(SessionConflictError);
    const resumed = await Runner.resume(agent, { runId: first.runId, store });
    expect(resumed.status).toBe('completed');
    expect(executed).toEqual([]);
    expect(seenByModel).toEqual([['refund:execution-denied:No one answered the approval request in time.']]);
    await store.close();
  });

  it('a waiting run exports and imports with its requests', async () => {
    const store = open();
    const { agent } = refundAgent();
    const first = await Runner.run(agent, { input: 'Refund order 42', session: { store } });
    const lines: string[] = [];
    for await (const line of store.export([first.sessionId])) lines.push(line);
    const copy = SessionStore.memory();
    await copy.import(lines);
    const run = await copy.getRun(first.runId);
    expect(run?.status).toBe('awaiting-approval');
    expect(run?.approvals).toEqual((await store.getRun(first.runId))?.approvals);
    await store.close();
  });

  it.each([true, false])('with checkpointFiles, a rewind restores the files exactly after the run waited (approved: %s)', async (approved) => {
    const store = open();
    const root = temporaryDirectory('approvals-checkpoint');
    try {
      writeTree(root, { 'notes.txt': 'original notes', 'keep.txt': 'untouched' });
      const before = snapshotWorkspace(root);
      const write = (path: string, content: string) => writeFileSync(join(root, path), content);
      const model = new ScriptedLanguageModel({
        turns: [
          {
            toolCalls: [
              { toolName: 'edit', input: { path: 'notes.txt', content: 'edited before asking' } },
              { toolName: 'create', input: { path: 'new.txt', content: 'made after approval' } },
            ],
          },
          { text: 'Done.' },
        ],
        strict: true,
      });
      const agent = new Agent({
        name: 'files',
        model,
        tools: {
          edit: tool({ inputSchema: z.object({ path: z.string(), content: z.string() }), execute: async ({ path, content }) => write(path, content) ?? 'ok' }),
          create: tool({ inputSchema: z.object({ path: z.string(), content: z.string() }), needsApproval: true, execute: async ({ path, content }) => write(path, content) ?? 'ok' }),
        },
      });
      const session = { store, checkpointFiles: true, workspace: root };
      const first = await Runner.run(agent, { input: 'Edit and create', session });
      expect(first.status).toBe('awaiting-approval');
      expect(snapshotWorkspace(root)).not.toEqual(before);
      const [request] = await store.pendingApprovals({ runId: first.runId });
      const done = await Runner.resume(agent, { runId: first.runId, approvals: [{ approvalId: request!.approvalId, approved }], session });
      expect(done.status).toBe('completed');
      const inputMessage = first.messages[0]!;
      await store.rewind(first.sessionId, { toMessage: inputMessage.id, rewindFiles: true, workspace: root });
      expect(snapshotWorkspace(root)).toEqual(before);
    } finally {
      rmSync(root, { recursive: true, force: true });
      await store.close();
    }
  });

  it('a resume told nothing of files checkpoints them as the run did, where it did, and only there', async () => {
    const store = open();
    const root = temporaryDirectory('approvals-checkpoint-recorded');
    try {
      writeTree(root, { 'notes.txt': 'original notes' });
      const write = (path: string, content: string) => writeFileSync(join(root, path), content);
      const agent = (turns: number) =>
        new Agent({
          name: 'files',
          model: new ScriptedLanguageModel({
            turns: Array.from({ length: turns }, () => [{ toolCalls: [{ toolName: 'create', input: { path: 'new.txt', content: 'made after approval' } }] }, { text: 'Done.' }]).flat(),
            strict: true,
          }),
          tools: { create: tool({ inputSchema: z.object({ path: z.string(), content: z.string() }), needsApproval: true, execute: async ({ path, content }) => write(path, content) ?? 'ok' }) },
        });
      const files = agent(2);
      const first = await Runner.run(files, { input: 'Create it', session: { store, checkpointFiles: true, workspace: root } });
      const [request] = await store.pendingApprovals({ runId: first.runId });
      // Another process answering, which knows nothing of the workspace: only the store.
      const done = await Runner.resume(files, { runId: first.runId, approvals: [{ approvalId: request!.approvalId, approved: true }], store });
      expect(done.status).toBe('completed');
      const checkpointed = (await store.checkpoints(first.sessionId)).map((checkpoint) => checkpoint.messageId);
      const toolResult = done.messages.find((message) => message.role === 'tool')!;
      expect(checkpointed).toContain(toolResult.id);
      const assistant = first.messages.find((message) => message.role === 'assistant')!;
      await store.rewind(first.sessionId, { toMessage: assistant.id, rewindFiles: true, workspace: root });
      expect(existsSync(join(root, 'new.txt'))).toBe(false);

      // The same path, another directory now: the resume goes on without file checkpoints, and says why.
      const second = await Runner.run(files, { input: 'Create it again', session: { store, resume: first.sessionId, checkpointFiles: true, workspace: root } });
      // Moved aside first, so the new directory cannot be given the old one's inode number.
      renameSync(root, `${root}-before`);
      writeTree(root, { 'other.txt': 'a different directory' });
      const [again] = await store.pendingApprovals({ runId: second.runId });
      const finished = await Runner.resume(files, { runId: second.runId, approvals: [{ approvalId: again!.approvalId, approved: true }], store });
      expect(finished.status).toBe('completed');
      const resumedEvent = (await store.runEvents(second.runId)).find((event) => event.type === 'run-resume');
      expect((resumedEvent?.data as { filesNotCheckpointed?: string }).filesNotCheckpointed).toMatch(/is not the directory the run checkpointed/);
      const laterTool = finished.messages.find((message) => message.role === 'tool')!;
      expect((await store.checkpoints(first.sessionId)).map((checkpoint) => checkpoint.messageId)).not.toContain(laterTool.id);
    } finally {
      rmSync(`${root}-before`, { recursive: true, force: true });
      rmSync(root, { recursive: true, force: true });
      await store.close();
    }
  });

  it("the seed's per-session permissionPolicy: deny refuses without asking, ask waits for a person", async () => {
    const store = open();
    const denying = refundAgent({ needsApproval: false });
    const seed = await SeedAgent.create(denying.agent);
    const denied = await seed.session('.', { sessionStore: store, permissionPolicy: { defaultDecision: 'deny' } }).send('Refund order 42');
    expect(denied.status).toBe('completed');
    expect(denying.executed).toEqual([]);
    expect(denying.seenByModel).toEqual([["refund:execution-denied:The agent's approval policy does not allow this tool call."]]);

    const asking = refundAgent({ needsApproval: false });
    const waiting = await (await SeedAgent.create(asking.agent)).session('.', { sessionStore: store, permissionPolicy: { defaultDecision: 'ask' } }).send('Refund order 42');
    expect(waiting.status).toBe('awaiting-approval');
    const [request] = await store.pendingApprovals({ runId: waiting.runId });
    await Runner.resume(asking.agent, { runId: waiting.runId, approvals: [{ approvalId: request!.approvalId, approved: true }], store });
    expect(asking.executed).toEqual(['refund:42']);
    await store.close();
  });

  it('a cancelled waiting run cannot be answered or resumed', async () => {
    const store = open();
    const { agent, executed } = refundAgent();
    const first = await Runner.run(agent, { input: 'Refund order 42', session: { store } });
    const [pending] = await store.pendingApprovals();
    expect((await store.cancelRun(first.runId, { reason: 'changed my mind' })).status).toBe('cancelled');
    await expect(Runner.resume(agent, { runId: first.runId, approvals: [{ approvalId: pending!.approvalId, approved: true }], store })).rejects.toBeInstanceOf(SessionConflictError);
    expect(executed).toEqual([]);
    expect(await store.pendingApprovals()).toEqual([]);
    // The session takes new runs again.
    const next = await Runner.run(refundAgent({ needsApproval: false }).agent, { input: 'Hi', session: { store, resume: first.sessionId } });
    expect(next.status).toBe('completed');
    await store.close();
  });
});
