/**
 * The durable stores the process-level tests run on, each as a URL a child process can open:
 * SQLite and file stores in a temporary directory, PostgreSQL and Redis on the servers the global
 * setup started (with a random table or key prefix, so runs never collide). Under CI=true the
 * servers are always there; locally a store whose server is missing is left out, and the global
 * setup has already printed why.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, inject } from 'vitest';

export interface DurableStore {
  name: string;
  /** A new, empty store of this kind, as a URL for `SessionStore.open`. */
  newUrl(): string;
  /** The backend's own consistency check, where it has one: throws when the store is damaged. */
  verifyIntegrity?(url: string): void;
}

export function durableStores(): DurableStore[] {
  // One directory per test file for its SQLite and file stores, removed when the file is done.
  let parent: string | undefined;
  const temporaryDirectory = () => {
    parent ??= mkdtempSync(join(tmpdir(), 'sessionloom-process-'));
    return mkdtempSync(join(parent, 'store-'));
  };
  afterAll(() => {
    if (parent !== undefined) rmSync(parent, { recursive: true, force: true });
  });
  const stores: DurableStore[] = [
    {
      name: 'sqlite',
      newUrl: () => `sqlite:${join(temporaryDirectory(), 'sessions.db')}`,
      verifyIntegrity: (url) => {
        const database = new Database(url.slice('sqlite:'.length), { readonly: true });
        try {
          const result = database.pragma('integrity_check', { simple: true });
          if (result !== 'ok') throw new Error(`SQLite integrity_check: ${String(result)}`);
        } finally {
          database.close();
        }
      },
    },
    { name: 'file', newUrl: () => `file:${join(temporaryDirectory(), 'store')}` },
  ];
  const postgresUrl = inject('postgresUrl');
  if (postgresUrl) {
    stores.push({ name: 'postgres', newUrl: () => `${postgresUrl}?tablePrefix=process_${randomUUID().slice(0, 8)}_` });
  }
  const redisUrl = inject('redisUrl');
  if (redisUrl) stores.push({ name: 'redis', newUrl: () => `${redisUrl}?keyPrefix=process:${randomUUID().slice(0, 8)}:` });
  return stores;
}
