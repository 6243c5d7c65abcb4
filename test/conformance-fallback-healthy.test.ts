/**
 * The conformance suite on the fallback middleware while its primary answers: every call goes
 * through routing to the primary (a memory driver, an SQLite file, and a file store), and what the suite sees
 * must be what the primary alone would give. Each store object is a fallback of its own over the
 * shared primary data, as separate processes would be. None of them may ever go degraded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FallbackDriver } from '../src/drivers/fallback/driver.js';
import { MemoryDriver, SessionStore } from '../src/index.js';
import { runConformanceSuite } from '../src/testing/index.js';

const memory = new MemoryDriver();
const outages: unknown[] = [];
const noteOutage = (error: unknown) => outages.push(error);

function expectNoOutage(): void {
  if (outages.length > 0) throw new Error(`a healthy fallback went degraded: ${String(outages[0])}`);
}

runConformanceSuite({
  name: 'fallback over memory, healthy',
  createStore: (options) =>
    SessionStore.fromDriver(
      new FallbackDriver(memory, { fallback: 'memory', onFallback: noteOutage, ...(options.clock ? { clock: options.clock } : {}) }),
      options,
    ),
  teardown: expectNoOutage,
});

/**
 * The suite on a fallback over a store opened in a directory of its own, as SessionStore.fallback
 * builds it: the primary store's driver, with an SQLite journal in that directory too.
 */
function runOverLocalStore(name: string, prefix: string, openPrimary: (directory: string) => SessionStore): void {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  runConformanceSuite({
    name,
    createStore: (options) =>
      SessionStore.fallback(openPrimary(directory), { ...options, fallback: { directory: join(directory, 'journal') }, onFallback: noteOutage }),
    teardown: () => {
      rmSync(directory, { recursive: true, force: true });
      expectNoOutage();
    },
  });
}

runOverLocalStore('fallback over sqlite, healthy', 'sessionloom-conformance-fallback-', (directory) => SessionStore.sqlite(join(directory, 'sessions.db')));
// The file store as primary: its session index (listings) seen through the fallback's routing.
runOverLocalStore('fallback over file, healthy', 'sessionloom-conformance-fallback-file-', (directory) => SessionStore.file(join(directory, 'store')));
