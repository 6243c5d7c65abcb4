/**
 * SQLite's recent messages (recent-messages.ts, settle.ts, migration 13): an append writes to
 * `recent_messages`, a settle moves the rows into `messages`. A session with messages in both
 * tables reads, pages, searches, rewinds and deletes as one history; an id is unique across both;
 * a checkpoint of a recent message is not an orphan; rows a killed process left in the recent
 * table are read and later moved by another; and a schema 12 file is upgraded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WriteConflict } from '../src/driver/driver.js';
import { SqliteDriver } from '../src/drivers/sqlite/driver.js';
import { SETTLE_BATCH } from '../src/drivers/sqlite/settle.js';
import { SessionStore, type StoredMessage } from '../src/index.js';
import { messageRecord } from './fixtures/driver-records.js';
import { settleRecentMessages } from './fixtures/sqlite-recent.js';
import { acknowledged, spawnWriter, type Writer } from './process/spawn.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-recent-messages-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let files = 0;
const newPath = (name: string): string => join(directory, `${name}-${(files += 1)}.db`);
const text = (index: number): string => `message ${index}: mark${index}x harbour`;
const contentOf = (message: StoredMessage): unknown => message.content;

/** Rows in each table, read from outside the driver. */
function tableRows(path: string): { settled: number; recent: number } {
  const raw = new Database(path, { readonly: true });
  try {
    const count = (table: string) => (raw.prepare(`SELECT count(*) AS rows FROM ${table}`).get() as { rows: number }).rows;
    return { settled: count('messages'), recent: count('recent_messages') };
  } finally {
    raw.close();
  }
}

/** `count` messages appended one call each to a new session; the store is left open. */
async function writeSession(store: SessionStore, count: number): Promise<{ sessionId: string; ids: string[] }> {
  const session = await store.create();
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const [message] = await store.append(session.id, { role: 'user', content: text(index) });
    ids.push(message!.id);
  }
  return { sessionId: session.id, ids };
}

