/**
 * The conformance suite on SQLite: every store object opens its own connection to one shared file;
 * and on a file kept without the full-text index (`searchIndex: false`), whose searches scan.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionStore } from '../src/index.js';
import { runConformanceSuite } from '../src/testing/index.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-conformance-'));
const path = join(directory, 'sessions.db');
const withoutIndexDirectory = mkdtempSync(join(tmpdir(), 'sessionloom-conformance-without-index-'));
const withoutIndex = join(withoutIndexDirectory, 'sessions.db');

runConformanceSuite({
  name: 'sqlite',
  createStore: (options) => SessionStore.sqlite(path, options),
  teardown: () => rmSync(directory, { recursive: true, force: true }),
});

runConformanceSuite({
  name: 'sqlite (searchIndex: false)',
  createStore: (options) => SessionStore.sqlite(withoutIndex, { ...options, searchIndex: false }),
  teardown: () => rmSync(withoutIndexDirectory, { recursive: true, force: true }),
});
