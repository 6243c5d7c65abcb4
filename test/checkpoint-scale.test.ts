/**
 * A measurement, not a timed assertion: a workspace of 10,000 small files where a turn changes 3.
 * Times are printed; what is asserted is the cost in bytes: the checkpoint after the turn stores
 * the 3 files' new content and a manifest of 3 entries, not the workspace.
 */
import { readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { resetScanIndexes } from '../src/checkpoint/scan-index.js';
import { SessionStore } from '../src/index.js';
import { temporaryDirectory, writeTree } from './fixtures/workspace.js';

const FILES = 10_000;
const DIRECTORIES = 100;

const directories: string[] = [];
afterAll(() => directories.forEach((directory) => rmSync(directory, { recursive: true, force: true })));

const redisUrl = inject('redisUrl');
const stores = [
  { name: 'sqlite', open: (directory: string) => SessionStore.sqlite(join(directory, 'sessions.db')) },
  { name: 'memory', open: () => SessionStore.memory() },
  // Skipped only where no Redis server is installed; each store gets keys of its own.
  ...(redisUrl === undefined ? [] : [{ name: 'redis', open: () => SessionStore.redis({ url: redisUrl }, { keyPrefix: `checkpoint-scale-${Math.random().toString(36).slice(2)}:` }) }]),
];

describe.each(stores)('a 10,000-file workspace on $name', ({ name, open }) => {
  it('a turn that changes 3 files stores those 3 files, not the workspace', async () => {
    const root = temporaryDirectory('scale');
    const databaseDirectory = temporaryDirectory('scale-db');
    directories.push(root, databaseDirectory);
    const spec: Record<string, string> = {};
    for (let index = 0; index < FILES; index += 1) {
      spec[`module${index % DIRECTORIES}/file${index}.ts`] = `export const value${index} = ${index};\n// ${'x'.repeat(index % 200)}\n`;
    }
    writeTree(root, spec);
    // A checked-out repository: its files were written well before the agent starts.
    const past = new Date(Date.now() - 3_600_000);
    for (const path of Object.keys(spec)) utimesSync(join(root, path), past, past);
    const workspaceBytes = Object.values(spec).reduce((total, content) => total + Buffer.byteLength(content), 0);

    const store = open(databaseDirectory);
    const session = await store.create();
    resetScanIndexes();
    await store.append(session.id, { role: 'user', content: 'first turn' });
    const firstStarted = performance.now();
    const first = await store.checkpoint(session.id, { workspace: root });
    const firstMs = performance.now() - firstStarted;
    expect(first).toMatchObject({ files: FILES, bytesStored: workspaceBytes, changedFiles: FILES });

    const changed = ['module3/file3.ts', 'module42/file5042.ts', 'module99/file9999.ts'];
    for (const path of changed) writeFileSync(join(root, path), `${readFileSync(join(root, path), 'utf8')}// changed by the turn\n`);
    const changedBytes = changed.reduce((total, path) => total + readFileSync(join(root, path)).length, 0);
    await store.append(session.id, [{ role: 'assistant', content: 'edited three files' }, { role: 'user', content: 'second turn' }]);
    const secondStarted = performance.now();
    const second = await store.checkpoint(session.id, { workspace: root });
    const secondMs = performance.now() - secondStarted;
    expect(second).toMatchObject({ files: FILES, bytesStored: changedBytes, changedFiles: 3 });
    expect(second.manifestBytes).toBeLessThan(1_000);

    // The same in a process that has never scanned the workspace: sizes and times come from the stored manifests.
    for (const path of changed) writeFileSync(join(root, path), `${readFileSync(join(root, path), 'utf8')}// changed again\n`);
    const againBytes = changed.reduce((total, path) => total + readFileSync(join(root, path)).length, 0);
    await store.append(session.id, [{ role: 'assistant', content: 'edited them again' }, { role: 'user', content: 'third turn' }]);
    resetScanIndexes();
    const freshStarted = performance.now();
    const fresh = await store.checkpoint(session.id, { workspace: root });
    const freshMs = performance.now() - freshStarted;
    expect(fresh).toMatchObject({ bytesStored: againBytes, changedFiles: 3 });

    const rewindStarted = performance.now();
    const rewound = await store.rewind(session.id, { toMessage: first.messageId, rewindFiles: true, workspace: root, force: true });
    const rewindMs = performance.now() - rewindStarted;
    expect(rewound.files?.restored).toEqual(changed);
    for (const path of changed) expect(readFileSync(join(root, path), 'utf8')).toBe(spec[path]);

    console.log(
      [
        `[${name}] workspace: ${FILES} files, ${workspaceBytes} bytes`,
        `  first checkpoint (stores the workspace once): ${firstMs.toFixed(0)} ms, ${first.bytesStored} bytes of content, manifest ${first.manifestBytes} bytes`,
        `  after a turn changing 3 files: ${secondMs.toFixed(0)} ms, ${second.bytesStored} bytes of content (the 3 files: ${changedBytes}), manifest ${second.manifestBytes} bytes`,
        `  same, in a process that never scanned the workspace: ${freshMs.toFixed(0)} ms, ${fresh.bytesStored} bytes, manifest ${fresh.manifestBytes} bytes`,
        `  rewind to the first message (restores 3 files): ${rewindMs.toFixed(0)} ms`,
      ].join('\n'),
    );
    await store.close();
  });
});
