/**
 * Restoring a workspace to a recorded state: exact bytes (binary too) and permission bits, created
 * files and directories removed, deleted ones back, symlinks kept as symlinks; safety (nothing
 * written or deleted outside the root: `..`, absolute paths, symlinks out of the workspace); and
 * all-or-nothing (a failure part way puts back every file already changed).
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyRestore, nodeFileSystem, type RestoreFileSystem } from '../src/checkpoint/file-restore.js';
import { buildIgnoreRules, readRootGitignore } from '../src/checkpoint/ignore-rules.js';
import { planRestore } from '../src/checkpoint/restore-plan.js';
import { ScanIndex } from '../src/checkpoint/scan-index.js';
import { absolutePath, assertRealDirectoryInside, resolveWorkspaceRoot } from '../src/checkpoint/workspace-path.js';
import { scanWorkspace, type ScanOptions } from '../src/checkpoint/workspace-scan.js';
import type { WorkspaceState } from '../src/checkpoint/workspace-state.js';
import { InvalidArgumentError } from '../src/index.js';
import { binaryBytes, snapshotWorkspace, temporaryDirectory, writeTree } from './fixtures/workspace.js';

const directories: string[] = [];
afterAll(() => directories.forEach((directory) => rmSync(directory, { recursive: true, force: true })));

async function workspace(spec: Parameters<typeof writeTree>[1] = {}): Promise<string> {
  const root = temporaryDirectory('restore');
  directories.push(root);
  writeTree(root, spec);
  return resolveWorkspaceRoot(root);
}

async function scanOptions(root: string): Promise<ScanOptions> {
  return { rules: buildIgnoreRules(await readRootGitignore(root), []), maxFileBytes: 10 * 1024 * 1024, index: new ScanIndex() };
}

interface Captured {
  state: WorkspaceState;
  contents: Map<string, Uint8Array>;
  gitignore: string | undefined;
}

/** A checkpoint without a store: the state, and every file's bytes read by the test itself. */
async function capture(root: string): Promise<Captured> {
  const { state } = await scanWorkspace(root, await scanOptions(root));
  const contents = new Map<string, Uint8Array>();
  for (const [path, entry] of state.files) if (entry.kind === 'file') contents.set(entry.hash, readFileSync(join(root, path)));
  return { state, contents, gitignore: await readRootGitignore(root) };
}

async function restore(root: string, target: Captured, fileSystem?: RestoreFileSystem) {
  const options = await scanOptions(root);
  const current = (await scanWorkspace(root, options)).state;
  const plan = await planRestore(root, { current, target: target.state, targetRules: buildIgnoreRules(target.gitignore, []), scanOptions: options });
  const applied = await applyRestore(root, plan, target.contents, fileSystem);
  return { plan, applied };
}

function backupDirectoriesIn(root: string): string[] {
  return readdirSync(root).filter((name) => name.startsWith('.sessionloom-restore-'));
}

