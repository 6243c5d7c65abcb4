/**
 * A workspace that holds the store (issue 10, item 3). The reproduction: with the SQLite store at
 * `WORKSPACE/sessions.db`, checkpoints recorded the store's own files, a rewind without `force`
 * reported them as edited by someone else, and a forced rewind put old `-wal`/`-shm` files back
 * under the open connection: acknowledged appends of other sessions were lost. The file store
 * rewrote its own files and failed with a raw WriteConflict. Now such a workspace (or one inside
 * the store's directory, or holding a fallback's journal) is refused at checkpoint, at a turn's
 * end and at rewind, before anything changes, and a scan never records the store's files.
 */
import { existsSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildIgnoreRules } from '../src/checkpoint/ignore-rules.js';
import { planRestore } from '../src/checkpoint/restore-plan.js';
import { ScanIndex } from '../src/checkpoint/scan-index.js';
import { scanWorkspace } from '../src/checkpoint/workspace-scan.js';
import { FileDriver } from '../src/drivers/file/driver.js';
import { SqliteDriver } from '../src/drivers/sqlite/driver.js';
import { SessionStore } from '../src/index.js';
import { snapshotWorkspace, temporaryDirectory, writeTree } from './fixtures/workspace.js';
import { runCliProcess } from './fixtures/cli-process.js';
import { refusedAsInvalid } from './fixtures/refusals.js';

const directories: string[] = [];
afterAll(() => directories.forEach((directory) => rmSync(directory, { recursive: true, force: true })));

function workspace(): string {
  const root = realpathSync(temporaryDirectory('trust-workspace'));
  directories.push(root);
  writeTree(root, { 'src/app.ts': 'v1', 'notes.md': 'notes' });
  return root;
}

/** Everything in the workspace except the store's own files, which change with every write. */
function userFiles(root: string, storeName: string) {
  const snapshot = snapshotWorkspace(root);
  return {
    entries: Object.fromEntries(Object.entries(snapshot.entries).filter(([path]) => !path.startsWith(storeName))),
    directories: snapshot.directories.filter((path) => !path.startsWith(storeName)),
  };
}

const inWorkspace = [
  {
    name: 'sqlite',
    storeName: 'sessions.db',
    open: (root: string) => SessionStore.sqlite(join(root, 'sessions.db')),
    // The same database through a driver that does not say where it lives: how a checkpoint that
    // captured the store came about before (an older version, or an import), reproduced here.
    openUnlocated: (root: string) => SessionStore.fromDriver(new SqliteDriver({ path: join(root, 'sessions.db') })),
  },
  {
    name: 'file',
    storeName: 'store',
    open: (root: string) => SessionStore.file(join(root, 'store')),
    openUnlocated: (root: string) => SessionStore.fromDriver(new FileDriver({ directory: join(root, 'store') })),
  },
];

describe.each(inWorkspace)('a workspace holding the $name store', ({ storeName, open, openUnlocated }) => {
  it('refuses to checkpoint it or finish a turn in it, with a clear InvalidArgumentError, recording nothing', async () => {
    const root = workspace();
    const store = open(root);
    const session = await store.create({ messages: [{ role: 'user', content: 'start' }] });
    const error = await refusedAsInvalid(store.checkpoint(session.id, { workspace: root }));
    expect(error.argument).toBe('workspace');
    expect(error.message).toMatch(new RegExp(`holds the session store's own files \\("${storeName}`));
    expect(error.message).toMatch(/Nothing was changed/);
    expect(await store.checkpoints(session.id)).toEqual([]);
    await refusedAsInvalid(store.finishCheckpoint(session.id, { workspace: root }));
    // A directory inside the workspace that holds the store is refused too; a sibling is fine.
    mkdirSync(join(root, 'elsewhere'));
    expect((await store.checkpoint(session.id, { workspace: join(root, 'elsewhere') })).existing).toBe(false);
    await store.close();
  });

  it('refuses a rewind (dry run, plain or forced) to a checkpoint that captured the store, and loses no acknowledged append', async () => {
    const root = workspace();
    const older = openUnlocated(root);
    const session = await older.create({ messages: [{ role: 'user', content: 'start' }] });
    const [start] = await older.getMessages(session.id);
    const captured = await older.checkpoint(session.id, { workspace: root });
    expect(captured.files).toBeGreaterThan(2); // the store's own files are in it
    await older.append(session.id, { role: 'assistant', content: 'edited the files' });
    writeFileSync(join(root, 'src/app.ts'), 'v2');
    await older.close();

    const store = open(root);
    const other = await store.create();
    const acknowledged: string[] = [];
    for (let index = 0; index < 6; index += 1) {
      const [message] = await store.append(other.id, { role: 'user', content: `acknowledged ${index}` });
      acknowledged.push(message!.id);
    }
    const filesBefore = userFiles(root, storeName);
    const headBefore = await store.get(session.id);
    for (const options of [{ dryRun: true }, {}, { force: true }]) {
      const error = await refusedAsInvalid(store.rewind(session.id, { toMessage: start!.id, rewindFiles: true, workspace: root, ...options }));
      expect(error.message).toMatch(/own files/);
    }
    expect(await store.get(session.id)).toEqual(headBefore);
    expect(userFiles(root, storeName)).toEqual(filesBefore);
    await store.close();

    // Reopened from disk: every acknowledged append is there.
    const reopened = open(root);
    expect((await reopened.getMessages(other.id)).map((message) => message.id)).toEqual(acknowledged);
    await reopened.close();
  });
});

