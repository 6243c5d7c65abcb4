/** The conformance suite on SQLite: every store object opens its own connection to one shared file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionStore } from '../src/index.js';
import { runConformanceSuite } from '../src/testing/index.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-conformance-'));
const path = join(directory, 'sessions.db');

runConformanceSuite({
  name: 'sqlite',
  createStore: (options) => SessionStore.sqlite(path, options),
  teardown: () => rmSync(directory, { recursive: true, force: true }),
});
