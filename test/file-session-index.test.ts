/**
 * The file store's session index (index/sessions.jsonl, src/drivers/file/session-index.ts and
 * session-listing.ts): listings from it must always equal listings from the session files, for
 * stores written before it existed, after damage, after a crash mid-write (real processes killed
 * with SIGKILL), with a commit in flight, with several processes writing, and across compaction.
 */
import { appendFileSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionQuery, SessionRecord } from '../src/driver/driver.js';
import { compareForQuery, matchesQuery } from '../src/driver/query-match.js';
import { FileDriver } from '../src/drivers/file/driver.js';
import { StoreLayout } from '../src/drivers/file/layout.js';
import { COMPACT_SLACK } from '../src/drivers/file/session-index.js';
import { SessionStore } from '../src/index.js';
import { cleanUpProcesses, moduleUrl, spawnTypeScript as spawnModule, temporaryDirectory } from './fixtures/child-processes.js';

afterEach(cleanUpProcesses);

function temporaryStore(): string {
  return join(temporaryDirectory('sessionloom-index-'), 'store');
}

function open(directory: string, warnings: string[] = []): { store: SessionStore; driver: FileDriver } {
  const driver = new FileDriver({ directory, lockStaleMs: 2_000, onWarning: (message) => warnings.push(message) });
  return { store: SessionStore.fromDriver(driver), driver };
}

const NEWEST: SessionQuery = { orderBy: 'updatedAt', order: 'desc', limit: 1_000 };

/** The answer from the session files alone: every session file read by id, filtered and sorted by query-match.ts. */
async function truth(driver: FileDriver, query: SessionQuery = NEWEST): Promise<SessionRecord[]> {
  const layout = new StoreLayout(driver.directory);
  const records: SessionRecord[] = [];
  for (const name of readdirSync(layout.sessionsDirectory)) {
    const id = layout.sessionIdOfRelative(join('sessions', name));
    const record = id === undefined ? undefined : await driver.getSession(id);
    if (record) records.push(record);
  }
  return records.filter((record) => matchesQuery(record, query)).sort((left, right) => compareForQuery(left, right, query)).slice(0, query.limit);
}

