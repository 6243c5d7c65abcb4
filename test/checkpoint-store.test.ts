/**
 * `store.checkpoint`, `store.finishCheckpoint` and `rewind` with `rewindFiles`, through the public
 * API on memory, SQLite, the file store and PostgreSQL: exact restores, content stored once, dry runs, conflicts and `force`,
 * forks finding their source's checkpoints, a rewind from a process that never saw the workspace,
 * failures that leave files and head as they were, retention, and stores without the capability.
 */
import { mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resetScanIndexes } from '../src/checkpoint/scan-index.js';
import { InvalidArgumentError, MemoryDriver, SessionStore, WorkspaceConflictError, type WriteBatch } from '../src/index.js';
import { storeWithoutCheckpoints } from './fixtures/driver-without-checkpoints.js';
import { binaryBytes, snapshotWorkspace, temporaryDirectory, writeTree } from './fixtures/workspace.js';
import { everyStore } from './fixtures/every-store.js';

const directories: string[] = [];
afterAll(() => directories.forEach((directory) => rmSync(directory, { recursive: true, force: true })));

function workspace(spec: Parameters<typeof writeTree>[1] = {}): string {
  const root = temporaryDirectory('checkpoint-store');
  directories.push(root);
  writeTree(root, spec);
  return root;
}

const stores = everyStore('checkpoint_store');

async function say(store: SessionStore, id: string, content: string): Promise<string> {
  const [message] = await store.append(id, { role: 'user', content });
  return message!.id;
}

