/** The driver's declarations: a name, the capability flags, every method they promise; and `close`, which may be called twice. */
import { describe, expect, it } from 'vitest';
import { assertDriver } from '../../driver/assert-driver.js';
import type { DriverSuiteContext } from './context.js';

export function registerCapabilityTests(context: DriverSuiteContext): void {
  describe('declarations', () => {
    it('has a name, declares each capability as true or false, and has every method they promise', () => {
      const driver = context.driver();
      expect(() => assertDriver(driver)).not.toThrow();
      // runSignals and search are younger than the others: a driver written before them may leave them out.
      const declared = Object.keys(driver.capabilities).filter((name) => name !== 'runSignals' && name !== 'search');
      expect(declared.sort()).toEqual(['checkpoints', 'listOperations', 'runs']);
      expect(driver.capabilities.search === undefined || typeof driver.capabilities.search === 'boolean').toBe(true);
      if (driver.location !== undefined) expect(typeof driver.location).toBe('string');
    });

    it('closes idempotently', async () => {
      const driver = context.driver();
      await driver.close();
      await expect(driver.close()).resolves.toBeUndefined();
    });
  });
}
