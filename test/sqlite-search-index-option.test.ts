/**
 * SQLite's `searchIndex` option (search-setting.ts): a file kept without the full-text index holds
 * no postings and answers searches by the core's scan, with the same hits in the same order; the
 * setting is the file's, switched by an open that asks for the other one, and processes that
 * opened the file before a switch (real processes here) still find every message.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteDriver } from '../src/drivers/sqlite/driver.js';
import { InvalidArgumentError, SessionStore } from '../src/index.js';
import { runCliProcess } from './fixtures/cli-process.js';
import { acknowledged, spawnWriter } from './process/spawn.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-search-index-option-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let files = 0;
const newPath = (name: string): string => join(directory, `${name}-${(files += 1)}.db`);

/** Words that repeat unevenly, so BM25 ranks the hits apart (frequency, length, rarity). */
const WORDS = ['harbour', 'lights', 'porto', 'lisbon', 'river', 'bridge', 'tram', 'tile', 'azulejo', 'fado'];
function text(index: number): string {
  const words = Array.from({ length: 4 + (index % 7) }, (_, offset) => WORDS[(index * 3 + offset * offset) % WORDS.length]!);
  return `${words.join(' ')} note${index}`;
}

/** What the index and its backlog hold, read from outside the driver. */
function indexFigures(path: string): { payload: number; pages: number; entries: number; backlog: number } {
  const raw = new Database(path, { readonly: true });
  try {
    const { payload, pages } = raw.prepare("SELECT coalesce(sum(payload), 0) AS payload, count(*) AS pages FROM dbstat WHERE name LIKE 'message_search%'").get() as { payload: number; pages: number };
    const { entries } = raw.prepare('SELECT count(*) AS entries FROM message_search').get() as { entries: number };
    const { backlog } = raw.prepare('SELECT count(*) AS backlog FROM search_backlog').get() as { backlog: number };
    return { payload, pages, entries, backlog };
  } finally {
    raw.close();
  }
}

/** The file's pages in use (all of them less the free list), in bytes. */
function pagesInUse(path: string): number {
  const raw = new Database(path, { readonly: true });
  try {
    const pragma = (name: string) => raw.pragma(name, { simple: true }) as number;
    return (pragma('page_count') - pragma('freelist_count')) * pragma('page_size');
  } finally {
    raw.close();
  }
}

/** The hits as positions in `written` (ids differ between stores), in the order given. */
async function hitOrder(store: SessionStore, query: string, written: string[], options: { sessionId?: string } = {}): Promise<number[]> {
  const result = await store.search(query, { limit: 100, ...options });
  return result.hits.map((hit) => written.indexOf(hit.messageId));
}

/** Two sessions, one forked, one rewound: the same conversation in every store it is written to. */
async function writeConversation(store: SessionStore, count: number): Promise<{ ids: string[]; sessionIds: string[] }> {
  const ids: string[] = [];
  const first = await store.create({ userId: 'ana' });
  const second = await store.create({ userId: 'rui' });
  for (let index = 0; index < count; index += 1) {
    const [message] = await store.append(index % 3 === 0 ? second.id : first.id, { role: index % 2 === 0 ? 'user' : 'assistant', content: text(index) });
    ids.push(message!.id);
  }
  return { ids, sessionIds: [first.id, second.id] };
}

const QUERIES = ['harbour', 'porto lisbon', 'tram', 'azul', 'fado river bridge', 'note1', 'note4'];

