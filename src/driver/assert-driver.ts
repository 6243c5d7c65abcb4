/**
 * `SessionStore.fromDriver` checks what it is handed before it wraps it, so an object that is not a
 * driver fails at once with what is missing, not later with `driver.commit is not a function`.
 */
import { ConfigurationError } from '../errors.js';
import { DRIVER_METHODS, driverMethods, type DriverCapabilities, type StorageDriver } from './driver.js';

const CAPABILITY_NAMES = ['runs', 'checkpoints', 'listOperations'] as const satisfies ReadonlyArray<keyof DriverCapabilities>;

export function assertDriver(candidate: unknown): asserts candidate is StorageDriver {
  const fail = (problem: string): never => {
    throw new ConfigurationError({
      setting: 'driver',
      message: `SessionStore.fromDriver was given something that is not a storage driver: ${problem}. See the StorageDriver interface (sessionloom's driver contract) and check your driver with runDriverConformance from 'sessionloom/testing'.`,
    });
  };
  if (typeof candidate !== 'object' || candidate === null) return fail(`expected an object, got ${candidate === null ? 'null' : typeof candidate}`);
  const driver = candidate as Record<string, unknown>;
  if (typeof driver.name !== 'string' || driver.name.length === 0) fail('it has no `name` (a short string such as "mongo")');
  const capabilities = driver.capabilities as Record<string, unknown> | undefined;
  if (typeof capabilities !== 'object' || capabilities === null) {
    fail('it declares no `capabilities` ({ runs, checkpoints, listOperations }, each true or false)');
  }
  for (const name of CAPABILITY_NAMES) {
    if (typeof capabilities![name] !== 'boolean') fail(`capabilities.${name} must be true or false`);
  }
  // Younger than the others: a driver written before it may leave it out (read as false).
  if (capabilities!.runSignals !== undefined && typeof capabilities!.runSignals !== 'boolean') fail('capabilities.runSignals must be true or false when given');
  // Optional: drivers written before search existed declare nothing and are searched by scanning.
  if (capabilities!.search !== undefined && typeof capabilities!.search !== 'boolean') fail('capabilities.search must be true, false or absent');
  const missing = driverMethods(capabilities as unknown as DriverCapabilities).filter((method) => typeof driver[method] !== 'function');
  if (missing.length > 0) {
    const described = missing.map((method) => (DRIVER_METHODS[method] === 'core' ? method : `${method} (declared by capabilities.${DRIVER_METHODS[method]})`));
    fail(`it lacks ${described.join(', ')}`);
  }
}
