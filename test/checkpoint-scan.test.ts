/**
 * Workspace scanning (ignore rules, size limit, symlinks never followed), change detection (size
 * and mtime, then hashing only what differs, racy writes still caught), state deltas and the
 * manifest format, including hostile paths in a manifest.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildIgnoreRules, readRootGitignore } from '../src/checkpoint/ignore-rules.js';
import { decodeManifest, encodeManifest } from '../src/checkpoint/manifest.js';
import { RACY_MARGIN_MS, ScanIndex } from '../src/checkpoint/scan-index.js';
import { scanWorkspace, type ScanOptions } from '../src/checkpoint/workspace-scan.js';
import { applyDelta, deltaOfState, diffStates, emptyState } from '../src/checkpoint/workspace-state.js';
import { InvalidArgumentError } from '../src/index.js';
import { binaryBytes, temporaryDirectory, writeTree } from './fixtures/workspace.js';

const directories: string[] = [];
afterAll(() => directories.forEach((directory) => rmSync(directory, { recursive: true, force: true })));

function workspace(): string {
  const root = temporaryDirectory('scan');
  directories.push(root);
  return root;
}

async function options(root: string, extra: { ignore?: string[]; maxFileBytes?: number; index?: ScanIndex } = {}): Promise<ScanOptions> {
  return {
    rules: buildIgnoreRules(await readRootGitignore(root), extra.ignore ?? []),
    maxFileBytes: extra.maxFileBytes ?? 10 * 1024 * 1024,
    index: extra.index ?? new ScanIndex(),
  };
}

const sha = (content: string | Uint8Array) => createHash('sha256').update(content).digest('hex');
const anHourAgo = () => new Date(Date.now() - 3_600_000);

describe('scanning a workspace', () => {
  it('records files, empty directories and symlinks, and leaves out .git, node_modules, .gitignore patterns and extra patterns', async () => {
    const root = workspace();
    writeTree(root, {
      '.gitignore': 'dist/\n*.log\n',
      'src/app.ts': 'export {};\n',
      'src/empty': { directory: true },
      '.git/HEAD': 'ref: refs/heads/main\n',
      'node_modules/pkg/index.js': 'module.exports = 1;\n',
      'packages/a/node_modules/x.js': 'x',
      'dist/bundle.js': 'bundle',
      'debug.log': 'log',
      'secrets/key.pem': 'key',
      'alias': { link: 'src' },
    });
    const scan = await scanWorkspace(root, await options(root, { ignore: ['secrets/'] }));
    expect([...scan.state.files.keys()].sort()).toEqual(['.gitignore', 'alias', 'src/app.ts']);
    expect([...scan.state.directories].sort()).toEqual(['packages', 'packages/a', 'src', 'src/empty']);
    expect(scan.state.files.get('alias')).toEqual({ kind: 'link', target: 'src' });
    expect(scan.state.files.get('src/app.ts')).toMatchObject({ kind: 'file', hash: sha('export {};\n'), size: 11 });
  });

  it('never follows a symlink, so nothing outside the workspace is read', async () => {
    const outside = workspace();
    writeTree(outside, { 'secret.txt': 'outside' });
    const root = workspace();
    symlinkSync(outside, join(root, 'escape'));
    symlinkSync(join(outside, 'secret.txt'), join(root, 'secret-link'));
    const scan = await scanWorkspace(root, await options(root));
    // Links leading out are left alone, as special files are: never recorded, so never restored (issue 10, item 6).
    expect(scan.state.files.get('escape')).toEqual({ kind: 'skipped', reason: 'not-a-file', size: outside.length });
    expect(scan.state.files.get('secret-link')).toEqual({ kind: 'skipped', reason: 'not-a-file', size: join(outside, 'secret.txt').length });
    expect(scan.state.files.has('escape/secret.txt')).toBe(false);
    expect(scan.hashedFiles).toBe(0);
  });

  it('skips files over the size limit and names them', async () => {
    const root = workspace();
    writeTree(root, { 'small.bin': binaryBytes(1, 100), 'big.bin': binaryBytes(2, 5000) });
    const scan = await scanWorkspace(root, await options(root, { maxFileBytes: 1000 }));
    expect(scan.skipped).toEqual([{ path: 'big.bin', size: 5000, reason: 'too-large' }]);
    expect(scan.state.files.get('big.bin')).toEqual({ kind: 'skipped', reason: 'too-large', size: 5000 });
    expect(scan.state.files.get('small.bin')).toMatchObject({ kind: 'file', hash: sha(binaryBytes(1, 100)) });
  });

  it('keeps permission bits and hashes binary content exactly', async () => {
    const root = workspace();
    writeTree(root, { 'run.sh': { content: '#!/bin/sh\n', mode: 0o755 }, 'private': { content: binaryBytes(3), mode: 0o600 } });
    const scan = await scanWorkspace(root, await options(root));
    expect(scan.state.files.get('run.sh')).toMatchObject({ mode: 0o755 });
    expect(scan.state.files.get('private')).toMatchObject({ mode: 0o600, hash: sha(readFileSync(join(root, 'private'))) });
  });
});

describe('change detection', () => {
  it('hashes only files whose size or mtime changed since a trustworthy observation', async () => {
    const root = workspace();
    const files: Record<string, string> = {};
    for (let index = 0; index < 40; index += 1) files[`dir${index % 4}/file${index}.txt`] = `content ${index}`;
    writeTree(root, files);
    for (const path of Object.keys(files)) utimesSync(join(root, path), anHourAgo(), anHourAgo());
    const index = new ScanIndex();
    const first = await scanWorkspace(root, await options(root, { index }));
    expect(first.hashedFiles).toBe(40);
    const second = await scanWorkspace(root, await options(root, { index }));
    expect(second.hashedFiles).toBe(0);
    writeFileSync(join(root, 'dir1/file5.txt'), 'changed content');
    const third = await scanWorkspace(root, await options(root, { index }));
    expect(third.hashedFiles).toBe(1);
    expect(third.state.files.get('dir1/file5.txt')).toMatchObject({ hash: sha('changed content') });
  });

  it('catches a same-size rewrite made right after a scan (the racy case size and mtime alone would miss)', async () => {
    const root = workspace();
    writeTree(root, { 'note.txt': 'aaaa' });
    const index = new ScanIndex();
    await scanWorkspace(root, await options(root, { index }));
    writeFileSync(join(root, 'note.txt'), 'bbbb');
    const again = await scanWorkspace(root, await options(root, { index }));
    expect(again.state.files.get('note.txt')).toMatchObject({ hash: sha('bbbb') });
  });

  it('trusts size and mtime only when the mtime is older than the observation by more than the clock granularity', () => {
    const index = new ScanIndex();
    const stats = { size: 4, mtimeMs: 1_000_000, ctimeMs: 1_000_000, ino: 7 };
    index.record('racy.txt', { ...stats, hash: sha('aaaa'), observedAt: stats.mtimeMs + 5 });
    index.record('settled.txt', { ...stats, hash: sha('aaaa'), observedAt: stats.mtimeMs + RACY_MARGIN_MS + 1 });
    expect(index.trustedHash('racy.txt', stats)).toBeUndefined();
    expect(index.trustedHash('settled.txt', stats)).toBe(sha('aaaa'));
    expect(index.trustedHash('settled.txt', { ...stats, size: 5 })).toBeUndefined();
    expect(index.trustedHash('settled.txt', { ...stats, ino: 8 })).toBeUndefined();
  });

  it('catches an old mtime put back over new content (ctime changes even when mtime is restored)', async () => {
    const root = workspace();
    writeTree(root, { 'note.txt': 'aaaa' });
    const past = anHourAgo();
    utimesSync(join(root, 'note.txt'), past, past);
    const index = new ScanIndex();
    await scanWorkspace(root, await options(root, { index }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    writeFileSync(join(root, 'note.txt'), 'bbbb');
    utimesSync(join(root, 'note.txt'), past, past);
    const again = await scanWorkspace(root, await options(root, { index }));
    expect(again.state.files.get('note.txt')).toMatchObject({ hash: sha('bbbb') });
  });
});

describe('states and manifests', () => {
  it('a delta applied to its base gives the new state exactly', async () => {
    const root = workspace();
    writeTree(root, { 'a.txt': 'a', 'b/c.txt': 'c', 'gone.txt': 'x', 'old': { directory: true } });
    const before = (await scanWorkspace(root, await options(root))).state;
    rmSync(join(root, 'gone.txt'));
    rmSync(join(root, 'old'), { recursive: true });
    writeTree(root, { 'a.txt': 'a changed', 'new/d.txt': 'd', 'link': { link: 'a.txt' } });
    const after = (await scanWorkspace(root, await options(root))).state;
    const delta = diffStates(before, after);
    expect([...delta.files.keys()].sort()).toEqual(['a.txt', 'gone.txt', 'link', 'new/d.txt']);
    expect(delta.files.get('gone.txt')).toBe('absent');
    expect(Object.fromEntries(delta.directories)).toEqual({ new: 'present', old: 'absent' });
    const rebuilt = applyDelta(before, delta);
    expect(rebuilt.directories).toEqual(after.directories);
    expect(new Map([...rebuilt.files].map(([path, entry]) => [path, { ...entry, mtimeMs: undefined }]))).toEqual(
      new Map([...after.files].map(([path, entry]) => [path, { ...entry, mtimeMs: undefined }])),
    );
  });

  it('encodes and decodes a manifest without loss', () => {
    const state = emptyState();
    state.files.set('src/a.ts', { kind: 'file', hash: sha('a'), size: 1, mode: 0o644, mtimeMs: 1_700_000_000_000 });
    state.files.set('bin/tool', { kind: 'link', target: '../tool.sh' });
    state.files.set('data/big.bin', { kind: 'skipped', reason: 'too-large', size: 99 });
    state.directories.add('src');
    const delta = deltaOfState(state);
    delta.files.set('removed.txt', 'absent');
    const text = encodeManifest({ base: 'msg_1', depth: 2, rules: { ignore: ['*.log'], maxFileBytes: 10 }, delta, after: { at: 5, delta: deltaOfState(emptyState()) } });
    const decoded = decodeManifest(text, 'msg_2');
    expect(decoded).toEqual({ base: 'msg_1', depth: 2, rules: { ignore: ['*.log'], maxFileBytes: 10 }, delta, after: { at: 5, delta: deltaOfState(emptyState()) } });
    expect(JSON.parse(text).files['src/a.ts']).toEqual({ hash: sha('a'), size: 1, mode: 420, mtimeMs: 1_700_000_000_000 });
  });

  it.each([['../outside.txt'], ['/etc/passwd'], ['a/../../b'], ['a//b'], ['a/./b'], ['nul\u0000byte'], ['windows\\path']])(
    'refuses the hostile manifest path %j with InvalidArgumentError',
    (path) => {
      const manifest = JSON.stringify({ format: 1, depth: 0, rules: { ignore: [], maxFileBytes: 10 }, files: { [path]: 'absent' }, directories: {} });
      expect(() => decodeManifest(manifest, 'msg_1')).toThrow(InvalidArgumentError);
    },
  );

  it('reports a damaged manifest as damaged', () => {
    expect(() => decodeManifest('{"format":1', 'msg_9')).toThrow(/msg_9.*damaged/);
    expect(() => decodeManifest(JSON.stringify({ format: 1, depth: 0, rules: { ignore: [], maxFileBytes: 1 }, files: { a: { hash: 'xyz', size: 1, mode: 1 } }, directories: {} }), 'm')).toThrow(
      /entry "a" is malformed/,
    );
  });
});
