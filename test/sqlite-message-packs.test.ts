/**
 * SQLite's packed messages (message-packs.ts, settle.ts, migration 12): settled bodies deflated
 * 64 to a pack, each message row kept with the body ''. Every read sees the same messages as
 * before packing, across packed and unpacked ones: resume, last-N, paging, search (hits and
 * snippets), forks, a trim that cuts into a pack and new messages written after it, deletes; the
 * rows shrink for real (the b-tree's pages refilled, not left empty); a schema 11 file is upgraded
 * and packed; and packing runs while other processes append to the same session.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SqliteDriver } from '../src/drivers/sqlite/driver.js';
import { PACK_SIZE } from '../src/drivers/sqlite/message-packs.js';
import { SessionStore, type StoredMessage } from '../src/index.js';
import { rewindToSchema11 } from './fixtures/sqlite-schema-11.js';
import { acknowledged, spawnWriter, type Writer } from './process/spawn.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-message-packs-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let files = 0;
const newPath = (name: string): string => join(directory, `${name}-${(files += 1)}.db`);

/** Message `index`'s text: one term only it has (mark<index>x: no other term starts with it), and words shared with others. */
const text = (index: number, tag = 'old'): string => `${tag} message ${index}: mark${index}x harbour ${'lights '.repeat(index % 5)}é`;
const contentOf = (message: StoredMessage): unknown => message.content;

/** Packs, packed rows and all rows, read from outside the driver. */
function packFigures(path: string): { packs: number; packed: number; rows: number } {
  const raw = new Database(path, { readonly: true });
  try {
    const { packs } = raw.prepare('SELECT count(*) AS packs FROM message_packs').get() as { packs: number };
    // Every row, in either table (recent_messages until a settle moves them: recent-messages.ts).
    const { packed, rows } = raw
      .prepare("SELECT coalesce(sum(body = ''), 0) AS packed, count(*) AS rows FROM (SELECT body FROM messages UNION ALL SELECT body FROM recent_messages)")
      .get() as { packed: number; rows: number };
    return { packs, packed, rows };
  } finally {
    raw.close();
  }
}

/** A session of `count` messages appended `perCall` at a time; the store is left open. */
async function writeSession(store: SessionStore, count: number, perCall = 10): Promise<{ sessionId: string; ids: string[] }> {
  const session = await store.create();
  const ids: string[] = [];
  for (let start = 0; start < count; start += perCall) {
    const batch = Array.from({ length: Math.min(perCall, count - start) }, (_, offset) => ({ role: 'user' as const, content: text(start + offset) }));
    ids.push(...(await store.append(session.id, batch)).map((message) => message.id));
  }
  return { sessionId: session.id, ids };
}