function indexLines(layout: StoreLayout): string[] {
  let text = '';
  try {
    text = readFileSync(layout.sessionIndexFile, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((line) => line.length > 0 && line.startsWith('{'));
}

async function listed(driver: FileDriver, query: SessionQuery = NEWEST): Promise<SessionRecord[]> {
  return driver.listSessions(query);
}

describe('FileDriver session index: stores it did not write', () => {
  it('builds the index on the first listing of a store written before it existed', async () => {
    const directory = temporaryStore();
    const { store, driver } = open(directory);
    for (let index = 0; index < 5; index += 1) await store.create({ title: `session ${index}` });
    const layout = new StoreLayout(directory);
    unlinkSync(layout.sessionIndexFile); // what an older version leaves: no index at all

    const reader = open(directory).driver;
    expect(await listed(reader)).toEqual(await truth(driver));
    expect(indexLines(layout)).toHaveLength(5);
  });

  it('rebuilds an index that lags the session files (lines lost to a power loss) or holds a damaged line', async () => {
    const directory = temporaryStore();
    const { store, driver } = open(directory);
    const sessions: Array<{ id: string }> = [];
    for (let index = 0; index < 4; index += 1) sessions.push(await store.create({ title: `session ${index}` }));
    await store.update(sessions[0]!.id, { title: 'renamed' });
    const layout = new StoreLayout(directory);
    const lines = indexLines(layout);
    // The last line (the rename) lost, and a damaged line in the middle.
    writeFileSync(layout.sessionIndexFile, `${lines.slice(0, 2).join('\n')}\nnot json at all\n${lines.slice(2, -1).join('\n')}\n`);

    const reader = open(directory).driver;
    const expected = await truth(driver);
    expect(expected.find((record) => record.id === sessions[0]!.id)?.title).toBe('renamed');
    expect(await listed(reader)).toEqual(expected);
    expect(await listed(reader, { ...NEWEST, titlePrefix: 'renamed' })).toEqual([expected.find((record) => record.title === 'renamed')]);
    expect(readFileSync(layout.sessionIndexFile, 'utf8')).not.toContain('not json');
  });

  it('ignores a torn last line, and the next commit removes it', async () => {
    const directory = temporaryStore();
    const warnings: string[] = [];
    const { store, driver } = open(directory, warnings);
    const session = await store.create({ title: 'whole' });
    expect((await listed(driver)).map((record) => record.title)).toEqual(['whole']);
    const layout = new StoreLayout(directory);
    appendFileSync(layout.sessionIndexFile, '{"c":"torn","s":{"id":"ses-torn","tit');
    expect((await listed(driver)).map((record) => record.title)).toEqual(['whole']);
    expect((await listed(open(directory).driver)).map((record) => record.title)).toEqual(['whole']);
    await store.update(session.id, { title: 'after' });
    expect(readFileSync(layout.sessionIndexFile, 'utf8')).not.toContain('ses-torn');
    expect((await listed(driver)).map((record) => record.title)).toEqual(['after']);
  });
});

describe('FileDriver session index: a commit in flight', () => {
  it('lists what the session files say while the journal names a commit whose index lines are written but whose records are not', async () => {
    const directory = temporaryStore();
    const { store, driver } = open(directory);
    const kept = await store.create({ title: 'alpha' });
    await store.create({ title: 'beta' });
    expect(await listed(driver)).toHaveLength(2); // warm: the index is trusted from here on
    const layout = new StoreLayout(directory);
    const before = (await driver.getSession(kept.id)) as SessionRecord;
    const renamed = { ...before, title: 'zeta', version: before.version + 1, updatedAt: before.updatedAt + 10_000 };
    const ghost = { ...before, id: 'ses-ghost', title: 'ghost', version: 1 };
    // What a writer leaves between appending its index lines and publishing its records (or when killed there).
    const indexLength = readFileSync(layout.sessionIndexFile).length;
    writeFileSync(
      layout.journalFile,
      `P\n${JSON.stringify({
        commitId: 'in-flight',
        appended: [{ path: relative(directory, layout.sessionIndexFile), length: indexLength }],
        created: [],
        puts: [renamed, ghost].map((record) => ({ path: relative(directory, layout.sessionFile(record.id)), content: 'not yet' })),
        removals: [],
        commitPoint: { kind: 'flip' },
      })}\n`,
    );
    appendFileSync(layout.sessionIndexFile, [renamed, ghost].map((record) => `${JSON.stringify({ c: 'in-flight', s: record })}\n`).join(''));

    const expected = await truth(driver);
    expect(expected.map((record) => record.title).sort()).toEqual(['alpha', 'beta']);
    expect(await listed(driver)).toEqual(expected);
    expect(await listed(driver, { ...NEWEST, titlePrefix: 'alpha' })).toEqual(expected.filter((record) => record.title === 'alpha'));
    expect(await listed(open(directory).driver)).toEqual(expected);

    // The next commit rolls the interrupted one back, index lines included.
    await store.create({ title: 'gamma' });
    expect(readFileSync(layout.sessionIndexFile, 'utf8')).not.toContain('ses-ghost');
    expect(await listed(driver)).toEqual(await truth(driver));
  });
});

describe('FileDriver session index: several processes', () => {
  it('sees what another process creates, changes and deletes, without reopening', async () => {
    const directory = temporaryStore();
    const { store, driver } = open(directory);
    const doomed = await store.create({ title: 'doomed' });
    const changed = await store.create({ title: 'old title' });
    expect(await listed(driver)).toHaveLength(2);
    const child = spawnTypeScript(
      `
      const store = SessionStore.fromDriver(new FileDriver({ directory: process.env.STORE_DIRECTORY, lockStaleMs: 2000 }));
      await store.create({ title: 'from the child' });
      await store.update(process.env.CHANGED, { title: 'new title' });
      await store.delete(process.env.DOOMED);
      await store.close();
      console.log('done');
      `,
      { STORE_DIRECTORY: directory, CHANGED: changed.id, DOOMED: doomed.id },
    );
    await child.line('done');
    const titles = (await listed(driver)).map((record) => record.title).sort();
    expect(titles).toEqual(['from the child', 'new title']);
    expect(await listed(driver)).toEqual(await truth(driver));
  });

  it('matches the session files after writers are killed with SIGKILL mid-stream, for warm and fresh drivers', async () => {
    const directory = temporaryStore();
    const { store, driver } = open(directory);
    await store.create({ title: 'seed' });
    expect(await listed(driver)).toHaveLength(1);
    const writers = ['a', 'b'].map((name) =>
      spawnTypeScript(
        `
        const store = SessionStore.fromDriver(new FileDriver({ directory: process.env.STORE_DIRECTORY, lockStaleMs: 2000 }));
        for (let index = 0; ; index += 1) {
          const session = await store.create({ title: process.env.WRITER + ' ' + index, userId: process.env.WRITER });
          await store.update(session.id, { title: process.env.WRITER + ' renamed ' + index });
          if (index % 3 === 0) await store.delete(session.id);
          console.log('wrote ' + index);
        }
        `,
        { STORE_DIRECTORY: directory, WRITER: name },
      ),
    );
    await Promise.all(writers.map((writer) => writer.line('wrote 8')));
    // While they write, every listing equals some state of the files: each listed session is whole.
    for (let round = 0; round < 5; round += 1) {
      for (const record of await listed(driver)) expect(record.title === 'seed' || record.title?.includes('renamed') || /^[ab] \d+$/.test(record.title ?? '')).toBe(true);
    }
    for (const writer of writers) writer.child.kill('SIGKILL');
    await Promise.all(writers.map((writer) => writer.exited));

    const expected = await truth(driver);
    expect(expected.length).toBeGreaterThan(10);
    expect(await listed(driver)).toEqual(expected);
    expect(await listed(open(directory).driver)).toEqual(expected);
    expect(await listed(driver, { ...NEWEST, userId: 'a' })).toEqual(await truth(driver, { ...NEWEST, userId: 'a' }));
    // A commit after the crash recovers whatever was in flight; the listing still matches.
    await store.create({ title: 'after' });
    expect(await listed(driver)).toEqual(await truth(driver));
  }, 60_000);
});

describe('FileDriver session index: compaction', () => {
  it('keeps the index under twice the live sessions plus its slack, and a tailing driver follows the rewrite', async () => {
    const directory = temporaryStore();
    const { store, driver } = open(directory);
    const follower = open(directory).driver;
    const sessions: Array<{ id: string }> = [];
    for (let index = 0; index < 3; index += 1) sessions.push(await store.create({ title: `s${index}` }));
    expect(await listed(driver)).toHaveLength(3);
    expect(await listed(follower)).toHaveLength(3);
    const layout = new StoreLayout(directory);
    let longest = 0;
    for (let round = 0; round < 3 * COMPACT_SLACK; round += 1) {
      await store.update(sessions[round % 3]!.id, { title: `s${round % 3} round ${round}` });
      longest = Math.max(longest, indexLines(layout).length);
      if (round % 50 === 0) expect(await listed(follower)).toEqual(await truth(driver));
    }
    expect(longest).toBeLessThanOrEqual(2 * 3 + COMPACT_SLACK + 1);
    expect(indexLines(layout).length).toBeLessThan(3 * COMPACT_SLACK);
    expect(await listed(follower)).toEqual(await truth(driver));
    expect(await listed(open(directory).driver)).toEqual(await truth(driver));
  }, 60_000);
});

/** TypeScript run in a real child process with FileDriver and SessionStore imported. */
function spawnTypeScript(body: string, environment: Record<string, string>) {
  const imports = `import { FileDriver } from ${JSON.stringify(moduleUrl('src/drivers/file/driver.ts'))};\nimport { SessionStore } from ${JSON.stringify(moduleUrl('src/index.ts'))};\n`;
  return spawnModule(imports + body, environment);
}
