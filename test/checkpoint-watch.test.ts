/**
 * Checkpoints taken from change watches (src/checkpoint/watched-scan.ts): after the first, full
 * scan, each checkpoint looks only at what inotify reported. Real shell commands (child processes)
 * change the workspace between checkpoints; every checkpoint is then restored, newest first, and
 * must give back exactly the files as they were (compared by a walk of the test's own). Also: the
 * fallback to a full scan when the watches cannot be trusted gives the same exact result, the event
 * count that stands for a kernel queue overflow distrusts the watches, and a process that
 * checkpoints and never closes anything still exits.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, realpathSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryWatches, MAX_WATCHED_DIRECTORIES } from '../src/checkpoint/directory-watches.js';
import { ScanIndex } from '../src/checkpoint/scan-index.js';
import { closeWorkspaceWatches, lastWatchedScan, scanWatched, watchesOf } from '../src/checkpoint/watched-scan.js';
import { diffStates } from '../src/checkpoint/workspace-state.js';
import { scanOptionsFor } from '../src/session/checkpoints.js';
import { FallbackDriver } from '../src/drivers/fallback/driver.js';
import { MemoryDriver, SessionStore } from '../src/index.js';
import { everyStore } from './fixtures/every-store.js';
import { snapshotWorkspace, temporaryDirectory, type Snapshot } from './fixtures/workspace.js';

const directories: string[] = [];
afterAll(() => {
  closeWorkspaceWatches();
  directories.forEach((directory) => rmSync(directory, { recursive: true, force: true }));
});
beforeEach(() => closeWorkspaceWatches());

/** Three directories of three files, dated long ago (settled, as a checkout that sat a while). */
function settledWorkspace(): string {
  const root = realpathSync(temporaryDirectory('checkpoint-watch'));
  directories.push(root);
  const settled = new Date(1_700_000_000_000);
  for (let directory = 0; directory < 3; directory += 1) {
    mkdirSync(join(root, `dir${directory}`));
    for (let file = 0; file < 3; file += 1) {
      const path = join(root, `dir${directory}`, `f${file}.txt`);
      writeFileSync(path, `${directory}${file}345678`); // 8 bytes each
      utimesSync(path, settled, settled);
    }
  }
  return root;
}

const shell = (root: string, script: string) => execFileSync('sh', ['-c', script], { cwd: root });

interface Taken {
  message: string;
  snapshot: Snapshot;
}

async function checkpointNow(store: SessionStore, sessionId: string, root: string, taken: Taken[]): Promise<void> {
  const [message] = await store.append(sessionId, { role: 'user', content: `turn ${taken.length}` });
  await store.checkpoint(sessionId, { workspace: root });
  taken.push({ message: message!.id, snapshot: snapshotWorkspace(root) });
}

/** Rewinds to every checkpoint, newest first, and compares the files with what they were then. */
async function expectEveryCheckpointRestores(store: SessionStore, sessionId: string, root: string, taken: Taken[]): Promise<void> {
  for (let step = taken.length - 2; step >= 0; step -= 1) {
    await store.rewind(sessionId, { toMessage: taken[step]!.message, rewindFiles: true, workspace: root, force: true });
    expect(snapshotWorkspace(root), `the checkpoint of step ${step}`).toEqual(taken[step]!.snapshot);
  }
}