describe('SQLite packed messages', () => {
  it('reads packed and unpacked messages alike: resume, last N, paging, search, fork', async () => {
    const path = newPath('reads');
    const writer = SessionStore.sqlite(path);
    const { sessionId, ids } = await writeSession(writer, 300);
    // Indexed before packing: the repack (delete + insert) must leave the search entries in place.
    expect((await writer.search('mark5x')).hits.map((hit) => hit.messageId)).toEqual([ids[5]]);
    await writer.close();
    // Closing packs what the store appended: 2 packs of 128 (seqs 1..256), the last 44 messages as they were.
    expect(PACK_SIZE).toBe(128);
    expect(packFigures(path)).toEqual({ packs: 2, packed: 2 * PACK_SIZE, rows: 300 });

    const store = SessionStore.sqlite(path);
    try {
      const expected = Array.from({ length: 300 }, (_, index) => text(index));
      const all = await store.getMessages(sessionId);
      expect(all.map(contentOf)).toEqual(expected);
      expect(all.map((message) => message.id)).toEqual(ids);
      // The newest 50 reach from unpacked rows back into the last pack.
      expect((await store.getMessages(sessionId, { last: 50 })).map(contentOf)).toEqual(expected.slice(250));
      expect((await store.getMessages(sessionId, { limit: 3, order: 'desc', before: ids[130] })).map(contentOf)).toEqual([expected[129], expected[128], expected[127]]);
      expect((await store.getMessages(sessionId, { limit: 4, after: ids[125] })).map(contentOf)).toEqual(expected.slice(126, 130));
      expect((await store.getMessage(sessionId, ids[200]!)).message.content).toEqual(expected[200]);

      // Search: an entry indexed before its message was packed, one indexed after, and snippets cut from packed bodies.
      for (const index of [5, 70, 255, 299]) {
        const hits = (await store.search(`mark${index}x`)).hits;
        expect(hits.map((hit) => hit.messageId)).toEqual([ids[index]]);
        expect(hits[0]!.snippet).toContain(`mark${index}x`);
      }
      expect((await store.search('harbour', { limit: 100 })).hits).toHaveLength(100);

      // A fork from inside a pack reads the parent's packed messages, then its own.
      const fork = await store.fork(sessionId, { fromMessage: ids[100] });
      await store.append(fork.id, { role: 'user', content: text(1000, 'fork') });
      expect((await store.getMessages(fork.id)).map(contentOf)).toEqual([...expected.slice(0, 101), text(1000, 'fork')]);
    } finally {
      await store.close();
    }
  });

  it('leaves no half-empty pages behind: the packed rows are written again, small, and the b-tree refilled', async () => {
    const path = newPath('pages');
    const store = SessionStore.sqlite(path, { searchIndex: false });
    await writeSession(store, 1024, 32);
    await store.close();
    expect(packFigures(path).packed).toBe(1024);
    const raw = new Database(path, { readonly: true });
    try {
      const { bytes, unused } = raw.prepare("SELECT sum(pgsize) AS bytes, sum(unused) AS unused FROM dbstat WHERE name = 'messages'").get() as { bytes: number; unused: number };
      // Rows of ~50 B: shrunk in place (an UPDATE), they left their pages about 90% empty (measured).
      expect(unused / bytes).toBeLessThan(0.35);
      expect(bytes / 1024).toBeLessThan(120);
    } finally {
      raw.close();
    }
  });

  it('keeps the right bodies when a trim cuts into a pack and new messages are written and packed after it', async () => {
    const path = newPath('trim');
    const store = SessionStore.sqlite(path);
    const { sessionId } = await writeSession(store, 400);
    await store.close();
    expect(packFigures(path).packs).toBe(3);

    // Driver level: the trim retention makes (deleteMessagesAfter), then new messages at the freed seqs.
    const driver = new SqliteDriver({ path });
    const session = (await driver.getSession(sessionId))!;
    const segmentId = session.headSegmentId;
    // Seqs start at 1: the packs hold seqs 1..128, 129..256 and 257..384.
    expect(await driver.deleteMessagesAfter(segmentId, 200)).toBe(200);
    // The pack the cut goes through stays (its seqs 129..200 still live); the one after it (257..384) has no message left.
    expect(packFigures(path)).toEqual({ packs: 2, packed: 200, rows: 200 });
    const fresh = Array.from({ length: 400 }, (_, offset) => ({
      id: `msg_new_${offset}`,
      segmentId,
      seq: 201 + offset,
      createdAt: 1_700_000_000_000 + offset,
      body: JSON.stringify({ role: 'user', content: text(201 + offset, 'new') }),
    }));
    for (let start = 0; start < fresh.length; start += 20) await driver.commit({ messages: fresh.slice(start, start + 20) });
    await driver.close();
    // Packed from the first unpacked row (seq 201): 201..328, 329..456, 457..584.
    expect(packFigures(path)).toEqual({ packs: 5, packed: 200 + 3 * PACK_SIZE, rows: 600 });

    const reopened = new SqliteDriver({ path });
    try {
      const messages = await reopened.readMessages(segmentId, { fromSeq: 0, toSeq: 1000, order: 'asc' });
      const contents = messages.map((message) => (JSON.parse(message.body) as { content: string }).content);
      expect(contents).toEqual([...Array.from({ length: 200 }, (_, index) => text(index)), ...Array.from({ length: 400 }, (_, offset) => text(201 + offset, 'new'))]);
      expect(messages.map((message) => message.seq)).toEqual(Array.from({ length: 600 }, (_, index) => index + 1));
      const newest = await reopened.readMessages(segmentId, { fromSeq: 0, toSeq: 1000, order: 'desc', limit: 3 });
      expect(newest.map((message) => message.id)).toEqual(['msg_new_399', 'msg_new_398', 'msg_new_397']);
      // A page inside the newest pack, which starts below the stale one's end.
      const inside = await reopened.readMessages(segmentId, { fromSeq: 250, toSeq: 260, order: 'asc' });
      expect(inside.map((message) => message.id)).toEqual(Array.from({ length: 11 }, (_, offset) => `msg_new_${49 + offset}`));
      expect(inside.map((message) => message.body)).toEqual(fresh.slice(49, 60).map((message) => message.body));
      // Search sees the new messages where the old ones were, and not the old ones cut away.
      const hits = await reopened.searchMessages({ terms: ['mark300x'], lastTermIsPrefix: false, limit: 10, offset: 0 });
      expect(hits?.map((hit) => hit.message.id)).toEqual(['msg_new_99']);
      expect(hits?.[0]?.message.body).toContain('new message 300');
      // Deleting the segment takes its packs with its rows.
      expect(await reopened.deleteSegment(segmentId)).toBe(600);
    } finally {
      await reopened.close();
    }
    expect(packFigures(path)).toEqual({ packs: 0, packed: 0, rows: 0 });
  });

  it('deletes a session kept by a fork: the trim cuts into a pack, the fork still reads its history', async () => {
    const path = newPath('delete');
    const store = SessionStore.sqlite(path);
    try {
      const { sessionId, ids } = await writeSession(store, 260);
      const fork = await store.fork(sessionId, { fromMessage: ids[90] });
      await store.close();
      expect(packFigures(path).packs).toBe(2);
      const again = SessionStore.sqlite(path);
      try {
        expect(await again.delete(sessionId)).toBe(true);
        // The parent's messages after the fork point went, with the pack past it; the first pack (seqs 1..128) stays.
        expect(packFigures(path)).toEqual({ packs: 1, packed: 91, rows: 91 });
        expect((await again.getMessages(fork.id)).map(contentOf)).toEqual(Array.from({ length: 91 }, (_, index) => text(index)));
        expect((await again.search('mark90x', { sessionId: fork.id })).hits.map((hit) => hit.messageId)).toEqual([ids[90]]);
        expect((await again.search('mark91x', { sessionId: fork.id })).hits).toEqual([]);
      } finally {
        await again.close();
      }
    } finally {
      await store.close();
    }
  });

  it('indexes packed messages when a file kept without the search index is switched to keep it', async () => {
    const path = newPath('switch-on');
    const bare = SessionStore.sqlite(path, { searchIndex: false });
    const { sessionId, ids } = await writeSession(bare, 200);
    await bare.close();
    expect(packFigures(path).packed).toBe(PACK_SIZE);
    // Switched on: every message waits for the index, and the catch-up reads packed bodies from their pack.
    const indexed = SessionStore.sqlite(path, { searchIndex: true });
    try {
      for (const index of [3, 127, 150]) {
        expect((await indexed.search(`mark${index}x`, { sessionId })).hits.map((hit) => hit.messageId)).toEqual([ids[index]]);
      }
    } finally {
      await indexed.close();
    }
  });

  it('upgrades a schema 11 file: its messages read as before, then pack when their session is appended to', async () => {
    const path = newPath('upgrade');
    const writer = SessionStore.sqlite(path);
    const { sessionId, ids } = await writeSession(writer, 150);
    await writer.close();
    const raw = new Database(path);
    rewindToSchema11(raw);
    const trigger = raw.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'message_search_forget'").get() as { sql: string };
    expect(trigger.sql).not.toContain('message_repacking');
    expect(raw.prepare('SELECT max(version) AS version FROM schema_migrations').get()).toEqual({ version: 11 });
    raw.close();
    expect(() => packFigures(path)).toThrow(/no such table: message_packs/);

    const store = SessionStore.sqlite(path);
    try {
      const expected = Array.from({ length: 150 }, (_, index) => text(index));
      expect((await store.getMessages(sessionId)).map(contentOf)).toEqual(expected);
      expect(packFigures(path)).toEqual({ packs: 0, packed: 0, rows: 150 });
      await store.append(sessionId, { role: 'user', content: text(150) });
    } finally {
      await store.close();
    }
    // The old messages packed from the segment's start, at the first close after an append.
    expect(packFigures(path)).toEqual({ packs: 1, packed: PACK_SIZE, rows: 151 });
    const reopened = SessionStore.sqlite(path);
    try {
      expect((await reopened.getMessages(sessionId)).map(contentOf)).toEqual(Array.from({ length: 151 }, (_, index) => text(index)));
      expect((await reopened.search('mark3x')).hits.map((hit) => hit.messageId)).toEqual([ids[3]]);
    } finally {
      await reopened.close();
    }
  });
});

