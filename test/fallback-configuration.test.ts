/**
 * A fallback store is set up right or refuses to work. Bad option values are InvalidArgumentErrors
 * naming the option, at construction, before anything is opened. A primary failing with a
 * configuration mistake (a missing client library, a bad setting) is not an outage: the fallback
 * rethrows instead of serving degraded for ever. And the SQLite journal's native module loads only
 * when a journal is opened (native-loading.test.ts runs a fallback with a memory journal where
 * better-sqlite3 is absent; here, asking for an SQLite journal there says what to do).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FallbackDriver, type FallbackOptions } from '../src/drivers/fallback/driver.js';
import { importClient, lazyDriver } from '../src/drivers/lazy.js';
import {
  ConfigurationError,
  InvalidArgumentError,
  MemoryDriver,
  SessionStore,
  StoreUnavailableError,
  type StorageDriver,
} from '../src/index.js';

const parent = mkdtempSync(join(tmpdir(), 'sessionloom-fallback-configuration-'));
afterAll(() => rmSync(parent, { recursive: true, force: true }));
const stores: SessionStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

function thrownBy(build: () => unknown): unknown {
  try {
    build();
  } catch (error) {
    return error;
  }
  throw new Error('expected the construction to throw');
}

/** A primary whose client library is not installed: the lazy driver's first call fails with ConfigurationError. */
function uninstalledPrimary(): StorageDriver {
  return lazyDriver('mongo', () => importClient('sessionloom-no-such-client-library', 'mongo'));
}

describe('fallback options', () => {
  it.each<[string, Record<string, unknown>]>([
    ['fallback', { fallback: 'in-memory' }],
    ['fallback', { fallback: { directory: '' } }],
    ['fallback', { fallback: { dir: '/tmp/journal' } }],
    ['probeIntervalMs', { probeIntervalMs: -1 }],
    ['probeIntervalMs', { probeIntervalMs: Number.NaN }],
    ['primaryDeadlineMs', { primaryDeadlineMs: 0 }],
    ['cacheSessions', { cacheSessions: 1.5 }],
    ['cacheMessagesPerSegment', { cacheMessagesPerSegment: -3 }],
    ['onFallback', { onFallback: 'log it' }],
    ['clock', { clock: 42 }],
    ['probeInterval', { probeInterval: 100 }],
  ])('refuses a bad %s at construction, naming it, and opens nothing', (option, bad) => {
    const directory = join(parent, `never-opened-${option}`);
    const error = thrownBy(() => new FallbackDriver(new MemoryDriver(), { fallback: { directory }, ...bad } as FallbackOptions));
    expect(InvalidArgumentError.isInstance(error), String(error)).toBe(true);
    expect((error as InvalidArgumentError).argument).toContain(`"${option}"`);
    expect(existsSync(directory)).toBe(false);
  });

  it('refuses them through SessionStore.fallback too', () => {
    const error = thrownBy(() => SessionStore.fallback(SessionStore.memory(), { fallback: 'in-memory' as never }));
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(String(error)).toMatch(/'sqlite', 'memory' or \{ directory: string \}/);
  });

  it('takes good values, and offers the primary\'s capabilities and location', () => {
    const primary = new MemoryDriver();
    const driver = new FallbackDriver(primary, { fallback: 'memory', probeIntervalMs: 5, primaryDeadlineMs: 1, cacheSessions: 0, cacheMessagesPerSegment: 0, clock: () => 1 });
    // All but search: the journal's messages are not in a primary's index, so a fallback store is searched by scanning.
    expect(driver.capabilities).toEqual({ ...primary.capabilities, search: false });
    expect('searchMessages' in driver).toBe(false);
    expect(driver.name).toBe('memory');
    expect(driver.status()).toMatchObject({ degraded: false, journalLength: 0, journalLocation: 'memory' });
  });
});