describe('the store directory, the fallback journal, and stores with no files', () => {
  it('refuses a workspace inside the file store directory', async () => {
    const root = workspace();
    const store = SessionStore.file(join(root, 'store'));
    const session = await store.create({ messages: [{ role: 'user', content: 'start' }] });
    mkdirSync(join(root, 'store', 'inside'), { recursive: true });
    const error = await refusedAsInvalid(store.checkpoint(session.id, { workspace: join(root, 'store', 'inside') }));
    expect(error.message).toMatch(/inside the session store's own directory/);
    await store.close();
  });

  it("refuses a workspace holding a fallback store's journal, or its primary's files", async () => {
    const root = workspace();
    const overMemory = SessionStore.fallback(SessionStore.memory(), { fallback: { directory: join(root, 'journal') } });
    const session = await overMemory.create({ messages: [{ role: 'user', content: 'start' }] });
    expect((await refusedAsInvalid(overMemory.checkpoint(session.id, { workspace: root }))).message).toMatch(/"journal"/);
    await overMemory.close();

    const other = workspace();
    const overSqlite = SessionStore.fallback(SessionStore.sqlite(join(other, 'sessions.db')), { fallback: 'memory' });
    const second = await overSqlite.create({ messages: [{ role: 'user', content: 'start' }] });
    expect((await refusedAsInvalid(overSqlite.checkpoint(second.id, { workspace: other }))).message).toMatch(/"sessions.db"/);
    await overSqlite.close();
  });

  it('checkpoints any workspace of a store with no local files (memory, or a server)', async () => {
    const { storeFilesOf } = await import('../src/checkpoint/store-files.js');
    const root = workspace();
    const store = SessionStore.memory();
    const session = await store.create({ messages: [{ role: 'user', content: 'start' }] });
    expect(await store.checkpoint(session.id, { workspace: root })).toMatchObject({ files: 2, existing: false });
    expect(storeFilesOf({ location: 'postgres://db.example:5432/app#public.sessionloom_' })).toEqual([]);
    expect(storeFilesOf({ location: 'redis://cache.example:6379/#app:' })).toEqual([]);
    await store.close();
  });

  it("never scans or restores the store's files, even in a workspace that escaped the check", async () => {
    const { storeFilesOf } = await import('../src/checkpoint/store-files.js');
    const root = workspace();
    writeTree(root, { 'sessions.db': 'db', 'sessions.db-wal': 'wal', 'sessions.db-shm': 'shm', 'store/sessions/a.json': '{}' });
    const excluded = new Set([...storeFilesOf({ location: join(root, 'sessions.db') }), ...storeFilesOf({ location: join(root, 'store') })]);
    const options = { rules: buildIgnoreRules(undefined, []), maxFileBytes: 1024, index: new ScanIndex(), excluded };
    const scan = await scanWorkspace(root, options);
    expect([...scan.state.files.keys()].sort()).toEqual(['notes.md', 'src/app.ts']);
    expect([...scan.state.directories]).toEqual(['src']);
    // A checkpoint that holds them (an old one) plans no write, no delete and no directory for them.
    const target = { files: new Map(scan.state.files), directories: new Set([...scan.state.directories, 'store']) };
    target.files.set('sessions.db-wal', { kind: 'file', hash: 'a'.repeat(64), size: 3, mode: 0o644 });
    target.files.set('store/sessions/a.json', { kind: 'file', hash: 'b'.repeat(64), size: 2, mode: 0o644 });
    const plan = await planRestore(root, { current: scan.state, target, targetRules: options.rules, scanOptions: options });
    expect(plan).toMatchObject({ writes: [], deletes: [], createDirectories: [], removeDirectories: [] });
    expect(existsSync(join(root, 'sessions.db-wal'))).toBe(true);
  });
});

describe('sessionloom rewind --files --workspace . with the default ./sessions.db', () => {
  it('says the workspace holds the store and how to keep it elsewhere, changing nothing', async () => {
    const root = workspace();
    const store = SessionStore.sqlite(join(root, 'sessions.db'));
    const session = await store.create({ messages: [{ role: 'user', content: 'start' }, { role: 'assistant', content: 'done' }] });
    const [start] = await store.getMessages(session.id);
    await store.close();
    // No store configured: the CLI uses its default, ./sessions.db in the directory it runs in.
    const result = await runCliProcess(['rewind', session.id, '--to', start!.id, '--files', '--workspace', '.', '--force'], { cwd: root });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/"\." holds this command's session store \(sqlite:\.\/sessions\.db\)/);
    expect(result.stderr).toMatch(/--store/);
    expect(result.stderr).toMatch(/Nothing was changed/);
    const reopened = SessionStore.sqlite(join(root, 'sessions.db'));
    expect((await reopened.get(session.id))!.messageCount).toBe(2);
    await reopened.close();
  });
});