describe('SQLite searchIndex option', () => {
  it('answers every search with the same hits in the same order with the index and without it', async () => {
    const indexed = SessionStore.sqlite(newPath('indexed'));
    const bare = SessionStore.sqlite(newPath('bare'), { searchIndex: false });
    try {
      const withIndex = await writeConversation(indexed, 120);
      const without = await writeConversation(bare, 120);
      for (const query of QUERIES) {
        const expected = await hitOrder(indexed, query, withIndex.ids);
        expect(expected.length, query).toBeGreaterThan(0);
        expect(expected, query).not.toContain(-1);
        expect(await hitOrder(bare, query, without.ids), query).toEqual(expected);
      }
      // Scoped to a session, the same hits; the scan's statistics are then the session's, the index's the file's.
      const [scopedWith, scopedWithout] = [withIndex.sessionIds[1]!, without.sessionIds[1]!];
      const scoped = new Set(await hitOrder(indexed, 'porto lisbon', withIndex.ids, { sessionId: scopedWith }));
      expect(scoped.size).toBeGreaterThan(0);
      expect(new Set(await hitOrder(bare, 'porto lisbon', without.ids, { sessionId: scopedWithout }))).toEqual(scoped);
    } finally {
      await indexed.close();
      await bare.close();
    }
  });

  it('keeps no postings and no backlog without the index, and takes fewer bytes per message', async () => {
    const [indexedPath, barePath] = [newPath('bytes-indexed'), newPath('bytes-bare')];
    const bare = SessionStore.sqlite(barePath, { searchIndex: false });
    await bare.create();
    await bare.close();
    const empty = indexFigures(barePath);

    const indexed = SessionStore.sqlite(indexedPath);
    const reopened = SessionStore.sqlite(barePath, { searchIndex: false });
    await writeConversation(indexed, 600);
    await writeConversation(reopened, 600);
    await indexed.search('harbour'); // settled: every message indexed
    await reopened.search('harbour');
    await indexed.close();
    await reopened.close();

    // The index's tables are as they were with no message (their empty pages), and nothing waits.
    expect(indexFigures(barePath)).toEqual({ ...empty, entries: 0, backlog: 0 });
    const withIndex = indexFigures(indexedPath);
    expect(withIndex.entries).toBe(600);
    expect(withIndex.payload).toBeGreaterThan(empty.payload + 600 * 10);
    // Closed, so each file is whole (its WAL checkpointed): the index's bytes are the difference in
    // pages in use (the file also keeps the free pages the moved recent messages left, for reuse).
    expect(pagesInUse(barePath)).toBeLessThan(pagesInUse(indexedPath));
  });

  it('is the file’s setting: kept by an open without the option, switched by one with the other', async () => {
    const path = newPath('switch');
    const first = SessionStore.sqlite(path);
    const before = await writeConversation(first, 30);
    await first.search('harbour');
    await first.close();
    expect(indexFigures(path).entries).toBe(30);

    const off = new SqliteDriver({ path, searchIndex: false });
    expect(off.capabilities.search).toBe(false);
    const offStore = SessionStore.fromDriver(off);
    const whileOff = await writeConversation(offStore, 30);
    await offStore.close();
    // Emptied: the index's tables hold what a file that never indexed holds (a page each).
    const neverIndexed = newPath('never-indexed');
    await new SqliteDriver({ path: neverIndexed, searchIndex: false }).close();
    expect(indexFigures(path)).toEqual({ ...indexFigures(neverIndexed), entries: 0, backlog: 0 });

    const unsaid = new SqliteDriver({ path });
    expect(unsaid.capabilities.search).toBe(false);
    await unsaid.close();

    const on = SessionStore.sqlite(path, { searchIndex: true });
    const reference = SessionStore.sqlite(newPath('switch-reference'));
    try {
      const all = [...before.ids, ...whileOff.ids];
      const saysHarbour = all.filter((_, index) => text(index % 30).split(' ').includes('harbour'));
      expect(new Set((await on.search('harbour', { limit: 100 })).hits.map((hit) => hit.messageId))).toEqual(new Set(saysHarbour));
      expect(indexFigures(path)).toMatchObject({ entries: 60, backlog: 0 });
      // Ranked as a store that always kept its index ranks the same messages.
      const referenceIds = [...(await writeConversation(reference, 30)).ids, ...(await writeConversation(reference, 30)).ids];
      for (const query of QUERIES) expect(await hitOrder(on, query, all), query).toEqual(await hitOrder(reference, query, referenceIds));
    } finally {
      await on.close();
      await reference.close();
    }
  });

  it('forgets rewound and deleted messages while off, and indexes only what is left once switched on', async () => {
    const path = newPath('deletes');
    const driver = new SqliteDriver({ path, searchIndex: false });
    const store = SessionStore.fromDriver(driver);
    const session = await store.create();
    // Seqs 1 to 5 in the session's first segment.
    const messages = await store.append(session.id, [1, 2, 3, 4, 5].map((index) => ({ role: 'user' as const, content: `kept${index} common` })));
    const fork = await store.fork(session.id, { fromMessage: messages[1]!.id });
    const [inFork] = await store.append(fork.id, { role: 'user', content: 'forked common' });
    const segmentId = (await driver.getSession(session.id))!.headSegmentId;
    const forkSegmentId = (await driver.getSession(fork.id))!.headSegmentId;
    expect(await driver.deleteMessagesAfter(segmentId, 3)).toBe(2);
    expect(await driver.deleteSegment(forkSegmentId)).toBe(1);
    expect(indexFigures(path)).toMatchObject({ entries: 0, backlog: 0 });
    await store.close();

    const on = new SqliteDriver({ path, searchIndex: true });
    const onStore = SessionStore.fromDriver(on);
    try {
      const found = async () => new Set((await onStore.search('common', { limit: 100 })).hits.map((hit) => hit.messageId));
      expect(await found()).toEqual(new Set(messages.slice(0, 3).map((message) => message.id)));
      expect(inFork).toBeDefined();
      expect(indexFigures(path)).toMatchObject({ entries: 3, backlog: 0 });
      // With the index on again, a delete takes its entry with it (migration 10's trigger).
      expect(await on.deleteMessagesAfter(segmentId, 2)).toBe(1);
      expect(indexFigures(path).entries).toBe(2);
      expect(await found()).toEqual(new Set(messages.slice(0, 2).map((message) => message.id)));
    } finally {
      await onStore.close();
    }
  });

  it('refuses bad values with a typed error that names them, and opens nothing', async () => {
    const path = newPath('refused');
    expect(() => SessionStore.sqlite(path, { searchIndex: 'off' as unknown as boolean })).toThrow(InvalidArgumentError);
    expect(() => SessionStore.sqlite(path, { searchIndex: 'off' as unknown as boolean })).toThrow(/searchIndex/);
    const refusals: Array<[string, RegExp]> = [
      [`sqlite:${path}?searchIndex=maybe`, /searchIndex must be on or off, got "maybe"/],
      [`sqlite:${path}?searchIndx=off`, /unknown option "searchIndx"/],
      [`sqlite:${path}?searchIndex=off&searchIndex=on`, /searchIndex is given twice/],
    ];
    for (const [url, message] of refusals) {
      await expect(SessionStore.open(url)).rejects.toThrow(InvalidArgumentError);
      await expect(SessionStore.open(url)).rejects.toThrow(message);
    }
    await expect(SessionStore.open(`sqlite:${path}?searchIndex=off`, { searchIndex: true })).rejects.toThrow(/give one/);
    expect(() => new SqliteDriver({ path, searchIndex: 1 as unknown as boolean })).toThrow(/searchIndex must be true, false or absent/);
    expect(existsSync(path)).toBe(false);

    const store = await SessionStore.open(`sqlite:${path}?searchIndex=off`);
    await store.close();
    expect(existsSync(path)).toBe(true);
    expect(new SqliteDriver({ path }).capabilities.search).toBe(false);
  });
});

