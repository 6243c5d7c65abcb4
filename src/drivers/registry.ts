/** From a store URL (`memory:`, `sqlite:PATH`, ...) to a driver. */
import type { StorageDriver } from '../driver/driver.js';
import { InvalidArgumentError } from '../errors.js';
import { lazyDriver } from './lazy.js';
import { MemoryDriver } from './memory.js';

export interface SqliteStoreOptions {
  /** `durable` (default): on disk before a call returns, power loss included. `relaxed`: survives a crash of the process, not of the machine. */
  durability?: 'durable' | 'relaxed';
  /** How long a writer waits for another process's write lock before failing (default 10 s). */
  busyTimeoutMs?: number;
}

export function sqliteDriver(path: string, options: SqliteStoreOptions = {}): StorageDriver & { ready(): Promise<StorageDriver> } {
  if (typeof path !== 'string' || path.length === 0) {
    throw new InvalidArgumentError({ argument: 'sqlite path', message: 'expected a file path or ":memory:".' });
  }
  return lazyDriver('sqlite', async () => {
    const { SqliteDriver } = await import('./sqlite/driver.js');
    return new SqliteDriver({ path, ...options });
  });
}

/** The driver for a store URL, ready to use (so a bad path or a missing library fails here). */
export async function driverFromUrl(url: string, options: SqliteStoreOptions = {}): Promise<StorageDriver> {
  if (typeof url !== 'string') throw new InvalidArgumentError({ argument: 'store URL', message: 'expected a string.' });
  const scheme = url.slice(0, url.indexOf(':') + 1);
  switch (scheme) {
    case 'memory:':
      return new MemoryDriver();
    case 'sqlite:': {
      const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
      const driver = sqliteDriver(path, options);
      await driver.ready();
      return driver;
    }
    default:
      throw new InvalidArgumentError({
        argument: 'store URL',
        message: `"${url}" has no supported scheme; use memory:, sqlite:PATH (file:, postgres:// and redis:// are coming).`,
      });
  }
}
