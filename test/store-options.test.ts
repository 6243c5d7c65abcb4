/** Store-wide options: checked when the store is made, and passed through by every factory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, MemoryDriver, SessionStore } from '../src/index.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-store-options-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('store options', () => {
  it.each([0, -1, 1.5, '60000', Number.POSITIVE_INFINITY])('refuses staleRunMs %s, naming it', (staleRunMs) => {
    let error: unknown;
    try {
      SessionStore.memory({ staleRunMs: staleRunMs as number });
    } catch (caught) {
      error = caught;
    }
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/staleRunMs/);
  });

  it('passes staleRunMs through every factory: memory, sqlite, file and open(url)', async () => {
    const stores = [
      SessionStore.memory({ staleRunMs: 8_000 }),
      SessionStore.sqlite(join(directory, 'options.db'), { staleRunMs: 8_000, durability: 'relaxed' }),
      SessionStore.file(join(directory, 'files'), { staleRunMs: 8_000 }),
      await SessionStore.open(`sqlite:${join(directory, 'opened.db')}`, { staleRunMs: 8_000 }),
    ];
    for (const store of stores) {
      expect(store.runHeartbeatMs).toBe(2_000);
      await store.close();
    }
    const defaults = SessionStore.memory();
    expect(defaults.runHeartbeatMs).toBe(150_000);
    await defaults.close();
  });
});

describe('configuration errors are typed, found at construction, and never outages', () => {
  const refusal = (make: () => unknown): { name?: string; code?: string; message: string } => {
    try {
      make();
    } catch (error) {
      return { name: (error as Error).name, code: (error as { code?: string }).code, message: (error as Error).message };
    }
    throw new Error('expected a refusal');
  };

  it('refuses an unknown store option by name (a typo is not a silent default)', () => {
    const error = refusal(() => SessionStore.sqlite(join(directory, 'typo.db'), { durabilty: 'relaxed' } as never));
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(error.message).toContain('durabilty');
    expect(refusal(() => SessionStore.memory({ ttl: 5 } as never)).message).toContain('"ttl"');
  });

  it.each([
    ['sqlite durability', () => SessionStore.sqlite(join(directory, 'bad.db'), { durability: 'sometimes' as never }), 'durability'],
    ['sqlite busyTimeoutMs', () => SessionStore.sqlite(join(directory, 'bad.db'), { busyTimeoutMs: -5 }), 'busyTimeoutMs'],
    ['file lockStaleMs', () => SessionStore.file(join(directory, 'bad-files'), { lockStaleMs: 10 }), 'lockStaleMs'],
    ['postgres with neither URL nor pool', () => SessionStore.postgres({}), 'connectionString or pool'],
    ['postgres statementTimeoutMs', () => SessionStore.postgres({ connectionString: 'postgres://x/y', statementTimeoutMs: 0 }), 'statementTimeoutMs'],
    ['redis without url or client', () => SessionStore.redis({} as never), 'url'],
    ['redis ttlSeconds', () => SessionStore.redis({ url: 'redis://127.0.0.1:1' }, { ttlSeconds: 1.5 }), 'ttlSeconds'],
  ])('refuses a bad %s at construction, without touching storage', (_name, make, named) => {
    const error = refusal(make);
    expect(error).toMatchObject({ name: 'InvalidArgumentError', code: 'INVALID_ARGUMENT' });
    expect(error.message).toContain(named);
  });

  it('refuses a malformed or unknown store URL at open, as InvalidArgumentError', async () => {
    await expect(SessionStore.open('mongo://localhost/x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(SessionStore.open('postgres://[bad')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(SessionStore.open(`sqlite:${join(directory, 'x.db')}`, { lockStaleMs: 'soon' } as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it.each([
    ['null', null, 'expected an object'],
    ['an object without capabilities', { name: 'mine', getSession: async (): Promise<undefined> => undefined }, 'capabilities'],
    [
      'a driver missing commit',
      { name: 'mine', capabilities: { runs: false, checkpoints: false, listOperations: false }, getSession: async (): Promise<undefined> => undefined },
      'commit',
    ],
  ])('fromDriver refuses %s with a ConfigurationError naming what is missing', (_name, candidate, named) => {
    const error = refusal(() => SessionStore.fromDriver(candidate as never));
    expect(error).toMatchObject({ name: 'ConfigurationError', code: 'CONFIGURATION' });
    expect(error.message).toContain(named);
  });

  it('fromDriver holds a driver to the capabilities it declares', () => {
    const driver = new MemoryDriver();
    const claimsRunsWithout = new Proxy(driver, { get: (target, property) => (property === 'listRuns' ? undefined : Reflect.get(target, property)) });
    expect(refusal(() => SessionStore.fromDriver(claimsRunsWithout)).message).toContain('listRuns (declared by capabilities.runs)');
  });
});
