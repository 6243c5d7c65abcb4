/**
 * Symlinks from a checkpoint manifest (issue 10, item 6). The reproduction: a manifest (from an
 * import, say) whose entries are symlinks to `/etc/passwd` or `../../outside` made a rewind create
 * those links inside the workspace. Now a manifest's entries are files, directories and symlinks
 * whose target stays inside the workspace (resolved, links on the way included, before anything is
 * written); a rewind to anything else is an `InvalidArgumentError` that changes nothing. A scan
 * records a link leading out as skipped (left alone), so a checkpoint never holds one.
 */
import { existsSync, lstatSync, mkdirSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256 } from '../src/checkpoint/file-entry.js';
import { applyRestore } from '../src/checkpoint/file-restore.js';
import type { RestorePlan } from '../src/checkpoint/restore-plan.js';
import { resetScanIndexes } from '../src/checkpoint/scan-index.js';
import { SessionStore } from '../src/index.js';
import { encodeLine } from '../src/transfer/format.js';
import { everyStore } from './fixtures/every-store.js';
import { snapshotWorkspace, temporaryDirectory, writeTree } from './fixtures/workspace.js';
import { refusedAsInvalid } from './fixtures/refusals.js';

const directories: string[] = [];
afterAll(() => directories.forEach((directory) => rmSync(directory, { recursive: true, force: true })));

function workspace(spec: Parameters<typeof writeTree>[1] = {}): string {
  const root = realpathSync(temporaryDirectory('trust-symlinks'));
  directories.push(root);
  writeTree(root, spec);
  return root;
}

/** The store's export with `edit` applied to every checkpoint manifest (checksums recomputed, as an attacker would). */
async function exportWithManifest(store: SessionStore, edit: (manifest: Record<string, any>) => void): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of store.export()) {
    const record = JSON.parse(line) as { kind: 'checkpoint'; data: { manifest: string } };
    if (record.kind !== 'checkpoint') {
      lines.push(line);
      continue;
    }
    const manifest = JSON.parse(record.data.manifest) as Record<string, any>;
    edit(manifest);
    lines.push(encodeLine('checkpoint', { ...record.data, manifest: JSON.stringify(manifest) }));
  }
  return lines;
}

const hostileLinks: Record<string, string> = {
  passwd: '/etc/passwd',
  up: '../../outside',
  'src/deeper': '../../../outside',
  climbs: 'src/../..',
};

describe.each(everyStore('trust_symlinks'))('a manifest with symlinks leading out, on $name', ({ open }) => {
  it('refuses the rewind (dry run, plain or forced) before anything is written', async () => {
    const source = open();
    const root = workspace({ 'src/app.ts': 'v1', 'README.md': 'readme' });
    const session = await source.create({ messages: [{ role: 'user', content: 'start' }] });
    const [start] = await source.getMessages(session.id);
    await source.checkpoint(session.id, { workspace: root });
    await source.append(session.id, { role: 'assistant', content: 'done' });
    const lines = await exportWithManifest(source, (manifest) => {
      for (const [path, target] of Object.entries(hostileLinks)) manifest.files[path] = { link: target };
      manifest.files['inside'] = { link: 'src/app.ts' };
    });
    await source.close();
    // As in another process: the workspace's scan index would otherwise hand back the state this process recorded.
    resetScanIndexes();

    const target = open();
    await target.import(lines);
    const before = snapshotWorkspace(root);
    const head = await target.get(session.id);
    for (const options of [{ dryRun: true }, {}, { force: true }]) {
      const error = await refusedAsInvalid(target.rewind(session.id, { toMessage: start!.id, rewindFiles: true, workspace: root, ...options }));
      expect(error.argument).toBe('checkpoint manifest');
      expect(error.message).toMatch(/only restores symlinks that stay inside the workspace/);
    }
    expect(snapshotWorkspace(root)).toEqual(before);
    for (const path of [...Object.keys(hostileLinks), 'inside']) expect(existsSync(join(root, path))).toBe(false);
    expect(await target.get(session.id)).toEqual(head);
    await target.close();
  });
});

