/**
 * A driver whose backend is loaded on first use. Factories such as `SessionStore.sqlite(path)`
 * stay synchronous and the package never loads a database client the user does not use; a
 * missing client library surfaces as a clear error at the first call (and at `SessionStore.open`).
 */
import { ALL_CAPABILITIES, driverMethods, type DriverCapabilities, type StorageDriver } from '../driver/driver.js';
import { ConfigurationError, InvalidArgumentError, StoreUnavailableError } from '../errors.js';

export interface LazyDriverOptions {
  /** What the loaded driver will implement (default: everything); offered before it is loaded. */
  capabilities?: DriverCapabilities;
  /** Where the data lives, without credentials (see `StorageDriver.location`). */
  location?: string;
}

export type LazyDriver = StorageDriver & { ready(): Promise<StorageDriver> };

export function lazyDriver(name: string, load: () => Promise<StorageDriver>, options: LazyDriverOptions = {}): LazyDriver {
  let loaded: Promise<StorageDriver> | undefined;
  let closed = false;
  const ready = () => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined; // a later call may succeed (the directory was created, the server started)
      // A setup mistake is not an outage: a fallback store must not serve degraded over it for ever.
      if (ConfigurationError.isInstance(error) || InvalidArgumentError.isInstance(error)) throw error;
      throw new StoreUnavailableError({
        store: name,
        message: `Could not open the ${name} store: ${error instanceof Error ? error.message : String(error)}`,
        cause: error,
      });
    });
    return loaded;
  };
  const capabilities = options.capabilities ?? ALL_CAPABILITIES;
  const driver: Record<string, unknown> = {
    name,
    capabilities,
    ...(options.location === undefined ? {} : { location: options.location }),
    ready,
    async close() {
      if (closed) return;
      closed = true;
      if (loaded) await (await loaded.catch(() => undefined))?.close();
    },
  };
  for (const method of driverMethods(capabilities)) {
    if (method === 'close') continue;
    driver[method] = async (...args: unknown[]) => {
      const target = (await ready()) as unknown as Record<string, (...callArgs: unknown[]) => Promise<unknown>>;
      return target[method]!.apply(target, args);
    };
  }
  return driver as unknown as LazyDriver;
}

/** Imports an optional client library, or explains which package to install. */
export async function importClient<Module>(packageName: string, store: string): Promise<Module> {
  try {
    return (await import(packageName)) as Module;
  } catch (error) {
    throw new ConfigurationError({
      setting: packageName,
      message: `The ${store} store needs the "${packageName}" package: run \`npm install ${packageName}\`.`,
      cause: error,
    });
  }
}