describe('a primary that is misconfigured', () => {
  it('is not an outage: every call rethrows its ConfigurationError and the store never goes degraded', async () => {
    const outages: unknown[] = [];
    const store = SessionStore.fallback(SessionStore.fromDriver(uninstalledPrimary()), { fallback: 'memory', onFallback: (error) => outages.push(error) });
    stores.push(store);
    for (const call of [() => store.create(), () => store.get('some-session'), () => store.list()]) {
      const error = await call().catch((caught: unknown) => caught);
      expect(ConfigurationError.isInstance(error), String(error)).toBe(true);
      expect(String(error)).toMatch(/npm install sessionloom-no-such-client-library/);
    }
    expect(store.isDegraded()).toBe(false);
    expect(outages).toEqual([]);
    expect(store.status()).toMatchObject({ degraded: false, journalLength: 0 });
  });

  it('is not an outage when it refuses a setting either (InvalidArgumentError)', async () => {
    const badSetting = new InvalidArgumentError({ argument: 'store URL', message: 'the port is not a number.' });
    const primary = lazyDriver('redis', async () => {
      throw badSetting;
    });
    const store = SessionStore.fallback(SessionStore.fromDriver(primary), { fallback: 'memory' });
    stores.push(store);
    await expect(store.create()).rejects.toBe(badSetting);
    expect(store.isDegraded()).toBe(false);
  });

  it('stops a store left degraded by an earlier run from serving, instead of serving its journal for ever', async () => {
    const directory = join(parent, 'left-by-an-earlier-run');
    // An earlier run wrote to its journal during an outage of a primary that then went away for good.
    const down = lazyDriver('mongo', async () => {
      throw new StoreUnavailableError({ store: 'mongo', message: 'connection refused' });
    });
    const earlier = SessionStore.fallback(SessionStore.fromDriver(down), { fallback: { directory }, probeIntervalMs: 60_000 });
    const session = await earlier.create();
    await earlier.append(session.id, { role: 'user', content: 'journaled' });
    expect(earlier.isDegraded()).toBe(true);
    await earlier.close();

    // Restarted over a primary whose client library is missing: the first recovery attempt finds out.
    const store = SessionStore.fallback(SessionStore.fromDriver(uninstalledPrimary()), { fallback: { directory }, probeIntervalMs: 60_000 });
    stores.push(store);
    expect(store.isDegraded()).toBe(true);
    await expect(store.recover()).rejects.toSatisfy(ConfigurationError.isInstance);
    await expect(store.get(session.id)).rejects.toSatisfy(ConfigurationError.isInstance);
    await expect(store.append(session.id, { role: 'user', content: 'refused' })).rejects.toSatisfy(ConfigurationError.isInstance);
    expect(store.status()).toMatchObject({ degraded: true, journalLength: 2 });
    expect(store.status()?.lastError).toMatch(/sessionloom-no-such-client-library/);
  });
});

describe('the SQLite journal', () => {
  it('loads better-sqlite3 only when a journal is opened, and says what to do where it is not installed', () => {
    const fallbackDirectory = fileURLToPath(new URL('../src/drivers/fallback/', import.meta.url));
    const modules = readdirSync(fallbackDirectory).filter((file) => file.endsWith('.ts')).map((file) => join(fallbackDirectory, file));
    const script = join(parent, 'without-better-sqlite3.mts');
    writeFileSync(script, childScript(modules, join(parent, 'journal')));
    // block-native.mjs makes better-sqlite3 (and the other native clients) unresolvable, by import and by require.
    const blocker = fileURLToPath(new URL('./process/block-native.mjs', import.meta.url));
    const child = spawnSync(process.execPath, ['--import', blocker, '--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
    const line = child.stdout.split('\n').find((output) => output.startsWith('result '));
    expect(line, `${child.stdout}\n${child.stderr}`).toBeDefined();
    const result = JSON.parse(line!.slice('result '.length));
    expect(result).toMatchObject({ loadedAfterImport: [], sqliteJournal: { code: 'CONFIGURATION', setting: 'better-sqlite3' }, loadedAtTheEnd: [] });
    expect(result.sqliteJournal.message).toMatch(/npm install better-sqlite3.*fallback: 'memory'/);
  });
});

/** Imports every fallback module, then asks for an SQLite journal; prints what was loaded and what the journal said. */
function childScript(modules: string[], journalDirectory: string): string {
  const driver = modules.find((file) => file.endsWith('/driver.ts'));
  return [
    "import { createRequire } from 'node:module';",
    "import { pathToFileURL } from 'node:url';",
    'const require = createRequire(import.meta.url);',
    "const loaded = () => Object.keys(require.cache).filter((path) => path.includes('better-sqlite3'));",
    'const result = {};',
    `for (const file of ${JSON.stringify(modules)}) await import(pathToFileURL(file).href);`,
    'result.loadedAfterImport = loaded();',
    `const { FallbackDriver } = await import(pathToFileURL(${JSON.stringify(driver)}).href);`,
    'const primary = { name: "memory", capabilities: { runs: false, checkpoints: false, listOperations: false } };',
    `try { new FallbackDriver(primary, { fallback: { directory: ${JSON.stringify(journalDirectory)} } }); result.sqliteJournal = 'opened'; }`,
    'catch (error) { result.sqliteJournal = { code: error.code, setting: error.setting, message: error.message }; }',
    'result.loadedAtTheEnd = loaded();',
    "console.log('result ' + JSON.stringify(result));",
  ].join('\n');
}