describe.each(stores)('file checkpoints on $name', ({ open }) => {
  it('records the workspace at the head message and stores only content the store lacks', async () => {
    const store = open();
    const root = workspace({ 'a.txt': 'alpha', 'b.bin': binaryBytes(1, 1000), 'copy-of-a.txt': 'alpha' });
    const session = await store.create();
    const first = await say(store, session.id, 'turn 1');
    const taken = await store.checkpoint(session.id, { workspace: root });
    expect(taken).toMatchObject({ messageId: first, files: 3, bytesStored: 5 + 1000, changedFiles: 3, existing: false, skipped: [] });
    // Same message again: the first checkpoint is kept.
    expect(await store.checkpoint(session.id, { workspace: root })).toMatchObject({ messageId: first, bytesStored: 0, existing: true });
    const second = await say(store, session.id, 'turn 2');
    const unchanged = await store.checkpoint(session.id, { workspace: root });
    expect(unchanged).toMatchObject({ messageId: second, files: 3, bytesStored: 0, changedFiles: 0 });
    // An empty delta: the rules and the workspace's record (its path, device and inode), nothing per file.
    expect(unchanged.manifestBytes).toBeLessThan(200 + Buffer.byteLength(realpathSync(root)));
    writeFileSync(join(root, 'a.txt'), 'alpha, edited');
    await say(store, session.id, 'turn 3');
    expect(await store.checkpoint(session.id, { workspace: root })).toMatchObject({ bytesStored: 'alpha, edited'.length, changedFiles: 1 });
    expect((await store.checkpoints(session.id)).map((summary) => summary.messageId)).toHaveLength(3);
    await store.close();
  });

  it('rewinds the conversation and the files together; dryRun reports the same and changes nothing', async () => {
    const store = open();
    const root = workspace({ 'src/app.ts': 'v1', 'keep.txt': 'keep' });
    const session = await store.create();
    const start = await say(store, session.id, 'start');
    await store.checkpoint(session.id, { workspace: root });
    const before = snapshotWorkspace(root);
    writeTree(root, { 'src/app.ts': 'v2', 'src/new/file.ts': 'new' });
    rmSync(join(root, 'keep.txt'));
    await store.append(session.id, { role: 'assistant', content: 'edited' });
    await store.finishCheckpoint(session.id, { workspace: root });
    const after = snapshotWorkspace(root);
    const version = (await store.get(session.id))!.version;

    const plan = await store.rewind(session.id, { toMessage: start, rewindFiles: true, workspace: root, dryRun: true });
    expect(plan).toMatchObject({ dryRun: true, removedMessages: 1 });
    expect(plan.files).toEqual({ workspace: realpathSync(root), restored: ['keep.txt', 'src/app.ts'], removed: ['src/new/file.ts'], conflicts: [], removedDirectories: ['src/new'], skipped: [] });
    expect(snapshotWorkspace(root)).toEqual(after);
    expect((await store.get(session.id))!.version).toBe(version);

    const done = await store.rewind(session.id, { toMessage: start, rewindFiles: true, workspace: root });
    expect(done.files).toEqual(plan.files);
    expect(done.session.messageCount).toBe(1);
    expect(snapshotWorkspace(root)).toEqual(before);
    expect((await store.getMessages(session.id)).map((message) => message.id)).toEqual([start]);
    await store.close();
  });

  it('reports a file someone else edited since the agent\'s turn as a conflict, changes nothing, and overwrites it only with force', async () => {
    const store = open();
    const root = workspace({ 'notes.md': 'v1', 'code.ts': 'c1' });
    const session = await store.create();
    const start = await say(store, session.id, 'start');
    await store.checkpoint(session.id, { workspace: root });
    const before = snapshotWorkspace(root);
    writeFileSync(join(root, 'code.ts'), 'c2 by the agent');
    await store.finishCheckpoint(session.id, { workspace: root });
    writeFileSync(join(root, 'notes.md'), 'v2 by the user');
    const edited = snapshotWorkspace(root);

    const refused = store.rewind(session.id, { toMessage: start, rewindFiles: true, workspace: root });
    await expect(refused).rejects.toThrow(WorkspaceConflictError);
    await expect(refused).rejects.toMatchObject({ files: ['notes.md'] });
    expect(snapshotWorkspace(root)).toEqual(edited);
    const dry = await store.rewind(session.id, { toMessage: start, rewindFiles: true, workspace: root, dryRun: true });
    expect(dry.files?.conflicts).toEqual(['notes.md']);

    const forced = await store.rewind(session.id, { toMessage: start, rewindFiles: true, workspace: root, force: true });
    expect(forced.files?.conflicts).toEqual(['notes.md']);
    expect(snapshotWorkspace(root)).toEqual(before);
    await store.close();
  });

  it('without a recorded end of turn, every file the rewind would change is a conflict (the agent\'s edits cannot be told apart)', async () => {
    const store = open();
    const root = workspace({ 'a.txt': '1' });
    const session = await store.create();
    const start = await say(store, session.id, 'start');
    await store.checkpoint(session.id, { workspace: root });
    writeFileSync(join(root, 'a.txt'), '2');
    await expect(store.rewind(session.id, { toMessage: start, rewindFiles: true, workspace: root })).rejects.toMatchObject({ files: ['a.txt'] });
    await store.close();
  });

  it('a second rewind compares against the restored files, not the undone turn', async () => {
    const store = open();
    const root = workspace({ 'a.txt': 'state 1' });
    const session = await store.create();
    const states: Array<{ message: string; snapshot: ReturnType<typeof snapshotWorkspace> }> = [];
    for (const turn of [1, 2, 3]) {
      const message = await say(store, session.id, `turn ${turn}`);
      await store.checkpoint(session.id, { workspace: root });
      states.push({ message, snapshot: snapshotWorkspace(root) });
      writeTree(root, { 'a.txt': `state ${turn + 1}`, [`file-${turn}.txt`]: `turn ${turn}` });
      await store.finishCheckpoint(session.id, { workspace: root });
    }
    for (const { message, snapshot } of [...states].reverse()) {
      const result = await store.rewind(session.id, { toMessage: message, rewindFiles: true, workspace: root });
      expect(result.files?.conflicts).toEqual([]);
      expect(snapshotWorkspace(root)).toEqual(snapshot);
    }
    await store.close();
  });

  it('a fork rewinding to a message it inherited finds its source\'s checkpoint', async () => {
    const store = open();
    const root = workspace({ 'shared.txt': 'before' });
    const source = await store.create();
    const start = await say(store, source.id, 'start');
    await store.checkpoint(source.id, { workspace: root });
    const before = snapshotWorkspace(root);
    await store.append(source.id, { role: 'assistant', content: 'done' });
    const fork = await store.fork(source.id);
    writeFileSync(join(root, 'shared.txt'), 'after');
    await store.checkpoint(fork.id, { workspace: root });
    await store.finishCheckpoint(fork.id, { workspace: root });
    const inherited = (await store.getMessages(fork.id)).at(-1)!.id;
    expect((await store.checkpoints(fork.id)).map((summary) => [summary.messageId, summary.sessionId])).toEqual([
      [start, source.id],
      [inherited, fork.id],
    ]);
    const result = await store.rewind(fork.id, { toMessage: start, rewindFiles: true, workspace: root });
    expect(result.files?.restored).toEqual(['shared.txt']);
    expect(snapshotWorkspace(root)).toEqual(before);
    expect((await store.checkpoints(fork.id)).map((summary) => summary.messageId)).toEqual([start]);
    await store.close();
  });

  it('restores from the store alone, in a process that never saw the workspace (the checkpoint chain is read back)', async () => {
    const store = open();
    const root = workspace({ 'a.txt': 'a0' });
    const session = await store.create();
    const states: Array<{ message: string; snapshot: ReturnType<typeof snapshotWorkspace> }> = [];
    for (let turn = 1; turn <= 8; turn += 1) {
      const message = await say(store, session.id, `turn ${turn}`);
      await store.checkpoint(session.id, { workspace: root });
      states.push({ message, snapshot: snapshotWorkspace(root) });
      writeTree(root, { 'a.txt': `a${turn}`, [`dir${turn % 3}/t${turn}.bin`]: binaryBytes(turn, 64) });
      if (turn % 2 === 0) rmSync(join(root, `dir${(turn - 1) % 3}`), { recursive: true, force: true });
      await store.finishCheckpoint(session.id, { workspace: root });
    }
    for (const { message, snapshot } of [...states].reverse()) {
      resetScanIndexes();
      await store.rewind(session.id, { toMessage: message, rewindFiles: true, workspace: root });
      expect(snapshotWorkspace(root)).toEqual(snapshot);
    }
    await store.close();
  });

  it('when a file cannot be restored, the files already changed are put back and the head does not move', async () => {
    const store = open();
    const root = workspace({ '.gitignore': '*.log\n', 'a.txt': 'a1', 'logs': 'a file at first' });
    const session = await store.create();
    const start = await say(store, session.id, 'start');
    await store.checkpoint(session.id, { workspace: root });
    writeFileSync(join(root, 'a.txt'), 'a2');
    rmSync(join(root, 'logs'));
    mkdirSync(join(root, 'logs'));
    writeFileSync(join(root, 'logs/run.log'), 'ignored, so the directory stays');
    await store.append(session.id, { role: 'assistant', content: 'done' });
    await store.finishCheckpoint(session.id, { workspace: root });
    const before = snapshotWorkspace(root);
    const head = (await store.get(session.id))!;
    await expect(store.rewind(session.id, { toMessage: start, rewindFiles: true, workspace: root })).rejects.toThrow(/restoring "logs" failed/);
    expect(snapshotWorkspace(root)).toEqual(before);
    expect(await store.get(session.id)).toMatchObject({ version: head.version, messageCount: head.messageCount });
    await store.close();
  });

  it('never deletes a file the checkpoint\'s own .gitignore hid, even after the agent changed .gitignore', async () => {
    const store = open();
    const root = workspace({ '.gitignore': '*.log\n', 'app.ts': 'v1', 'server.log': 'precious log, never recorded' });
    const session = await store.create();
    const start = await say(store, session.id, 'start');
    await store.checkpoint(session.id, { workspace: root });
    writeTree(root, { '.gitignore': '# logs are tracked now\n', 'app.ts': 'v2', 'created.log': 'made by the agent' });
    await store.finishCheckpoint(session.id, { workspace: root });
    const result = await store.rewind(session.id, { toMessage: start, rewindFiles: true, workspace: root });
    expect(result.files).toMatchObject({ restored: ['.gitignore', 'app.ts'], removed: [] });
    expect(snapshotWorkspace(root).entries['server.log']).toBeDefined();
    expect(snapshotWorkspace(root).entries['created.log']).toBeDefined();
    await store.close();
  });

  it('prune drops the blobs no remaining checkpoint uses', async () => {
    const store = open();
    const root = workspace({ 'kept.txt': 'kept by the survivor' });
    const survivor = await store.create();
    await say(store, survivor.id, 'survivor');
    await store.checkpoint(survivor.id, { workspace: root });
    writeTree(root, { 'only-old.txt': 'only the pruned session has this' });
    const old = await store.create();
    await say(store, old.id, 'old');
    await store.checkpoint(old.id, { workspace: root });
    await store.update(survivor.id, { metadata: { touched: true } });
    const result = await store.prune({ olderThan: (await store.get(survivor.id))!.updatedAt });
    expect(result).toMatchObject({ sessions: 1, blobs: 1 });
    expect(await store.prune({ olderThan: 0 })).toMatchObject({ blobs: 0 });
    await store.close();
  });

  it('refuses a message without a checkpoint, and inconsistent options, before changing anything', async () => {
    const store = open();
    const root = workspace({ 'a.txt': 'a' });
    const session = await store.create();
    const start = await say(store, session.id, 'start');
    await say(store, session.id, 'more');
    await expect(store.rewind(session.id, { toMessage: start, rewindFiles: true, workspace: root })).rejects.toThrow(/has no file checkpoint/);
    await expect(store.rewind(session.id, { toMessage: start, rewindFiles: true })).rejects.toThrow(InvalidArgumentError);
    await expect(store.rewind(session.id, { toMessage: start, workspace: root })).rejects.toThrow(/only used with rewindFiles/);
    await expect(store.checkpoint(session.id, { workspace: join(root, 'missing') })).rejects.toThrow(InvalidArgumentError);
    await expect(store.checkpoint(session.id, { workspace: root, maxFileBytes: -1 })).rejects.toThrow(InvalidArgumentError);
    expect((await store.get(session.id))!.messageCount).toBe(2);
    await store.close();
  });
});

