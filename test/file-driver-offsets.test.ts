/**
 * The file store finds a message and a segment's record without indexing the whole segment file
 * (issue 18: a fork from the middle of a long session grew with its length in a fresh process).
 * The message index records where each line starts; these tests check that a fresh process uses
 * that line alone, that the offset is only a hint (a wrong or missing one falls back to indexing),
 * and that a line beyond its owner's head (a commit in flight) stays invisible on the short path.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileDriver } from '../src/drivers/file/driver.js';
import { StoreLayout } from '../src/drivers/file/layout.js';
import { SessionStore } from '../src/index.js';

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function open(directory: string, warnings: string[] = []): { store: SessionStore; driver: FileDriver } {
  const driver = new FileDriver({ directory, durability: 'relaxed', onWarning: (message) => warnings.push(message) });
  return { store: SessionStore.fromDriver(driver), driver };
}

/** A store holding one session of `count` messages, ids msg-1..msg-N, and its head segment file. */
async function sessionOf(count: number) {
  const directory = join(mkdtempSync(join(tmpdir(), 'sessionloom-offsets-')), 'store');
  directories.push(join(directory, '..'));
  const { store, driver } = open(directory);
  const session = await store.create();
  await store.append(session.id, Array.from({ length: count }, (_, index) => ({ id: `msg-${index + 1}`, role: 'user' as const, content: `message ${index + 1}` })));
  const record = (await driver.getSession(session.id))!;
  return { directory, sessionId: session.id, segmentId: record.headSegmentId, segmentFile: new StoreLayout(directory).segmentFile(record.headSegmentId) };
}

/** Replaces line `lineNumber` (1-based) of a file with `replacement`. */
function replaceLine(path: string, lineNumber: number, replacement: string): void {
  const lines = readFileSync(path, 'utf8').split('\n');
  lines[lineNumber - 1] = replacement;
  writeFileSync(path, lines.join('\n'));
}

/** Rewrites every message-index entry for `messageId` through `change`. */
function editIndexEntry(directory: string, messageId: string, change: (entry: Record<string, unknown>) => Record<string, unknown>): void {
  const shards = join(directory, 'index', 'messages');
  for (const name of readdirSync(shards)) {
    const path = join(shards, name);
    const lines = readFileSync(path, 'utf8').split('\n');
    const edited = lines.map((line) => {
      if (line === '') return line;
      // Written in the compact form (id segment seq offset); written back as the JSON lines older
      // versions wrote, so the edited entries also show that form is still read.
      const [m, g, q, o] = line.split(' ');
      const entry: Record<string, unknown> = line.startsWith('{') ? (JSON.parse(line) as Record<string, unknown>) : { m, g, q: Number(q), ...(o === undefined ? {} : { o: Number(o) }) };
      return entry.m === messageId ? JSON.stringify(change(entry)) : line;
    });
    writeFileSync(path, edited.join('\n'));
  }
}

describe('FileDriver: finding a message reads its line, not its segment', () => {
  it('locates, forks from and reads the record of a deep segment in a fresh process without reading its other lines', async () => {
    const { directory, sessionId, segmentId, segmentFile } = await sessionOf(200);
    // Damage a line far from msg-100: indexing the whole file would throw on it, so finding
    // msg-100 and forking from it prove only the header and msg-100's own line were read.
    replaceLine(segmentFile, 1 + 180, '{"seq":180, this is not a message line');
    const fresh = open(directory);
    expect(await fresh.driver.locateMessage('msg-100')).toEqual({ segmentId, seq: 100 });
    expect((await fresh.driver.getSegment(segmentId))?.sessionId).toBe(sessionId);
    const fork = await fresh.store.fork(sessionId, { fromMessage: 'msg-100' });
    expect(fork.messageCount).toBe(100);
    // The damage is still found by what must read it.
    await expect(open(directory).store.getMessages(sessionId)).rejects.toThrow(/line 181/);
  });

  it('treats the recorded offset as a hint: a wrong one falls back to indexing and still finds the message', async () => {
    const { directory, segmentId } = await sessionOf(50);
    editIndexEntry(directory, 'msg-30', (entry) => ({ ...entry, o: (entry.o as number) + 7 }));
    editIndexEntry(directory, 'msg-31', ({ o: _dropped, ...entry }) => entry);
    const fresh = open(directory);
    expect(await fresh.driver.locateMessage('msg-30')).toEqual({ segmentId, seq: 30 });
    expect(await open(directory).driver.locateMessage('msg-31')).toEqual({ segmentId, seq: 31 });
    // Messages appended later get offsets that match the file, past the earlier appends.
    const writer = open(directory);
    const [session] = (await writer.store.list({})).sessions;
    await writer.store.append(session!.id, [{ id: 'msg-late', role: 'user', content: 'late' }]);
    let offset: number | undefined;
    editIndexEntry(directory, 'msg-late', (entry) => ((offset = entry.o as number), entry));
    const file = readFileSync(new StoreLayout(directory).segmentFile(segmentId));
    expect(file.subarray(offset!, offset! + 30).toString()).toBe('{"seq":51,"id":"msg-late","cre');
  });

  it('does not find, on the short path, a line beyond its owner\'s head (a commit in flight)', async () => {
    const { directory, segmentId, segmentFile } = await sessionOf(3);
    // What a writer between its append and its head's publication leaves: the line and its index entry.
    const offset = readFileSync(segmentFile).length;
    appendFileSync(segmentFile, '{"seq":4,"id":"msg-ghost","createdAt":1,"body":"{}"}\n');
    appendFileSync(new StoreLayout(directory).messageIndexFile('msg-ghost'), `${JSON.stringify({ m: 'msg-ghost', g: segmentId, q: 4, o: offset })}\n`);
    expect(await open(directory).driver.locateMessage('msg-ghost')).toBeUndefined();
  });
});

describe('FileDriver: message index lines older versions wrote', () => {
  it('finds every message, and refuses a duplicate id, in a store whose index holds only the JSON lines of older versions', async () => {
    const { directory, sessionId, segmentId } = await sessionOf(40);
    const shards = join(directory, 'index', 'messages');
    const compact = readdirSync(shards).flatMap((name) => readFileSync(join(shards, name), 'utf8').split('\n').filter((line) => line !== ''));
    expect(compact.every((line) => !line.startsWith('{'))).toBe(true); // written in the compact form
    for (const name of readdirSync(shards)) {
      const path = join(shards, name);
      const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');
      writeFileSync(path, lines.map((line) => {
        const [m, g, q, o] = line.split(' ');
        return `${JSON.stringify({ m, g, q: Number(q), o: Number(o) })}\n`;
      }).join(''));
    }
    const fresh = open(directory);
    for (let index = 1; index <= 40; index += 1) expect(await fresh.driver.locateMessage(`msg-${index}`)).toEqual({ segmentId, seq: index });
    await expect(fresh.store.append(sessionId, [{ id: 'msg-7', role: 'user', content: 'again' }])).rejects.toThrow(/a message with id "msg-7" already exists/);
    await fresh.store.append(sessionId, [{ id: 'msg-41', role: 'user', content: 'new' }]);
    expect(await open(directory).driver.locateMessage('msg-41')).toEqual({ segmentId, seq: 41 });
  });
});