describe('SQLite searchIndex switched by another process', () => {
  it('a process that kept the index still finds everything after another switched it off and appended', async () => {
    const path = newPath('processes-off');
    const store = SessionStore.sqlite(path);
    try {
      const session = await store.create();
      const mine = await store.append(session.id, [{ role: 'user', content: 'before w switch' }, { role: 'assistant', content: 'answer w' }]);
      expect((await store.search('w')).hits).toHaveLength(2); // the index caught up
      expect(indexFigures(path).entries).toBe(2);

      const writer = spawnWriter(`sqlite:${path}?searchIndex=off`, session.id, 'w', 5);
      await writer.ready;
      writer.child.stdin.write('go\n');
      expect(await writer.exited).toBe(0);
      expect(indexFigures(path)).toMatchObject({ entries: 0, backlog: 0 });

      const theirs = acknowledged(writer).map((ack) => ack.id);
      expect(theirs).toHaveLength(5);
      const everything = new Set([...mine.map((message) => message.id), ...theirs]);
      const result = await store.search('w', { limit: 50 });
      expect(new Set(result.hits.map((hit) => hit.messageId))).toEqual(everything);
      expect(result.partial).toBeUndefined();
      // Its own appends into the file now off: found too, and no postings written.
      const [late] = await store.append(session.id, { role: 'user', content: 'late w' });
      expect(new Set((await store.search('w', { limit: 50 })).hits.map((hit) => hit.messageId))).toEqual(new Set([...everything, late!.id]));
      expect(indexFigures(path).entries).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('a process that opened the file without the index notes its appends once another switched it on', async () => {
    const path = newPath('processes-on');
    const store = SessionStore.sqlite(path, { searchIndex: false });
    try {
      const session = await store.create();
      const [early] = await store.append(session.id, { role: 'user', content: 'early w' });
      const writer = spawnWriter(`sqlite:${path}?searchIndex=on`, session.id, 'w', 3);
      await writer.ready;
      writer.child.stdin.write('go\n');
      expect(await writer.exited).toBe(0);
      // The index is on now: a store using it catches up with everything so far (the backlog emptied)...
      const reader = SessionStore.sqlite(path);
      try {
        const before = new Set([early!.id, ...acknowledged(writer).map((ack) => ack.id)]);
        expect(before.size).toBe(4);
        expect(new Set((await reader.search('w', { limit: 50 })).hits.map((hit) => hit.messageId))).toEqual(before);
        expect(indexFigures(path)).toMatchObject({ entries: 4, backlog: 0 });
        // ...then this process's next append is noted in the backlog, and so found by the index too.
        const [late] = await store.append(session.id, { role: 'user', content: 'late w' });
        const expected = new Set([...before, late!.id]);
        expect(new Set((await reader.search('w', { limit: 50 })).hits.map((hit) => hit.messageId))).toEqual(expected);
        expect(indexFigures(path)).toMatchObject({ entries: 5, backlog: 0 });
        expect(new Set((await store.search('w', { limit: 50 })).hits.map((hit) => hit.messageId))).toEqual(expected);
      } finally {
        await reader.close();
      }
    } finally {
      await store.close();
    }
  });
});

describe('searchIndex in the CLI store URL', () => {
  it('opens the file the URL names (options apart), searches it, and refuses an unknown option', async () => {
    const path = newPath('cli');
    const missing = await runCliProcess(['list'], { storeUrl: `sqlite:${path}?searchIndex=off` });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(`no such store: ${path} does not exist`);

    const store = SessionStore.sqlite(path, { searchIndex: false });
    const session = await store.create();
    const [message] = await store.append(session.id, { role: 'user', content: 'the lighthouse keeper' });
    await store.close();
    const found = await runCliProcess(['search', 'lighthouse', '--json'], { storeUrl: `sqlite:${path}?searchIndex=off` });
    expect(found.code, found.stderr).toBe(0);
    expect((JSON.parse(found.stdout) as { hits: Array<{ messageId: string }> }).hits.map((hit) => hit.messageId)).toEqual([message!.id]);
    expect(indexFigures(path)).toMatchObject({ entries: 0, backlog: 0 });

    const refused = await runCliProcess(['search', 'lighthouse'], { storeUrl: `sqlite:${path}?index=off` });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('unknown option "index"');
    const itself = await runCliProcess(['migrate', '--to', `sqlite:${path}?searchIndex=on`], { storeUrl: `sqlite:${path}` });
    expect(itself.code).toBe(2);
    expect(itself.stderr).toContain('same store');
  });
});