describe('restoring a workspace', () => {
  it('puts back changed bytes (binary included) and mode bits, removes created files and directories, brings deleted files back', async () => {
    const root = await workspace({
      'src/app.ts': 'export const answer = 42;\n',
      'assets/logo.bin': binaryBytes(1),
      'bin/run.sh': { content: '#!/bin/sh\necho run\n', mode: 0o755 },
      'keys/private': { content: 'secret', mode: 0o600 },
      'docs/removed-later.md': '# doc',
      'kept-empty': { directory: true },
      'alias': { link: 'src/app.ts' },
    });
    const before = snapshotWorkspace(root);
    const checkpoint = await capture(root);

    writeFileSync(join(root, 'src/app.ts'), 'export const answer = 0;\n');
    writeFileSync(join(root, 'assets/logo.bin'), binaryBytes(2));
    chmodSync(join(root, 'bin/run.sh'), 0o644);
    chmodSync(join(root, 'keys/private'), 0o644);
    rmSync(join(root, 'docs'), { recursive: true });
    rmSync(join(root, 'kept-empty'), { recursive: true });
    rmSync(join(root, 'alias'));
    symlinkSync('bin/run.sh', join(root, 'alias'));
    writeTree(root, { 'new/deep/dir/file.txt': 'created', 'src/extra.ts': 'extra', 'new-empty': { directory: true } });
    expect(snapshotWorkspace(root)).not.toEqual(before);

    const { plan, applied } = await restore(root, checkpoint);
    await applied.discard();
    expect(snapshotWorkspace(root)).toEqual(before);
    expect(plan.writes.map((write) => write.path)).toEqual(['alias', 'assets/logo.bin', 'bin/run.sh', 'docs/removed-later.md', 'keys/private', 'src/app.ts']);
    expect(plan.deletes).toEqual(['new/deep/dir/file.txt', 'src/extra.ts']);
    expect(applied.removedDirectories).toEqual(['new/deep/dir', 'new/deep', 'new', 'new-empty']);
    expect(backupDirectoriesIn(root)).toEqual([]);
  });

  it('turns a directory back into a file and a file back into a directory', async () => {
    const root = await workspace({ 'thing': 'a file', 'place/inner.txt': 'inner' });
    const before = snapshotWorkspace(root);
    const checkpoint = await capture(root);
    rmSync(join(root, 'thing'));
    writeTree(root, { 'thing/child.txt': 'now a directory' });
    rmSync(join(root, 'place'), { recursive: true });
    writeFileSync(join(root, 'place'), 'now a file');
    const { applied } = await restore(root, checkpoint);
    await applied.discard();
    expect(snapshotWorkspace(root)).toEqual(before);
  });

  it('never removes what the checkpoint could not see: ignored files, and the directories holding them', async () => {
    const root = await workspace({ '.gitignore': '*.log\n', 'a.txt': 'a' });
    const checkpoint = await capture(root);
    writeTree(root, { 'build/out.log': 'ignored output', 'build/out.txt': 'created', 'top.log': 'ignored' });
    const { applied } = await restore(root, checkpoint);
    await applied.discard();
    expect(readFileSync(join(root, 'build/out.log'), 'utf8')).toBe('ignored output');
    expect(readFileSync(join(root, 'top.log'), 'utf8')).toBe('ignored');
    expect(existsSync(join(root, 'build/out.txt'))).toBe(false);
  });

  it('a rollback after a completed restore puts the later state back exactly', async () => {
    const root = await workspace({ 'a.txt': 'one', 'b.bin': binaryBytes(5) });
    const checkpoint = await capture(root);
    writeFileSync(join(root, 'a.txt'), 'two');
    writeTree(root, { 'c/d.txt': 'new' });
    rmSync(join(root, 'b.bin'));
    const later = snapshotWorkspace(root);
    const { applied } = await restore(root, checkpoint);
    expect(snapshotWorkspace(root)).not.toEqual(later);
    await applied.rollback();
    expect(snapshotWorkspace(root)).toEqual(later);
    expect(backupDirectoriesIn(root)).toEqual([]);
  });
});

describe('safety: nothing outside the workspace', () => {
  it('refuses `..` and absolute paths before joining them to the root', () => {
    for (const path of ['../escape.txt', 'a/../../escape.txt', '/etc/passwd', '']) {
      expect(() => absolutePath('/tmp/workspace', path)).toThrow(InvalidArgumentError);
    }
  });

  it('refuses to write through a symlink that leads out of the workspace, and changes nothing', async () => {
    const outside = await workspace({ 'victim.txt': 'untouched' });
    const outsideBefore = snapshotWorkspace(outside);
    const root = await workspace({ 'a.txt': 'a' });
    symlinkSync(outside, join(root, 'escape'));
    const checkpoint = await capture(root);
    writeFileSync(join(root, 'a.txt'), 'changed');
    // A damaged or hostile checkpoint naming a file under the symlink (a scan never records one).
    checkpoint.state.files.set('escape/victim.txt', { kind: 'file', hash: [...checkpoint.contents.keys()][0]!, size: 1, mode: 0o644 });
    const before = snapshotWorkspace(root);
    await expect(restore(root, checkpoint)).rejects.toThrow(InvalidArgumentError);
    expect(snapshotWorkspace(outside)).toEqual(outsideBefore);
    expect(snapshotWorkspace(root)).toEqual(before);
    await expect(assertRealDirectoryInside(root, 'escape')).rejects.toThrow(/leads out of the workspace/);
  });

  it('replaces a symlink standing where a file must go, without writing through it', async () => {
    const outside = await workspace({ 'target.txt': 'outside content' });
    const root = await workspace({ 'config.json': '{"a":1}' });
    const checkpoint = await capture(root);
    rmSync(join(root, 'config.json'));
    symlinkSync(join(outside, 'target.txt'), join(root, 'config.json'));
    const { applied } = await restore(root, checkpoint);
    await applied.discard();
    expect(readFileSync(join(outside, 'target.txt'), 'utf8')).toBe('outside content');
    expect(readFileSync(join(root, 'config.json'), 'utf8')).toBe('{"a":1}');
  });

  it('removes a symlinked directory created since the checkpoint as a link, leaving its target alone', async () => {
    const outside = await workspace({ 'keep/me.txt': 'outside' });
    const outsideBefore = snapshotWorkspace(outside);
    const root = await workspace({ 'a.txt': 'a' });
    const checkpoint = await capture(root);
    symlinkSync(join(outside, 'keep'), join(root, 'shortcut'));
    const { applied } = await restore(root, checkpoint);
    await applied.discard();
    expect(existsSync(join(root, 'shortcut'))).toBe(false);
    expect(snapshotWorkspace(outside)).toEqual(outsideBefore);
  });

  it('writes through a symlink that stays inside the workspace', async () => {
    const root = await workspace({ 'real/file.txt': 'v1' });
    symlinkSync('real', join(root, 'inside-alias'));
    const checkpoint = await capture(root);
    // A file recorded under the inside link: allowed, since the link resolves inside the root.
    checkpoint.state.files.set('inside-alias/extra.txt', { ...(checkpoint.state.files.get('real/file.txt') as { kind: 'file'; hash: string; size: number; mode: number }) });
    const { applied } = await restore(root, checkpoint);
    await applied.discard();
    expect(readFileSync(join(root, 'real/extra.txt'), 'utf8')).toBe('v1');
  });
});