describe('SQLite recent messages', () => {
  it('reads, pages, searches, rewinds and deletes a history whose messages are in both tables', async () => {
    const path = newPath('both');
    const store = SessionStore.sqlite(path);
    try {
      // The settle after SETTLE_BATCH messages moves them; the rest stay recent.
      const total = SETTLE_BATCH + 20;
      const { sessionId, ids } = await writeSession(store, total);
      expect(tableRows(path)).toEqual({ settled: SETTLE_BATCH, recent: 20 });
      const expected = Array.from({ length: total }, (_, index) => text(index));
      expect((await store.getMessages(sessionId)).map(contentOf)).toEqual(expected);
      expect((await store.getMessages(sessionId)).map((message) => message.id)).toEqual(ids);
      // Pages across the boundary, both ways.
      expect((await store.getMessages(sessionId, { last: 25 })).map(contentOf)).toEqual(expected.slice(total - 25));
      expect((await store.getMessages(sessionId, { limit: 4, after: ids[SETTLE_BATCH - 3] })).map(contentOf)).toEqual(
        expected.slice(SETTLE_BATCH - 2, SETTLE_BATCH + 2),
      );
      expect((await store.getMessages(sessionId, { limit: 3, order: 'desc', before: ids[SETTLE_BATCH + 1] })).map(contentOf)).toEqual([
        expected[SETTLE_BATCH],
        expected[SETTLE_BATCH - 1],
        expected[SETTLE_BATCH - 2],
      ]);
      expect((await store.getMessage(sessionId, ids[total - 1]!)).message.content).toEqual(expected[total - 1]);
      expect((await store.getMessage(sessionId, ids[3]!)).message.content).toEqual(expected[3]);
      // Search: a settled hit and a recent one, each with its own body (the snippet).
      for (const index of [3, total - 2]) {
        const hits = (await store.search(`mark${index}x`)).hits;
        expect(hits.map((hit) => hit.messageId)).toEqual([ids[index]]);
        expect(hits[0]!.snippet).toContain(`mark${index}x`);
      }
      // Every message once, page after page (hits of both tables in one ranking).
      const found = new Set<string>();
      for (let cursor: string | undefined, pages = 0; pages === 0 || cursor !== undefined; pages += 1) {
        const page = await store.search('harbour', { limit: 100, ...(cursor === undefined ? {} : { cursor }) });
        for (const hit of page.hits) found.add(hit.messageId);
        cursor = page.nextCursor;
      }
      expect(found).toEqual(new Set(ids));

      // A fork from a settled message reads it; a rewind into the settled part leaves the recent ones out of the history.
      const fork = await store.fork(sessionId, { fromMessage: ids[SETTLE_BATCH - 5] });
      await store.rewind(sessionId, { toMessage: ids[SETTLE_BATCH - 10] });
      expect((await store.getMessages(sessionId)).map(contentOf)).toEqual(expected.slice(0, SETTLE_BATCH - 9));
      const [again] = await store.append(sessionId, { role: 'user', content: 'after the trim: mark9999x' });
      expect((await store.getMessages(sessionId, { last: 2 })).map(contentOf)).toEqual([expected[SETTLE_BATCH - 10], 'after the trim: mark9999x']);
      expect((await store.search('mark9999x')).hits.map((hit) => hit.messageId)).toEqual([again!.id]);
      expect((await store.getMessages(fork.id)).map(contentOf)).toEqual(expected.slice(0, SETTLE_BATCH - 4));

      // Deleting both sessions leaves no row in either table.
      await store.delete(fork.id);
      await store.delete(sessionId);
      expect(tableRows(path)).toEqual({ settled: 0, recent: 0 });
    } finally {
      await store.close();
    }
  });

  it('refuses an id already settled, and keeps a recent message’s checkpoint when collecting orphans', async () => {
    const path = newPath('ids');
    const driver = new SqliteDriver({ path });
    const store = SessionStore.fromDriver(driver);
    try {
      const { sessionId, ids } = await writeSession(store, SETTLE_BATCH + 2);
      const session = await driver.getSession(sessionId);
      const settledId = ids[0]!;
      const recentId = ids[SETTLE_BATCH + 1]!;
      expect(tableRows(path).recent).toBe(2);
      await expect(driver.commit({ messages: [messageRecord(settledId, session!.headSegmentId, SETTLE_BATCH + 100)] })).rejects.toSatisfy(
        (error: unknown) => error instanceof WriteConflict && error.reason.kind === 'duplicate-message' && error.reason.messageId === settledId,
      );
      await expect(driver.commit({ messages: [messageRecord(recentId, session!.headSegmentId, SETTLE_BATCH + 100)] })).rejects.toSatisfy(
        (error: unknown) => error instanceof WriteConflict && error.reason.kind === 'duplicate-message',
      );
      expect((await store.getMessages(sessionId)).map((message) => message.id)).toEqual(ids);

      const checkpoint = (messageId: string) => ({ messageId, sessionId, createdAt: 1, manifest: '{"files":{}}', blobHashes: [] });
      await driver.commit({ checkpoints: [checkpoint(settledId), checkpoint(recentId), checkpoint('msg_gone')] });
      expect(await driver.collectCheckpoints()).toEqual({ checkpoints: 1, blobs: 0 });
      expect(await driver.getCheckpoint(recentId)).toBeDefined();
      expect(await driver.getCheckpoint(settledId)).toBeDefined();
    } finally {
      await store.close();
    }
  });

  it('moves recent rows that complete a pack, keeps the rest until their session is idle, and moves everything on close', async () => {
    const path = newPath('policy');
    const store = SessionStore.sqlite(path);
    const contents = new Map<string, string[]>();
    const write = async (sessionId: string, count: number) => {
      const list = contents.get(sessionId) ?? [];
      for (let index = 0; index < count; index += 1) {
        const content = `${sessionId.slice(-4)} ${list.length}`;
        await store.append(sessionId, { role: 'user', content });
        list.push(content);
      }
      contents.set(sessionId, list);
    };
    try {
      const quiet = (await store.create()).id;
      const busy = (await store.create()).id;
      // The first settle (at SETTLE_BATCH messages): the busy session's 412 make 3 packs of 128,
      // its last 28 wait; the quiet one's 100 make no pack and it was appended to since the last settle.
      await write(quiet, 100);
      await write(busy, SETTLE_BATCH - 100);
      expect(tableRows(path)).toEqual({ settled: 384, recent: 128 });
      // The next: the quiet session is idle (nothing new since), so its 100 move whole; the busy
      // one's 28 + 512 make 4 packs, 28 wait.
      await write(busy, SETTLE_BATCH);
      expect(tableRows(path)).toEqual({ settled: 384 + 100 + 512, recent: 28 });
      for (const [sessionId, expected] of contents) {
        expect((await store.getMessages(sessionId)).map(contentOf)).toEqual(expected);
        expect((await store.getMessages(sessionId, { last: 30 })).map(contentOf)).toEqual(expected.slice(-30));
      }
    } finally {
      await store.close();
    }
    expect(tableRows(path)).toEqual({ settled: 100 + 2 * SETTLE_BATCH - 100, recent: 0 });
  });

  it('upgrades a schema 12 file: its messages read as before, and new appends go to the recent table', async () => {
    const path = newPath('upgrade');
    const before = SessionStore.sqlite(path);
    const { sessionId } = await writeSession(before, 30);
    await before.close();
    const raw = new Database(path);
    raw.transaction(() => settleRecentMessages(raw))();
    expect(raw.prepare('SELECT max(version) AS version FROM schema_migrations').get()).toEqual({ version: 12 });
    raw.close();

    const store = SessionStore.sqlite(path);
    try {
      await store.append(sessionId, { role: 'user', content: text(30) });
      expect(tableRows(path)).toEqual({ settled: 30, recent: 1 });
      expect((await store.getMessages(sessionId)).map(contentOf)).toEqual(Array.from({ length: 31 }, (_, index) => text(index)));
    } finally {
      await store.close();
    }
  });
});

