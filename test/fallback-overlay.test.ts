/**
 * The degraded fallback at the driver level, where batches may do what the core never asks but the
 * driver contract allows: what it knows about the origin of each record (created during the outage,
 * deleted by this process) must follow every batch, in the order a commit applies it, and survive
 * a restart that rebuilds the overlay from the journal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FallbackDriver } from '../src/drivers/fallback/driver.js';
import { MemoryDriver, StoreUnavailableError, type StorageDriver } from '../src/index.js';
import { messageRecord, segmentRecord, sessionRecord } from '../src/testing/driver/records.js';

const parent = mkdtempSync(join(tmpdir(), 'sessionloom-fallback-overlay-'));
afterAll(() => rmSync(parent, { recursive: true, force: true }));
const drivers: FallbackDriver[] = [];
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((driver) => driver.close()));
});

/** A primary every call of which fails as a server that is down. */
const down = new Proxy(new MemoryDriver(), {
  get(target, property, receiver) {
    const value = Reflect.get(target, property, receiver);
    if (typeof value !== 'function' || property === 'close') return value;
    return async () => {
      throw new StoreUnavailableError({ store: 'memory', message: 'down' });
    };
  },
}) as StorageDriver;

/** A degraded fallback, and the same one as a restarted process would rebuild it from the journal. */
function degraded(directory: string) {
  const open = () => {
    const driver = new FallbackDriver(down, { fallback: { directory }, probeIntervalMs: 60_000 });
    drivers.push(driver);
    return driver;
  };
  return { driver: open(), restart: async (driver: FallbackDriver) => (await driver.close(), open()) };
}

describe('the degraded fallback driver', () => {
  it('lets one batch delete a session it created and put one with the same id, which then exists', async () => {
    const { driver, restart } = degraded(join(parent, 'phoenix'));
    const session = sessionRecord({ metadata: { life: 1 } });
    await driver.commit({ sessions: [{ record: session, expectedVersion: 0 }], segments: [segmentRecord(session.id, { id: session.headSegmentId })] });
    const reborn = { ...session, version: 2, metadata: { life: 2 } };
    await driver.commit({ deleteSessions: [{ id: session.id, expectedVersion: 1 }], sessions: [{ record: reborn, expectedVersion: 1 }] });
    expect(await driver.getSession(session.id)).toEqual(reborn);
    expect(await (await restart(driver)).getSession(session.id)).toEqual(reborn);
  });

  it('frees the id of a message it deleted for a new one, and knows which ids are gone', async () => {
    const { driver, restart } = degraded(join(parent, 'freed'));
    const session = sessionRecord();
    const segment = segmentRecord(session.id, { id: session.headSegmentId });
    const [first, second] = [messageRecord(segment.id, 1), messageRecord(segment.id, 2)];
    await driver.commit({ sessions: [{ record: { ...session, messageCount: 2 }, expectedVersion: 0 }], segments: [segment], messages: [first!, second!] });
    expect(await driver.deleteMessagesAfter(segment.id, 1)).toBe(1);
    // Deleted here, so known to be gone: not "unavailable".
    expect(await driver.locateMessage(second!.id)).toBeUndefined();
    const again = messageRecord(segment.id, 2, { id: second!.id, body: JSON.stringify({ role: 'user', content: 'again' }) });
    await driver.commit({ sessions: [{ record: { ...session, version: 2, messageCount: 2 }, expectedVersion: 1 }], messages: [again] });
    const restarted = await restart(driver);
    expect(await restarted.locateMessage(second!.id)).toEqual({ segmentId: segment.id, seq: 2 });
    expect(await restarted.readMessages(segment.id, { fromSeq: 1, toSeq: 2, order: 'asc' })).toEqual([first, again]);
    // A segment it never held is the primary's to answer for.
    await expect(restarted.readMessages('segment-from-before', { fromSeq: 1, toSeq: 2, order: 'asc' })).rejects.toSatisfy(StoreUnavailableError.isInstance);
  });
});
