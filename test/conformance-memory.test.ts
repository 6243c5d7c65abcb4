import { MemoryDriver, SessionStore } from '../src/index.js';
import { runConformanceSuite } from '../src/testing/index.js';

// One driver behind every store object, so sessions written through one are visible through another.
const driver = new MemoryDriver();

runConformanceSuite({
  name: 'memory',
  createStore: (options) => SessionStore.fromDriver(driver, { ...options, ownsDriver: false }),
  teardown: () => driver.close(),
});
