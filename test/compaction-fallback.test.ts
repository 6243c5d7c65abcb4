/**
 * Compaction through a fallback store: compacted while the primary answers, and while it is down
 * (journaled, then replayed on recovery); afterwards the primary reads the compacted path and the
 * whole history, as any process reading it directly would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryDriver, SessionStore, StoreUnavailableError, type StorageDriver } from '../src/index.js';

/** A driver that fails every call with StoreUnavailableError while `gate.down`. */
function gatedDriver(inner: StorageDriver) {
  const gate = { down: false };
  const driver = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'close') return value;
      return async (...args: unknown[]) => {
        if (gate.down) throw new StoreUnavailableError({ store: 'gated', message: 'the gated store is down' });
        return (value as (...callArgs: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
  return { driver, gate };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup() {
  const backend = new MemoryDriver();
  const { driver, gate } = gatedDriver(backend);
  const directory = mkdtempSync(join(tmpdir(), 'sessionloom-compaction-fallback-'));
  const store = SessionStore.fallback(SessionStore.fromDriver(driver), { fallback: { directory }, probeIntervalMs: 60_000 });
  const direct = SessionStore.fromDriver(backend, { ownsDriver: false });
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }), () => store.close());
  return { store, gate, direct };
}

const texts = (messages: Array<{ content: unknown }>) => messages.map((message) => (typeof message.content === 'string' ? message.content : JSON.stringify(message.content)));
const turns = (label: string, count: number) => Array.from({ length: count }, (_, index) => ({ role: 'user' as const, content: `${label} ${index + 1}` }));

describe('compaction through a fallback store', () => {
  it('compacts while the primary answers', async () => {
    const { store, direct } = setup();
    const session = await store.create();
    const written = await store.append(session.id, turns('before', 6));
    const result = await store.compact(session.id, { summary: 'Six turns.', keep: { lastMessages: 2 } });
    expect(result.compacted).toBe(true);
    expect(texts(await direct.getMessages(session.id)).slice(1)).toEqual(['before 5', 'before 6']);
    expect(await direct.history(session.id)).toEqual(written);
    expect((await direct.branches(session.id)).compactions).toEqual([result.compaction]);
  });

  it('compacts during an outage and replays the compaction to the primary, history intact', async () => {
    const { store, gate, direct } = setup();
    const session = await store.create();
    const before = await store.append(session.id, turns('before', 4));
    gate.down = true;
    const during = await store.append(session.id, turns('during', 2));
    const result = await store.compact(session.id, { summary: 'Four turns and two more.', keep: { lastMessages: 1 } });
    const after = await store.append(session.id, turns('after', 1));
    expect(store.isDegraded()).toBe(true);
    const path = await store.getMessages(session.id);
    expect(path[0]?.id).toBe(result.compaction?.messageId);
    expect(texts(path.slice(1))).toEqual(['during 2', 'after 1']);
    gate.down = false;
    await store.recover();
    expect(store.isDegraded()).toBe(false);
    expect(await direct.getMessages(session.id)).toEqual(path);
    expect(await direct.history(session.id)).toEqual([...before, ...during, ...after]);
    expect((await direct.branches(session.id)).compactions).toEqual([result.compaction]);
  });
});
