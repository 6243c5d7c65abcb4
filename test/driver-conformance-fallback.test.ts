/**
 * The driver conformance suite on the fallback middleware while its primary is healthy: every call
 * goes through it to a memory driver, with a memory journal that stays empty.
 */
import { FallbackDriver } from '../src/drivers/fallback/driver.js';
import { MemoryDriver } from '../src/drivers/memory.js';
import { runDriverConformance } from '../src/testing/index.js';

runDriverConformance({ name: 'fallback (healthy, over memory)', createDriver: () => new FallbackDriver(new MemoryDriver(), { fallback: 'memory' }) });