/** Each is run by `sh -c` in the workspace between two checkpoints; `scan` is the kind of scan the checkpoint after it makes. */
const SHELL_STEPS: Array<{ script: string; scan: 'changes' | 'full' }> = [
  { script: 'echo overwritten > dir0/f0.txt', scan: 'changes' },
  // Same size, and the old mtime put back: a stat scan trusting size and mtime would miss it.
  { script: "printf 'XXXXXXXX' > dir0/f1.txt && touch -m -d @1700000000 dir0/f1.txt", scan: 'changes' },
  { script: 'rm dir0/f2.txt', scan: 'changes' },
  { script: 'mv dir1/f0.txt dir1/renamed.txt', scan: 'changes' },
  { script: 'mkdir -p new/sub && echo a > new/sub/a.txt && echo b > new/b.txt', scan: 'changes' },
  // The new directories are watched now: an edit inside them is seen.
  { script: 'echo more >> new/sub/a.txt', scan: 'changes' },
  { script: 'mv new moved && echo d > moved/sub/d.txt', scan: 'changes' },
  { script: 'echo e > moved/sub/e.txt', scan: 'changes' },
  { script: 'chmod 755 dir1/f1.txt', scan: 'changes' },
  { script: 'ln -s ../dir1/f1.txt dir0/link && mkdir empty', scan: 'changes' },
  // A file gains a second name: a full scan finds its other names; an edit through either is seen after.
  { script: 'ln dir2/f0.txt dir2/hard.txt', scan: 'full' },
  { script: 'echo through-the-other-name >> dir2/hard.txt', scan: 'changes' },
  { script: 'rm -r moved && rmdir empty && mv dir1 dir9', scan: 'changes' },
  { script: 'echo new-in-renamed > dir9/f2.txt', scan: 'changes' },
  // A directory replaced by a file of its name, and a file by a directory.
  { script: 'rm -r dir9 && echo was-a-directory > dir9', scan: 'changes' },
  { script: 'rm dir0/f0.txt && mkdir dir0/f0.txt && echo inner > dir0/f0.txt/inner', scan: 'changes' },
];

// The watches sit above the drivers: every store, and the fallback middleware over one.
const stores = [
  ...everyStore('checkpoint_watch'),
  { name: 'fallback', open: () => SessionStore.fromDriver(new FallbackDriver(new MemoryDriver(), { fallback: 'memory' })) },
];

describe.each(stores)('checkpoints from change watches on $name', ({ open }) => {
  it('catch every shell edit between checkpoints, looking only at what changed, and each checkpoint restores exactly', async () => {
    const store = open();
    const root = settledWorkspace();
    const session = await store.create();
    const taken: Taken[] = [];
    await checkpointNow(store, session.id, root, taken);
    expect(lastWatchedScan()).toMatchObject({ kind: 'full' });
    for (const { script, scan } of SHELL_STEPS) {
      shell(root, script);
      await checkpointNow(store, session.id, root, taken);
      expect(lastWatchedScan().kind, script).toBe(scan);
    }
    // The hard-linked file changed through its other name: recorded under both.
    expect(taken.at(-1)!.snapshot.entries['dir2/f0.txt']).toBe(taken.at(-1)!.snapshot.entries['dir2/hard.txt']);
    await expectEveryCheckpointRestores(store, session.id, root, taken);
    await store.close();
  });

  it('falls back to a full scan when the watches cannot be trusted, with the same exact result', async () => {
    const store = open();
    const root = settledWorkspace();
    const session = await store.create();
    const taken: Taken[] = [];
    await checkpointNow(store, session.id, root, taken);
    shell(root, 'echo one > dir0/f0.txt');
    await checkpointNow(store, session.id, root, taken);
    expect(lastWatchedScan().kind).toBe('changes');
    // What a lost event (queue overflow, failed watch) does: the watches are distrusted, and what they missed is still found.
    watchesOf(root)!.distrust('a simulated queue overflow');
    shell(root, 'echo two > dir0/f1.txt && mkdir -p fresh && echo x > fresh/x.txt');
    await checkpointNow(store, session.id, root, taken);
    expect(lastWatchedScan()).toEqual({ kind: 'full', why: 'a simulated queue overflow' });
    // The full scan set up new watches: the next checkpoint uses them again.
    shell(root, 'echo three > fresh/x.txt');
    await checkpointNow(store, session.id, root, taken);
    expect(lastWatchedScan().kind).toBe('changes');
    await expectEveryCheckpointRestores(store, session.id, root, taken);
    await store.close();
  });
});

