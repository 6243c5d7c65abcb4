/**
 * The conformance suite on PostgreSQL 15 (the server test/global-setup.ts starts). Every store object
 * opens its own driver and pool over one set of tables, under a random prefix so that runs and other
 * test files never see each other's rows; the tables are dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, inject, it } from 'vitest';
import { PostgresDriver } from '../src/drivers/postgres/driver.js';
import { tableNames } from '../src/drivers/postgres/identifiers.js';
import { SessionStore } from '../src/index.js';
import { runConformanceSuite } from '../src/testing/index.js';

const url = inject('postgresUrl');
const tablePrefix = `conformance_${randomBytes(6).toString('hex')}_`;

async function dropTables(connectionString: string, prefix: string): Promise<void> {
  const names = tableNames('public', prefix);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(
      `DROP TABLE IF EXISTS ${names.messageSearch}, ${names.sessions}, ${names.segments}, ${names.messages}, ${names.operations}, ${names.migrations}`,
    );
  } finally {
    await client.end();
  }
}

if (url === undefined) {
  // Under CI=true the global setup fails the run instead, so this never passes silently there.
  describe.skip('sessionloom conformance: postgres (SKIPPED: no PostgreSQL server; apt-get install -y postgresql, or set SESSIONLOOM_TEST_POSTGRES_URL)', () => {
    it('needs a PostgreSQL server', () => {});
  });
} else {
  runConformanceSuite({
    name: 'postgres',
    createStore: async (options) =>
      SessionStore.fromDriver(await PostgresDriver.connect({ connectionString: url, tablePrefix }), options),
    teardown: () => dropTables(url, tablePrefix),
  });
}
