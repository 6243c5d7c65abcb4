/**
 * A delete that stopped between removing the session record and collecting its segments (a crash)
 * is finished by deleting again: the orphaned history goes, and what a fork still reaches stays.
 * The crash is simulated by committing the record's removal straight to the driver, which is the
 * first of the two steps `delete` takes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StorageDriver } from '../src/driver/driver.js';
import { FileDriver } from '../src/drivers/file/driver.js';
import { MemoryDriver } from '../src/drivers/memory.js';
import { SqliteDriver } from '../src/drivers/sqlite/driver.js';
import { SessionStore } from '../src/index.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-delete-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const drivers: Array<[string, () => StorageDriver]> = [
  ['memory', () => new MemoryDriver()],
  ['sqlite', () => new SqliteDriver({ path: join(directory, `${Math.random().toString(36).slice(2)}.db`) })],
  ['file', () => new FileDriver({ directory: join(directory, Math.random().toString(36).slice(2)) })],
];

describe.each(drivers)('an interrupted delete on %s', (_name, openDriver) => {
  it('is finished by deleting again, keeping exactly what a fork still reaches', async () => {
    const driver = openDriver();
    const store = SessionStore.fromDriver(driver);
    await store.create({ id: 'source' });
    const written = await store.append('source', ['one', 'two', 'three', 'four'].map((content) => ({ role: 'user' as const, content })));
    const fork = await store.fork('source', { fromMessage: written[1]!.id });

    const record = await driver.getSession('source');
    await driver.commit({ deleteSessions: [{ id: 'source', expectedVersion: record!.version }] });
    const orphaned = await driver.listSegments({ sessionId: 'source' });
    expect(orphaned).toHaveLength(1);
    expect(await driver.readMessages(orphaned[0]!.id, { fromSeq: 1, toSeq: 4, order: 'asc' })).toHaveLength(4);

    expect(await store.delete('source')).toBe(false);
    // The fork continues the source's segment at message 2: the segment stays, cut after it.
    const remaining = await driver.listSegments({ sessionId: 'source' });
    expect(remaining.map((segment) => segment.id)).toEqual(orphaned.map((segment) => segment.id));
    expect(await driver.readMessages(orphaned[0]!.id, { fromSeq: 1, toSeq: 4, order: 'asc' })).toHaveLength(2);
    expect((await store.getMessages(fork.id)).map((message) => message.content)).toEqual(['one', 'two']);

    // Once the fork is gone too, nothing of either remains.
    expect(await store.delete(fork.id)).toBe(true);
    expect(await driver.listSegments({ sessionId: 'source' })).toEqual([]);
    expect(await driver.listSegments({ sessionId: fork.id })).toEqual([]);
    await store.close();
  });

  it('with no fork, removes every message of the orphaned session', async () => {
    const driver = openDriver();
    const store = SessionStore.fromDriver(driver);
    await store.create({ id: 'alone' });
    await store.append('alone', [{ role: 'user', content: 'hello' }]);
    const record = await driver.getSession('alone');
    const [segment] = await driver.listSegments({ sessionId: 'alone' });
    await driver.commit({ deleteSessions: [{ id: 'alone', expectedVersion: record!.version }] });

    expect(await store.delete('alone')).toBe(false);
    expect(await driver.getSegment(segment!.id)).toBeUndefined();
    expect(await driver.readMessages(segment!.id, { fromSeq: 1, toSeq: 1, order: 'asc' })).toEqual([]);
    await store.close();
  });
});
