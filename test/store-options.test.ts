/** Store-wide options: checked when the store is made, and passed through by every factory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, SessionStore } from '../src/index.js';

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
