/**
 * Export and import: a lossless round trip in both directions (this store to memory, memory to this
 * store) of forks, rewound tails, runs with events and file checkpoints; idempotence; a damaged or
 * malformed stream refused with its line and nothing changed; scope on both sides.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ImportError, SessionStore } from '../index.js';
import { encodeLine } from '../transfer/format.js';
import type { SuiteContext } from './context.js';
import { assistantMessage, rejectionOf, uniqueId, userMessage } from './helpers.js';

interface History {
  userId: string;
  rootId: string;
  childId: string;
  /** The root's first message: the checkpoint's, and where its rewound tail starts. */
  firstMessageId: string;
  workspace: string;
  /** Appended to the fork with operationId `ask-about-porto`. */
  portoMessageId: string;
}

/** Retrying the fork's append with its operation id must answer with the original message and add nothing. */
async function expectRetryGuardKept(store: SessionStore, history: History): Promise<void> {
  const before = await store.get(history.childId);
  const retried = await store.append(history.childId, userMessage('What about Porto instead?'), { operationId: 'ask-about-porto' });
  expect(retried.map((message) => message.id)).toEqual([history.portoMessageId]);
  expect(await store.get(history.childId)).toEqual(before);
}

/** A user's sessions with every kind of record: fork, rewound tail, tool call, run with events, checkpoint. */
async function buildHistory(store: SessionStore, workspaceParent: string): Promise<History> {
  const userId = uniqueId('user');
  const rootId = uniqueId('root');
  const workspace = mkdtempSync(join(workspaceParent, 'workspace-'));
  // Content unique to this history, so its blob is new to a store other tests share.
  writeFileSync(join(workspace, 'notes.txt'), `version 1 of ${userId}`);
  await store.create({ id: rootId, userId, agentId: 'planner', metadata: { team: 'blue', priority: 2, nested: { ok: true } }, tags: ['export'], surfaceId: 'web' });
  const [first] = await store.append(rootId, userMessage('Plan the trip'));
  await store.checkpoint(rootId, { workspace });
  writeFileSync(join(workspace, 'notes.txt'), 'version 2');
  const run = await store.startRun(rootId, { agentName: 'planner', metadata: { model: 'scripted' } });
  const turn = await store.append(
    rootId,
    [
      { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'call-1', toolName: 'search', input: { q: 'Lisbon', days: [1, 2] } }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call-1', toolName: 'search', output: { type: 'json', value: { found: 3 } } }] },
      assistantMessage('Lisbon it is.'),
    ],
    { runId: run.id },
  );
  await store.recordRunEvents(run.id, [{ type: 'step-start', data: { step: 1 } }, { type: 'tool-call', data: { toolName: 'search' } }]);
  await store.finishRun(run.id, { status: 'completed', usage: { inputTokens: 30, outputTokens: 12, totalTokens: 42, costUsd: 0.0004 } });
  await store.finishCheckpoint(rootId, { workspace });
  const child = await store.fork(rootId, { fromMessage: turn[1]!.id, id: uniqueId('child'), metadata: { branch: 'porto' } });
  const [porto] = await store.append(child.id, userMessage('What about Porto instead?'), { operationId: 'ask-about-porto' });
  await store.rewind(rootId, { toMessage: first!.id });
  await store.append(rootId, userMessage('Plan the trip, but cheaper'));
  return { userId, rootId, childId: child.id, firstMessageId: first!.id, workspace, portoMessageId: porto!.id };
}

/** Everything a caller can read about a session, to compare two stores (the fallback tests use it too). */
export async function everything(store: SessionStore, sessionId: string) {
  const runs = await store.runs(sessionId);
  return {
    session: await store.get(sessionId),
    messages: await store.getMessages(sessionId),
    branches: await store.branches(sessionId),
    runs,
    events: await Promise.all(runs.map((run) => store.runEvents(run.id))),
    checkpoints: await store.checkpoints(sessionId),
  };
}

async function exported(store: SessionStore, ids?: string[]): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of store.export(ids)) lines.push(line);
  return lines;
}

