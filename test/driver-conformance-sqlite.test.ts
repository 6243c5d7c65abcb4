/**
 * The driver conformance suite on SQLite: over one shared file (a new connection for every test),
 * and in `:memory:` (a fresh database for every test); and without the full-text index (its
 * search tests skip: the driver does not declare `search`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteDriver } from '../src/drivers/sqlite/driver.js';
import { runDriverConformance } from '../src/testing/index.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-driver-conformance-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

runDriverConformance({ name: 'sqlite (file)', createDriver: () => new SqliteDriver({ path: join(directory, 'shared.db') }) });
runDriverConformance({ name: 'sqlite (:memory:)', createDriver: () => new SqliteDriver({ path: ':memory:' }) });
runDriverConformance({ name: 'sqlite (searchIndex: false)', createDriver: () => new SqliteDriver({ path: ':memory:', searchIndex: false }) });
