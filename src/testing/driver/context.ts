/**
 * What every topic of the driver conformance suite receives: the driver of the running test, made
 * fresh before each test and released after it, and a way to skip a test whose capability the
 * driver does not declare.
 */
import { afterEach, beforeEach } from 'vitest';
import type { CheckpointCapableDriver, DriverCapabilities, RunCapableDriver, StorageDriver } from '../../driver/driver.js';

export interface DriverConformanceOptions {
  /** Shown in the suite's title, e.g. `memory` or `mongo`. */
  name: string;
  /**
   * The driver under test, called before every test. It may open a new driver object over one
   * shared database each time (every test uses random ids and looks only at its own records), or
   * a fresh, empty one.
   */
  createDriver(): Promise<StorageDriver> | StorageDriver;
  /**
   * Releases the driver after its test; `driver.close()` when absent. A driver that owns its data
   * alone (a temporary database, a table prefix of its own) may drop it here.
   */
  destroyDriver?(driver: StorageDriver): Promise<void> | void;
}

/** The optional parts of the contract, by the flag that declares each. */
export type Capability = keyof DriverCapabilities;

/** Vitest's test context, as far as the suite uses it. */
export interface TestControls {
  skip(note?: string): never;
}

export interface DriverSuiteContext {
  /** The running test's driver. */
  driver(): StorageDriver;
  /** The running test's driver as a run-capable one; skips the test when it does not declare `runs`. */
  runDriver(test: TestControls): RunCapableDriver;
  /** The running test's driver as a checkpoint-capable one; skips the test when it does not declare `checkpoints`. */
  checkpointDriver(test: TestControls): CheckpointCapableDriver;
  /** The running test's driver with `listOperations`; skips the test when it does not declare it. */
  operationListingDriver(test: TestControls): StorageDriver & Required<Pick<StorageDriver, 'listOperations'>>;
}

/** Builds the context and registers, in the current `describe`, the hooks that make and release each test's driver. */
export function createDriverContext(options: DriverConformanceOptions): DriverSuiteContext {
  let current: StorageDriver | undefined;
  beforeEach(async () => {
    current = await options.createDriver();
  });
  afterEach(async () => {
    const driver = current;
    current = undefined;
    if (driver === undefined) return;
    if (options.destroyDriver) await options.destroyDriver(driver);
    else await driver.close();
  });
  const driver = (): StorageDriver => {
    if (current === undefined) throw new Error('runDriverConformance: createDriver did not give a driver for this test');
    return current;
  };
  const requiring = (test: TestControls, capability: Capability): StorageDriver => {
    const found = driver();
    if (!found.capabilities[capability]) test.skip(`${found.name} does not declare capabilities.${capability}`);
    return found;
  };
  return {
    driver,
    runDriver: (test) => requiring(test, 'runs') as RunCapableDriver,
    checkpointDriver: (test) => requiring(test, 'checkpoints') as CheckpointCapableDriver,
    operationListingDriver: (test) => requiring(test, 'listOperations') as StorageDriver & Required<Pick<StorageDriver, 'listOperations'>>,
  };
}