describe('all or nothing', () => {
  it('when a step fails part way, every file already changed is put back and the error names the file', async () => {
    const root = await workspace({ 'a.txt': 'a1', 'b.txt': 'b1', 'c.txt': 'c1', 'd.txt': 'd1' });
    const checkpoint = await capture(root);
    for (const name of ['a', 'b', 'c', 'd']) writeFileSync(join(root, `${name}.txt`), `${name}2`);
    writeTree(root, { 'created/new.txt': 'new' });
    const before = snapshotWorkspace(root);
    let writes = 0;
    const failingOnThirdWrite: RestoreFileSystem = {
      ...nodeFileSystem,
      writeNewFile: async (path, bytes, mode) => {
        writes += 1;
        if (writes === 3) throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
        return nodeFileSystem.writeNewFile(path, bytes, mode);
      },
    };
    await expect(restore(root, checkpoint, failingOnThirdWrite)).rejects.toThrow(/restoring "c.txt" failed \(EIO.*put back/);
    expect(writes).toBe(3);
    expect(snapshotWorkspace(root)).toEqual(before);
    expect(backupDirectoriesIn(root)).toEqual([]);
  });

  it('a real failure (a directory of ignored files where a file must go) rolls back the files already restored', async () => {
    const root = await workspace({ '.gitignore': '*.log\n', 'a.txt': 'a1', 'logs': 'logs was a file', 'z.txt': 'z1' });
    const checkpoint = await capture(root);
    writeFileSync(join(root, 'a.txt'), 'a2');
    writeFileSync(join(root, 'z.txt'), 'z2');
    rmSync(join(root, 'logs'));
    mkdirSync(join(root, 'logs'));
    writeFileSync(join(root, 'logs/today.log'), 'ignored, so the directory cannot be removed');
    const before = snapshotWorkspace(root);
    await expect(restore(root, checkpoint)).rejects.toThrow(/restoring "logs" failed/);
    expect(snapshotWorkspace(root)).toEqual(before);
  });

  it('if the rollback itself cannot finish, the originals stay in the backup directory and the error says where', async () => {
    const root = await workspace({ 'a.txt': 'a1', 'b.txt': 'b1' });
    const checkpoint = await capture(root);
    writeFileSync(join(root, 'a.txt'), 'a2');
    writeFileSync(join(root, 'b.txt'), 'b2');
    let renames = 0;
    const brokenDisk: RestoreFileSystem = {
      ...nodeFileSystem,
      rename: async (from, to) => {
        renames += 1;
        // The restore's renames succeed until the fourth; every rename after (the rollback's) fails.
        if (renames >= 4) throw Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' });
        return nodeFileSystem.rename(from, to);
      },
    };
    await expect(restore(root, checkpoint, brokenDisk)).rejects.toThrow(/could not put .* back.*kept in ".*\.sessionloom-restore-/);
    const [backup] = backupDirectoriesIn(root);
    expect(readdirSync(join(root, backup!)).length).toBeGreaterThan(0);
  });
});
