/**
 * The conformance suite on the fallback middleware while its primary is down for the whole run:
 * every call the primary gets throws StoreUnavailableError, so everything the suite does lives in
 * the overlay and the SQLite journal, and must behave as any store does. Then the primary comes
 * back, and the journal of the whole run replays into it: the primary must hold what the suite left.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FallbackDriver } from '../src/drivers/fallback/driver.js';
import { NotHeldLocallyError } from '../src/drivers/fallback/not-held.js';
import type { CheckpointStorage } from '../src/driver/driver.js';
import { MemoryDriver, SessionStore, StoreUnavailableError, type StorageDriver } from '../src/index.js';
import { runConformanceSuite } from '../src/testing/index.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-conformance-degraded-'));
const backend = new MemoryDriver();
const gate = { down: true };
const primary = new Proxy(backend, {
  get(target, property, receiver) {
    const value = Reflect.get(target, property, receiver);
    if (typeof value !== 'function' || property === 'close') return value;
    return async (...args: unknown[]) => {
      if (gate.down) throw new StoreUnavailableError({ store: 'memory', message: 'the primary is down for this whole run' });
      return (value as (...callArgs: unknown[]) => Promise<unknown>).apply(target, args);
    };
  },
}) as StorageDriver;
const fallback = new FallbackDriver(primary, { fallback: { directory }, probeIntervalMs: 25 });

/**
 * This harness knows what the fallback cannot: its primary holds nothing. The suite looks up ids
 * nobody created (to see "not found"); the fallback refuses those lookups as not held locally,
 * since a primary that is down may hold them (answering "absent" for every id it never saw would
 * show existing sessions as missing during a real outage). So, for lookups by id only, this view
 * turns that refusal (StoreUnavailableError caused by NotHeldLocallyError) into what an empty store
 * answers: no record, and no segments for a session (what `delete` of an unknown id collects).
 * Every other answer, and every refusal of anything else, is the fallback's own.
 */
const LOOKUPS_BY_ID: Record<string, unknown> = { getSession: undefined, getSegment: undefined, locateMessage: undefined, getRun: undefined, listSegments: [] };
const overAnEmptyPrimary = new Proxy(fallback, {
  get(target, property, receiver) {
    const value = Reflect.get(target, property, receiver);
    if (typeof value !== 'function' || !(String(property) in LOOKUPS_BY_ID)) return value;
    return async (...args: unknown[]) => {
      try {
        return await (value as (...callArgs: unknown[]) => Promise<unknown>).apply(target, args);
      } catch (error) {
        if (StoreUnavailableError.isInstance(error) && error.cause instanceof NotHeldLocallyError) return structuredClone(LOOKUPS_BY_ID[String(property)]);
        throw error;
      }
    };
  },
});

runConformanceSuite({
  name: 'fallback, primary down for the whole run',
  createStore: (options) => SessionStore.fromDriver(overAnEmptyPrimary, { ...options, ownsDriver: false }),
});

afterAll(async () => {
  await fallback.close();
  rmSync(directory, { recursive: true, force: true });
});

const EVERY = Number.MAX_SAFE_INTEGER;

/** Everything the suite left of one session, read through a driver: records, path, retry guards (without replay markers), runs, events, checkpoints. */
async function everythingOf(driver: StorageDriver & CheckpointStorage, sessionId: string) {
  const store = SessionStore.fromDriver(driver, { ownsDriver: false });
  const runs = await driver.listRuns!(sessionId);
  return {
    record: await driver.getSession(sessionId),
    path: await store.getMessages(sessionId),
    operations: (await driver.listOperations!(sessionId)).filter((operation) => !operation.operationId.startsWith('replay.')),
    runs,
    events: await Promise.all(runs.map((run) => driver.readRunEvents!(run.id, { afterSeq: 0 }))),
    checkpoints: await driver.listCheckpoints(sessionId),
  };
}

describe('then the primary comes back', () => {
  it('takes the whole run from the journal, exactly once, each session as the suite left it', async () => {
    expect(fallback.isDegraded()).toBe(true);
    const journalLength = fallback.status().journalLength;
    expect(journalLength).toBeGreaterThan(500);
    const sessions = await fallback.listSessions({ orderBy: 'createdAt', order: 'asc', limit: EVERY });
    expect(sessions.length).toBeGreaterThan(200);
    const before = await Promise.all(sessions.map((session) => everythingOf(fallback, session.id)));

    gate.down = false;
    const report = await fallback.recover();
    // Nothing was on the primary, so nothing conflicts; seeds (none here) are the only entries not replayed.
    expect(report).toMatchObject({ entries: journalLength, conflicts: [] });
    expect(fallback.status()).toMatchObject({ degraded: false, journalLength: 0 });
    const onPrimary = await backend.listSessions({ orderBy: 'createdAt', order: 'asc', limit: EVERY });
    expect(onPrimary.map((session) => session.id).sort()).toEqual(sessions.map((session) => session.id).sort());
    const after = await Promise.all(sessions.map((session) => everythingOf(backend, session.id)));
    expect(after).toEqual(before);
  });
});
