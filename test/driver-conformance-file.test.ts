/** The driver conformance suite on the file driver: a new driver object for every test, over one shared directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { FileDriver } from '../src/drivers/file/driver.js';
import { runDriverConformance } from '../src/testing/index.js';

const directory = join(mkdtempSync(join(tmpdir(), 'sessionloom-driver-conformance-')), 'store');
afterAll(() => rmSync(join(directory, '..'), { recursive: true, force: true }));

runDriverConformance({ name: 'file', createDriver: () => new FileDriver({ directory }) });
