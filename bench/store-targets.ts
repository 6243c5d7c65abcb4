/**
 * Each store the bench measures, as a way to open an empty store on demand. Phases that need a
 * known population (the `list` phase needs exactly N sessions, the SQLite baseline an empty file)
 * ask for their own namespace: a fresh file, directory, PostgreSQL schema or Redis key prefix on
 * the same backend, so they never see the sessions other phases left behind.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { SessionStore } from '../src/index.js';
import type { StoreName } from './configuration.js';
import { startServer, type BenchServer } from './servers.js';

export interface StoreTarget {
  name: StoreName;
  /** An empty store of this kind; `namespace` is a short lowercase word unique within the run. */
  open(namespace: string): Promise<SessionStore>;
  /** The same store as a URL another process can open (absent for memory, which no other process sees). */
  url?(namespace: string): string;
  /** Stops the store's server, if it has one. */
  release(): Promise<void>;
  /** Bytes the full-text index of a namespace takes (stores with an index). */
  searchIndexBytes?(namespace: string): Promise<number>;
}

export interface SkippedStore {
  name: StoreName;
  skipped: string;
}

/** The store, ready to open; or why it cannot run on this machine. */
export async function prepareTarget(name: StoreName, directory: string): Promise<StoreTarget | SkippedStore> {
  switch (name) {
    case 'memory':
      return { name, open: async () => SessionStore.memory(), release: async () => {} };
    case 'sqlite':
      return {
        name,
        open: async (namespace) => SessionStore.sqlite(join(directory, `${namespace}.db`)),
        url: (namespace) => `sqlite:${join(directory, `${namespace}.db`)}`,
        release: async () => {},
        searchIndexBytes: async (namespace) => sqliteIndexBytes(join(directory, `${namespace}.db`)),
      };
    case 'file':
      return {
        name,
        open: async (namespace) => {
          const storeDirectory = join(directory, `file-${namespace}`);
          mkdirSync(storeDirectory, { recursive: true });
          return SessionStore.file(storeDirectory);
        },
        url: (namespace) => `file:${join(directory, `file-${namespace}`)}`,
        release: async () => {},
      };
    case 'postgres':
    case 'redis': {
      const server = await startServer(name);
      if ('missing' in server) return { name, skipped: server.missing };
      return {
        name,
        open: (namespace) => openOnServer(name, server, namespace),
        url: (namespace) => (name === 'postgres' ? `${server.url}?schema=bench_${namespace}` : `${server.url}?keyPrefix=bench:${namespace}:`),
        release: () => server.destroy(),
        ...(name === 'postgres' ? { searchIndexBytes: (namespace: string) => postgresIndexBytes(server.url, `bench_${namespace}`) } : {}),
      };
    }
  }
}

/** Namespaces on a shared server: a schema of its own (PostgreSQL), a key prefix of its own (Redis). */
async function openOnServer(name: 'postgres' | 'redis', server: BenchServer, namespace: string): Promise<SessionStore> {
  return name === 'postgres'
    ? SessionStore.postgres({ connectionString: server.url, schema: `bench_${namespace}` })
    : SessionStore.redis({ url: server.url }, { keyPrefix: `bench:${namespace}:` });
}

/** The pages of the FTS5 index's tables (dbstat counts every page a table uses); the messages' entry ids take a few bytes more. */
async function sqliteIndexBytes(path: string): Promise<number> {
  const database = new Database(path, { readonly: true });
  try {
    const row = database
      .prepare("SELECT sum(pgsize) AS bytes FROM dbstat WHERE name LIKE 'message\\_search%' ESCAPE '\\'")
      .get() as { bytes: number | null };
    return row.bytes ?? 0;
  } finally {
    database.close();
  }
}

/** The search table with its indexes and TOAST. */
async function postgresIndexBytes(url: string, schema: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query('SELECT pg_total_relation_size(to_regclass($1::text))::bigint AS bytes', [`"${schema}".sessionloom_message_search`]);
    return Number((result.rows[0] as { bytes: string }).bytes);
  } finally {
    await client.end();
  }
}