export function registerTransferTests(context: SuiteContext): void {
  describe('export and import', () => {
    const workspaces = mkdtempSync(join(tmpdir(), 'sessionloom-transfer-'));
    afterAll(() => rmSync(workspaces, { recursive: true, force: true }));

    /** A history built in a memory store, and its export. */
    async function historyFromMemory() {
      const origin = SessionStore.memory();
      const history = await buildHistory(origin, workspaces);
      return { origin, history, lines: await exported(origin) };
    }

    it('round-trips forks, rewound tails, runs and checkpoints from this store into another, and files rewind there', async () => {
      const source = await context.open();
      const history = await buildHistory(source, workspaces);
      // A scoped view exports everything in its scope: exactly this user's two sessions.
      const lines = await exported(source.withScope({ userId: history.userId }));
      const target = SessionStore.memory();
      const result = await target.import(lines);
      expect(result).toEqual({ sessions: { imported: 2, existing: 0 }, messages: 6, runs: 1, checkpoints: 1, blobs: 1 });
      for (const id of [history.rootId, history.childId]) expect(await everything(target, id)).toEqual(await everything(source, id));
      await expectRetryGuardKept(target, history);

      // The checkpoint came with its blobs: the imported store rewinds the files.
      await target.rewind(history.rootId, { toMessage: history.firstMessageId, rewindFiles: true, workspace: history.workspace });
      expect(readFileSync(join(history.workspace, 'notes.txt'), 'utf8')).toBe(`version 1 of ${history.userId}`);
      await target.close();
    });

    it('round-trips from another store into this one, and a second import changes nothing', async () => {
      const { origin, history, lines } = await historyFromMemory();
      const target = await context.open();
      expect(await target.import(lines)).toEqual({ sessions: { imported: 2, existing: 0 }, messages: 6, runs: 1, checkpoints: 1, blobs: 1 });
      const before = await Promise.all([history.rootId, history.childId].map((id) => everything(target, id)));
      for (const [index, id] of [history.rootId, history.childId].entries()) expect(before[index]).toEqual(await everything(origin, id));
      await expectRetryGuardKept(target, history);

      const again = await target.import(lines.join('\n') + '\n');
      expect(again).toEqual({ sessions: { imported: 0, existing: 2 }, messages: 0, runs: 0, checkpoints: 0, blobs: 0 });
      expect(await Promise.all([history.rootId, history.childId].map((id) => everything(target, id)))).toEqual(before);
      await origin.close();
    });

    it('exports a fork with its source\'s messages up to the fork point only', async () => {
      const store = await context.open();
      const history = await buildHistory(store, workspaces);
      const lines = await exported(store, [history.childId]);
      const kinds = lines.map((line) => (JSON.parse(line) as { kind: string }).kind);
      expect(kinds.filter((kind) => kind === 'session')).toHaveLength(1);
      const target = SessionStore.memory();
      await target.import(lines);
      expect(await target.getMessages(history.childId)).toEqual(await store.getMessages(history.childId));
      // The source's later messages (its tool-call answer, its rewound tail, its new turn) are not in the stream.
      const texts = lines.join('\n');
      expect(texts).not.toContain('Lisbon it is.');
      expect(texts).not.toContain('cheaper');
      expect(await target.get(history.rootId)).toBeUndefined();
      await target.close();
    });

    it('refuses a damaged or malformed stream with its line number, and imports nothing of it', async () => {
      const { origin, history, lines } = await historyFromMemory();
      const target = await context.open();
      const messageLine = lines.findIndex((line) => line.includes('Lisbon it is.'));
      const header = JSON.parse(lines[0]!) as { data: Record<string, unknown> };
      const firstMessage = JSON.parse(lines.find((line) => line.includes('"kind":"message"'))!) as { data: Record<string, unknown> };
      const cheaperLine = lines.findIndex((line) => line.includes('cheaper'));
      const cheaper = JSON.parse(lines[cheaperLine]!) as { data: Record<string, unknown> };
      // The fork's operation record moved up to just after the header, before the root's session record.
      const operationLine = lines.findIndex((line) => line.includes('"kind":"operation"'));
      const misplaced = [lines[0]!, lines[operationLine]!, ...lines.slice(1).filter((_, index) => index + 1 !== operationLine)];
      const damaged: Array<[string, string[], number]> = [
        ['an operation record before another session', misplaced, misplaced.findIndex((line) => line.includes('"kind":"session"')) + 1],
        ['a changed byte', lines.map((line, index) => (index === messageLine ? line.replace('Lisbon', 'Lisbom') : line)), messageLine + 1],
        ['a cut-off stream', lines.slice(0, -3), lines.length - 2],
        ['a line that is not JSON', [...lines.slice(0, 2), '{"kind":"message",', ...lines.slice(2)], 3],
        ['no header', lines.slice(1), 1],
        ['a newer format', [encodeLine('header', { ...header.data, version: 99 }), ...lines.slice(1)], 1],
        // Checksums recomputed, so only validation can catch these.
        ['a hostile message id', lines.map((line, index) => (index === 2 ? encodeLine('message', { ...firstMessage.data, id: '../../etc/passwd' }) : line)), 3],
        ['an extra field', lines.map((line, index) => (index === 2 ? encodeLine('message', { ...firstMessage.data, extra: 1 }) : line)), 3],
        // The message after the rewind lives in a segment continuing the root after message 1.
        ['a message inside the history its segment continues', lines.map((line, index) => (index === cheaperLine ? encodeLine('message', { ...cheaper.data, seq: 1 }) : line)), cheaperLine + 1],
        ['a wrong end count', [...lines.slice(0, -1), encodeLine('end', { records: 3 })], lines.length],
      ];
      for (const [label, stream, line] of damaged) {
        const error = await rejectionOf(target.import(stream));
        expect(ImportError.isInstance(error), `${label}: ${String(error)}`).toBe(true);
        expect((error as ImportError).line, label).toBe(line);
        expect((error as ImportError).applied, label).toBe(false);
      }
      expect(await target.get(history.rootId)).toBeUndefined();
      expect(await target.get(history.childId)).toBeUndefined();
      await origin.close();
    });

    it('exports a session as of when its record was read, even while appends land', async () => {
      const store = await context.open();
      const sessionId = uniqueId('live');
      await store.create({ id: sessionId });
      await store.append(sessionId, [userMessage('one'), assistantMessage('two')]);
      const lines = store.export([sessionId]);
      const header = await lines.next();
      const segment = await lines.next(); // the session's record has been read by now
      expect([header.value, segment.value].map((line) => (JSON.parse(line as string) as { kind: string }).kind)).toEqual(['header', 'segment']);
      await store.append(sessionId, userMessage('three, during the export'));
      const rest: string[] = [];
      for await (const line of lines) rest.push(line);
      expect(rest.join('\n')).not.toContain('during the export');

      const target = SessionStore.memory();
      await target.import([header.value as string, segment.value as string, ...rest]);
      expect((await target.getMessages(sessionId)).map((message) => message.content)).toEqual(['one', [{ type: 'text', text: 'two' }]]);
      // The imported head is where the export saw it, so the next append lands cleanly.
      await target.append(sessionId, userMessage('three, in the new store'));
      expect(await target.get(sessionId)).toMatchObject({ messageCount: 3 });
      await target.close();
    });

    it('keeps a scoped store to its user on both sides', async () => {
      const store = await context.open();
      const mine = await buildHistory(store, workspaces);
      const theirs = await buildHistory(store, workspaces);
      const scoped = store.withScope({ userId: mine.userId });
      const lines = await exported(scoped);
      expect(lines.join('\n')).not.toContain(theirs.rootId);
      await expect(SessionStore.memory().withScope({ userId: mine.userId }).import(lines)).resolves.toMatchObject({ sessions: { imported: 2 } });

      const other = await exported(store, [theirs.rootId]);
      const target = SessionStore.memory();
      const error = await rejectionOf(target.withScope({ userId: mine.userId }).import(other));
      expect(ImportError.isInstance(error)).toBe(true);
      expect((await target.list()).sessions).toEqual([]);
      // A scoped store cannot be asked for another user's session by id either.
      expect(String(await rejectionOf(exported(scoped, [theirs.rootId])))).toMatch(/not found/);
    });
  });
}
