/** The driver conformance suite on the memory driver: a fresh, empty driver for every test. */
import { MemoryDriver } from '../src/drivers/memory.js';
import { runDriverConformance } from '../src/testing/index.js';

runDriverConformance({ name: 'memory', createDriver: () => new MemoryDriver() });