describe('stores without the checkpoint capability', () => {
  it('refuse checkpoint calls with a clear InvalidArgumentError, and prune as before', async () => {
    const store = storeWithoutCheckpoints();
    expect(store.supportsCheckpoints).toBe(false);
    const root = workspace({ 'a.txt': 'a' });
    const session = await store.create();
    const start = await say(store, session.id, 'start');
    await expect(store.checkpoint(session.id, { workspace: root })).rejects.toThrow(/store does not keep file checkpoints/);
    await expect(store.rewind(session.id, { toMessage: start, rewindFiles: true, workspace: root })).rejects.toThrow(InvalidArgumentError);
    expect(await store.prune({ olderThan: 0 })).toEqual({ sessions: 0, messages: 0, blobs: 0 });
    await store.close();
  });

  it('put the files back when moving the head fails after the restore', async () => {
    let failNextHeadMove = false;
    class FailingHeadMove extends MemoryDriver {
      override async commit(batch: WriteBatch): Promise<void> {
        if (failNextHeadMove && batch.segments !== undefined && batch.checkpoints !== undefined) throw new Error('disk full');
        return super.commit(batch);
      }
    }
    const store = SessionStore.fromDriver(new FailingHeadMove());
    const root = workspace({ 'a.txt': 'a1' });
    const session = await store.create();
    const start = await say(store, session.id, 'start');
    await store.checkpoint(session.id, { workspace: root });
    writeTree(root, { 'a.txt': 'a2', 'b.txt': 'b' });
    await store.append(session.id, { role: 'assistant', content: 'done' });
    await store.finishCheckpoint(session.id, { workspace: root });
    const before = snapshotWorkspace(root);
    failNextHeadMove = true;
    await expect(store.rewind(session.id, { toMessage: start, rewindFiles: true, workspace: root })).rejects.toThrow('disk full');
    expect(snapshotWorkspace(root)).toEqual(before);
    expect((await store.get(session.id))!.messageCount).toBe(2);
  });
});