describe('SQLite recent messages left by a killed process', () => {
  const writers: Writer[] = [];
  afterEach(() => {
    for (const writer of writers.splice(0)) writer.child.kill('SIGKILL');
  });

  it('reads every acknowledged message a process killed with -9 left in the recent table, and moves them at the next settle', async () => {
    const path = newPath('killed');
    const setup = SessionStore.sqlite(path);
    const session = await setup.create();
    await setup.close();
    // Appends forever, one message per call; killed well before its first settle.
    const writer = spawnWriter(`sqlite:${path}`, session.id, 'k', 0);
    writers.push(writer);
    await writer.ready;
    writer.child.stdin.write('go\n');
    while (acknowledged(writer).length < 100) await new Promise((resolve) => setTimeout(resolve, 20));
    writer.child.kill('SIGKILL');
    expect(await writer.exited).toBe('SIGKILL');
    const acks = acknowledged(writer);
    expect(tableRows(path)).toEqual({ settled: 0, recent: expect.any(Number) });

    const store = SessionStore.sqlite(path);
    try {
      const read = async () => new Map((await store.getMessages(session.id)).map((message) => [message.id, message.content]));
      const left = await read();
      // Every acknowledged message, in order (one more may have committed before its ack was printed).
      for (const ack of acks) expect(left.get(ack.id)).toBe(ack.content);
      expect([...left.values()].slice(0, acks.length)).toEqual(acks.map((ack) => ack.content));
      // This store's settle moves every recent row, the killed process's included.
      for (let index = 0; index < SETTLE_BATCH; index += 1) await store.append(session.id, { role: 'user', content: `after:${index}` });
      expect(tableRows(path).recent).toBeLessThan(SETTLE_BATCH);
      const after = await read();
      for (const ack of acks) expect(after.get(ack.id)).toBe(ack.content);
      expect(after.size).toBe(left.size + SETTLE_BATCH);
    } finally {
      await store.close();
    }
    expect(tableRows(path).recent).toBe(0);
  }, 60_000);
});