describe('a watched scan', () => {
  it('names where its state can differ from the one it returned before: the diff of only those equals the full diff', async () => {
    const root = settledWorkspace();
    const rules = { ignore: [], maxFileBytes: 1024 * 1024 };
    const scan = async () => scanWatched(root, await scanOptionsFor(root, rules, new ScanIndex(), new Set()));
    let previous = await scan();
    let fromChanges = 0;
    for (const script of SHELL_STEPS.map((step) => step.script)) {
      shell(root, script);
      const next = await scan();
      if (next.changes !== undefined) {
        fromChanges += 1;
        expect(next.changes.since).toBe(previous.state);
        expect(diffStates(previous.state, next.state, next.changes), script).toEqual(diffStates(previous.state, next.state));
      } else {
        expect(lastWatchedScan().kind, script).toBe('full');
      }
      previous = next;
    }
    expect(fromChanges).toBe(SHELL_STEPS.filter((step) => step.scan === 'changes').length);
  });
});

describe('a workspace whose directories cannot all be watched', () => {
  it(`(over ${MAX_WATCHED_DIRECTORIES} directories) is scanned in full at every checkpoint, exactly`, async () => {
    const store = SessionStore.memory();
    const root = settledWorkspace();
    for (let directory = 0; directory <= MAX_WATCHED_DIRECTORIES; directory += 1) mkdirSync(join(root, 'many', `d${directory}`), { recursive: true });
    const session = await store.create();
    const taken: Taken[] = [];
    await checkpointNow(store, session.id, root, taken);
    expect(watchesOf(root)).toBeUndefined();
    shell(root, 'echo changed > dir0/f0.txt && echo new > many/d7/new.txt');
    await checkpointNow(store, session.id, root, taken);
    expect(lastWatchedScan().kind).toBe('full');
    expect(watchesOf(root)).toBeUndefined();
    await expectEveryCheckpointRestores(store, session.id, root, taken);
    await store.close();
  });
});

describe('directory watches', () => {
  it('stop being trusted once the events since the last take reach the limit that stands for a full kernel queue', async () => {
    const root = settledWorkspace();
    const watches = new DirectoryWatches(5);
    watches.watch('dir0', join(root, 'dir0'));
    shell(root, 'echo a > dir0/f0.txt');
    await waitUntil(() => peek(watches).size > 0);
    expect(watches.take()).toEqual({ trusted: true, dirty: new Set(['dir0/f0.txt']) });
    shell(root, 'for n in 1 2 3 4 5 6; do echo $n > dir0/f$n.txt; done');
    await waitUntil(() => !watches.trusted);
    expect(watches.take()).toMatchObject({ trusted: false, why: expect.stringContaining('as many as the kernel') });
    watches.close();
  });

  it('stop being trusted when a watch cannot be set', () => {
    const watches = new DirectoryWatches();
    watches.watch('gone', join(settledWorkspace(), 'gone'));
    expect(watches.take()).toMatchObject({ trusted: false, why: expect.stringContaining('ENOENT') });
  });

  it('never keep a process alive: one that checkpoints twice and closes nothing exits', () => {
    const root = settledWorkspace();
    const script = `
      import { SessionStore } from './src/index.js';
      const store = SessionStore.memory();
      const session = await store.create();
      for (const turn of [1, 2]) {
        await store.append(session.id, { role: 'user', content: 'turn ' + turn });
        await store.checkpoint(session.id, { workspace: ${JSON.stringify(root)} });
      }
      console.log('checkpointed');`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), timeout: 30_000, encoding: 'utf8' });
    expect(run.error).toBeUndefined();
    expect(run.stdout).toContain('checkpointed');
    expect(run.status).toBe(0);
  });
});

function peek(watches: DirectoryWatches): Set<string> {
  return (watches as unknown as { dirty: Set<string> }).dirty;
}

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 200 && !condition(); tries += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}