describe('SQLite packing with other processes appending', () => {
  const writers: Writer[] = [];
  afterEach(() => {
    for (const writer of writers.splice(0)) writer.child.kill('SIGKILL');
  });

  it('loses, duplicates and mixes up no message while processes append to one session and pack it', async () => {
    const path = newPath('processes');
    const setup = SessionStore.sqlite(path);
    const session = await setup.create();
    await setup.close();
    // Each writer appends one message per call: it settles (catch-up and packing) after 512, and packs again on close.
    const perWriter = 700;
    writers.push(spawnWriter(`sqlite:${path}`, session.id, 'a', perWriter), spawnWriter(`sqlite:${path}`, session.id, 'b', perWriter));
    await Promise.all(writers.map((writer) => writer.ready));
    for (const writer of writers) writer.child.stdin.write('go\n');
    const codes = await Promise.all(writers.map((writer) => writer.exited));
    expect(codes, writers.flatMap((writer) => writer.stderr).join('')).toEqual([0, 0]);

    const figures = packFigures(path);
    expect(figures.rows).toBe(2 * perWriter);
    expect(figures.packed).toBe(Math.floor((2 * perWriter) / PACK_SIZE) * PACK_SIZE);
    const store = SessionStore.sqlite(path);
    try {
      const messages = await store.getMessages(session.id);
      const acks = writers.flatMap((writer) => acknowledged(writer));
      // Every acknowledged message once, with its own content, each writer's in its order.
      expect(new Map(messages.map((message) => [message.id, message.content]))).toEqual(new Map(acks.map((ack) => [ack.id, ack.content])));
      for (const name of ['a', 'b']) {
        const own = messages.map((message) => String(message.content)).filter((content) => content.startsWith(`${name}:`));
        expect(own).toEqual(Array.from({ length: perWriter }, (_, index) => `${name}:${index}`));
      }
      // Search finds messages packed by either process (terms: the writer's name and the number).
      for (const [query, content] of [['a 650', 'a:650'], ['b 170', 'b:170'], ['a 100', 'a:100']]) {
        const hits = (await store.search(query!)).hits;
        expect(hits.map((hit) => hit.messageId)).toEqual(acks.filter((ack) => ack.content === content).map((ack) => ack.id));
      }
    } finally {
      await store.close();
    }
  }, 120_000);
});
