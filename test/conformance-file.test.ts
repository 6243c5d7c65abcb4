/**
 * The conformance suite on the file store: every store object is a new FileDriver over one shared
 * directory, as separate processes would be, so nothing passes through a shared in-memory cache.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionStore } from '../src/index.js';
import { FileDriver } from '../src/drivers/file/driver.js';
import { runConformanceSuite } from '../src/testing/index.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-conformance-file-'));

runConformanceSuite({
  name: 'file',
  createStore: (options) => SessionStore.fromDriver(new FileDriver({ directory }), options),
  teardown: () => rmSync(directory, { recursive: true, force: true }),
});
