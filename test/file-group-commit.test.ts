/**
 * The file store's group commit (src/drivers/file/group-commit.ts): appends to different sessions
 * waiting at once share one commit, a batch whose condition fails fails alone, and a process
 * killed with SIGKILL mid-stream loses no acknowledged append (real processes).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WriteConflict, type MessageRecord, type SessionRecord, type WriteBatch } from '../src/driver/driver.js';
import { FileDriver } from '../src/drivers/file/driver.js';
import { StoreLayout } from '../src/drivers/file/layout.js';
import { SessionStore } from '../src/index.js';
import { cleanUpProcesses, moduleUrl, spawnTypeScript, temporaryDirectory, whenCounted } from './fixtures/child-processes.js';

afterEach(cleanUpProcesses);

function temporaryStore(): string {
  return join(temporaryDirectory('sessionloom-group-'), 'store');
}

/** The batch the core sends for appending one message to `record`'s head. */
function appendBatch(record: SessionRecord, messageId: string, expectedVersion = record.version): WriteBatch {
  const message: MessageRecord = { id: messageId, segmentId: record.headSegmentId, seq: record.messageCount + 1, createdAt: Date.now(), body: JSON.stringify({ role: 'user', content: messageId }) };
  return {
    sessions: [{ record: { ...record, version: record.version + 1, messageCount: record.messageCount + 1, updatedAt: Date.now() }, expectedVersion }],
    messages: [message],
  };
}

function commitIdOf(directory: string, sessionId: string): string {
  return (JSON.parse(readFileSync(new StoreLayout(directory).sessionFile(sessionId), 'utf8')) as { commitId: string }).commitId;
}

describe('FileDriver group commit', () => {
  it('commits appends to different sessions waiting at once together, and fails only the batch whose condition fails', async () => {
    const directory = temporaryStore();
    const store = SessionStore.fromDriver(new FileDriver({ directory }));
    const ids: string[] = [];
    for (let index = 0; index < 6; index += 1) ids.push((await store.create({ messages: [{ id: `first-${index}`, role: 'user', content: 'first' }] })).id);
    const driver = new FileDriver({ directory });
    const records = await Promise.all(ids.map(async (id) => (await driver.getSession(id)) as SessionRecord));
    // The first batch takes the lock alone; the rest queue behind it and form the next group.
    const batches = [
      appendBatch(records[0]!, 'msg-a'),
      appendBatch(records[1]!, 'msg-b'),
      appendBatch(records[2]!, 'msg-c'),
      appendBatch(records[3]!, 'msg-stale', records[3]!.version - 1), // a version that moved on
      appendBatch(records[4]!, 'first-0'), // an id already stored
      appendBatch(records[5]!, 'msg-f'),
      appendBatch(records[5]!, 'msg-f2'), // the same session again: waits for the next group, then conflicts
    ];
    const results = await Promise.allSettled(batches.map((batch) => driver.commit(batch)));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled', 'rejected']);
    const reasons = results.map((result) => (result.status === 'rejected' && WriteConflict.is(result.reason) ? result.reason.reason.kind : undefined));
    expect(reasons).toEqual([undefined, undefined, undefined, 'version', 'duplicate-message', undefined, 'version']);
    // Grouped: the records of b, c and f were published by one commit.
    expect(new Set([ids[1], ids[2], ids[5]].map((id) => commitIdOf(directory, id!))).size).toBe(1);
    expect(commitIdOf(directory, ids[0]!)).not.toBe(commitIdOf(directory, ids[1]!));
    for (const [index, expected] of [[0, 'msg-a'], [1, 'msg-b'], [2, 'msg-c'], [3, undefined], [4, undefined], [5, 'msg-f']] as const) {
      const contents = (await store.getMessages(ids[index]!)).map((message) => message.id);
      expect(contents).toEqual(expected === undefined ? [`first-${index}`] : [`first-${index}`, expected]);
    }
    expect(await driver.locateMessage('msg-stale')).toBeUndefined();
    expect(readFileSync(new StoreLayout(directory).journalFile, 'utf8')).toBe('');
  });

  it('loses no acknowledged append when the process appending to 16 sessions at once is killed with SIGKILL', async () => {
    const directory = temporaryStore();
    const listing = new FileDriver({ directory, lockStaleMs: 2_000 });
    const store = SessionStore.fromDriver(listing);
    const ids: string[] = [];
    for (let index = 0; index < 16; index += 1) ids.push((await store.create()).id);
    expect(await listing.listSessions({ orderBy: 'updatedAt', order: 'desc', limit: 100 })).toHaveLength(16); // its session index is warm
    const child = spawnWriters(directory, ids);
    await child.acknowledged(200);
    child.child.kill('SIGKILL');
    await child.exited;
    const acks = child.acks();

    const after = SessionStore.fromDriver(new FileDriver({ directory, lockStaleMs: 2_000 }));
    await after.append(ids[0]!, { role: 'user', content: 'after the crash' }); // recovers whatever was in flight
    for (const id of ids) {
      const stored = (await after.getMessages(id)).map((message) => String(message.content));
      const acked = acks.filter((ack) => ack.sessionId === id).map((ack) => ack.content);
      const own = stored.filter((content) => content !== 'after the crash');
      expect(own.slice(0, acked.length)).toEqual(acked);
      expect(own.length - acked.length).toBeLessThanOrEqual(1); // the one in flight, committed before its ack was printed
      expect((await after.get(id))?.messageCount).toBe(stored.length);
    }
    expect(acks.length).toBeGreaterThanOrEqual(200);
    // Listings (from the session index, warm or fresh) agree with the session files the groups published.
    const records = await Promise.all(ids.map(async (id) => (await listing.getSession(id)) as SessionRecord));
    const byId = (left: SessionRecord, right: SessionRecord) => (left.id < right.id ? -1 : 1);
    for (const driver of [listing, new FileDriver({ directory })]) {
      expect((await driver.listSessions({ orderBy: 'createdAt', order: 'asc', limit: 100 })).sort(byId)).toEqual(records.sort(byId));
    }
  }, 60_000);
});

/** A process appending to every session at once, each in a loop, printing `ack <session> <content>` after each append returns. */
function spawnWriters(directory: string, sessionIds: string[]) {
  const child = spawnTypeScript(
    `
    import { FileDriver } from ${JSON.stringify(moduleUrl('src/drivers/file/driver.ts'))};
    import { SessionStore } from ${JSON.stringify(moduleUrl('src/index.ts'))};
    const store = SessionStore.fromDriver(new FileDriver({ directory: process.env.STORE_DIRECTORY, lockStaleMs: 2000 }));
    await Promise.all(process.env.SESSION_IDS.split(',').map(async (id) => {
      for (let index = 0; ; index += 1) {
        await store.append(id, { role: 'user', content: 'm' + index });
        console.log('ack ' + id + ' m' + index);
      }
    }));
    `,
    { STORE_DIRECTORY: directory, SESSION_IDS: sessionIds.join(',') },
  );
  const acks = () =>
    child.lines
      .filter((line) => line.startsWith('ack '))
      .map((line) => {
        const [, sessionId = '', content = ''] = line.split(' ');
        return { sessionId, content };
      });
  return { ...child, acks, acknowledged: (target: number) => whenCounted(child, () => acks().length, target) };
}