describe('symlinks in a workspace', () => {
  it('records a link leading out as skipped, never restores it, and still restores links that stay inside', async () => {
    const outside = workspace({ 'secret.txt': 'outside', 'dir/file.txt': 'x' });
    const root = workspace({ 'src/app.ts': 'v1', 'node_modules/.keep': '' });
    rmSync(join(root, 'node_modules'), { recursive: true });
    // An ignored directory that is itself a link out: a link through it leads out too.
    symlinkSync(join(outside, 'dir'), join(root, 'node_modules'));
    symlinkSync(join(outside, 'secret.txt'), join(root, 'secret-link'));
    symlinkSync('node_modules/file.txt', join(root, 'through-ignored'));
    symlinkSync('src/app.ts', join(root, 'relative-inside'));
    symlinkSync(join(root, 'src', 'app.ts'), join(root, 'absolute-inside'));
    const store = SessionStore.memory();
    const session = await store.create({ messages: [{ role: 'user', content: 'start' }] });
    const [start] = await store.getMessages(session.id);
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    const taken = await store.checkpoint(session.id, { workspace: root });
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(taken.skipped.map((file) => file.path).sort()).toEqual(['secret-link', 'through-ignored']);
    expect(warnings.join('\n')).toMatch(/symlink leading out of the workspace/);

    for (const name of ['secret-link', 'through-ignored', 'relative-inside', 'absolute-inside']) rmSync(join(root, name));
    await store.append(session.id, { role: 'assistant', content: 'removed the links' });
    const rewound = await store.rewind(session.id, { toMessage: start!.id, rewindFiles: true, workspace: root, force: true });
    expect(rewound.files!.restored.sort()).toEqual(['absolute-inside', 'relative-inside']);
    expect(rewound.files!.skipped.sort()).toEqual(['secret-link', 'through-ignored']);
    expect(readlinkSync(join(root, 'relative-inside'))).toBe('src/app.ts');
    expect(readlinkSync(join(root, 'absolute-inside'))).toBe(join(root, 'src', 'app.ts'));
    expect(existsSync(join(root, 'secret-link'))).toBe(false);
    await store.close();
  });

  it('checks a link again where the restore creates it, and puts back what it had already changed', async () => {
    const root = workspace({ 'a.txt': 'a1', 'sub/b.txt': 'b1' });
    const before = snapshotWorkspace(root);
    const content = new TextEncoder().encode('a2');
    const plan: RestorePlan = {
      writes: [
        { path: 'a.txt', entry: { kind: 'file', hash: sha256(content), size: 2, mode: 0o644 } },
        { path: 'sub/escape', entry: { kind: 'link', target: '../../outside' } },
      ],
      deletes: [],
      createDirectories: [],
      removeDirectories: [],
      skipped: [],
      current: new Map(),
    };
    await refusedAsInvalid(applyRestore(root, plan, new Map([[sha256(content), content]])));
    expect(snapshotWorkspace(root)).toEqual(before);
    expect(() => lstatSync(join(root, 'sub/escape'))).toThrow();
  });

  it('refuses a link whose path runs through a dangling link or climbs after a name, however it is written', async () => {
    const { linkTargetProblem } = await import('../src/checkpoint/workspace-path.js');
    const root = workspace({ 'src/app.ts': 'v1' });
    mkdirSync(join(root, 'deep/er'), { recursive: true });
    symlinkSync('/nonexistent-outside/target', join(root, 'dangling'));
    symlinkSync('../src', join(root, 'deep/er/up'));
    writeFileSync(join(root, 'deep/file'), 'x');
    expect(linkTargetProblem(root, root, 'src/app.ts')).toBeUndefined();
    expect(linkTargetProblem(root, join(root, 'deep/er'), '../../src/app.ts')).toBeUndefined();
    expect(linkTargetProblem(root, root, 'missing/inside')).toBeUndefined();
    expect(linkTargetProblem(root, root, 'dangling/x')).toMatch(/cannot be resolved/);
    expect(linkTargetProblem(root, root, 'deep/er/up/../..')).toMatch(/climbs back up/);
    expect(linkTargetProblem(root, root, '..')).toMatch(/leads out/);
    expect(linkTargetProblem(root, root, '/etc/passwd')).toMatch(/leads out/);
    expect(linkTargetProblem(root, root, `${root}/../x`)).toMatch(/climbs back up/);
    expect(linkTargetProblem(root, root, '')).toMatch(/empty/);
  });
});
