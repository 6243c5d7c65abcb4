/**
 * A driver whose backend is loaded on first use. Factories such as `SessionStore.sqlite(path)`
 * stay synchronous and the package never loads a database client the user does not use; a
 * missing client library surfaces as a clear error at the first call (and at `SessionStore.open`).
 */
import { CHECKPOINT_METHODS, LISTING_METHODS, RUN_METHODS, STORAGE_METHODS, type StorageDriver } from '../driver/driver.js';
import { StoreUnavailableError } from '../errors.js';



// Checkpoint methods are offered only when declared: the core asks whether a driver has the
// capability before it is loaded (`supportsCheckpoints`), and offering methods the loaded driver
// lacks would make every store look capable and fail later with a vaguer error.

export interface LazyDriverCapabilities {
  /** The loaded driver implements `CheckpointStorage`. */
  checkpoints?: boolean;
  /** Where the data lives, without credentials (see `StorageDriver.location`). */
  location?: string;
}

export function lazyDriver(
  name: string,
  load: () => Promise<StorageDriver>,
  capabilities: LazyDriverCapabilities = {},
): StorageDriver & { ready(): Promise<StorageDriver> } {
  let loaded: Promise<StorageDriver> | undefined;
  let closed = false;
  const ready = () => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined; // a later call may succeed (the directory was created, the package installed)
      throw new StoreUnavailableError({
        store: name,
        message: `Could not open the ${name} store: ${error instanceof Error ? error.message : String(error)}`,
        cause: error,
      });
    });
    return loaded;
  };
  const driver = {
    name,
    ...(capabilities.location === undefined ? {} : { location: capabilities.location }),
    ready,
    async close() {
      if (closed) return;
      closed = true;
      if (loaded) await (await loaded).close();
    },
  } as StorageDriver & { ready(): Promise<StorageDriver> };
  for (const method of [...STORAGE_METHODS, ...RUN_METHODS, ...LISTING_METHODS, ...(capabilities.checkpoints ? CHECKPOINT_METHODS : [])]) {
    (driver as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      const target = (await ready()) as unknown as Record<string, ((...callArgs: unknown[]) => Promise<unknown>) | undefined>;
      const call = target[method];
      if (call === undefined) throw new Error(`sessionloom: the ${name} store does not implement ${method}.`);
      return call.apply(target, args);
    };
  }
  return driver;
}

/** Imports an optional client library, or explains which package to install. */
export async function importClient<Module>(packageName: string, store: string): Promise<Module> {
  try {
    return (await import(packageName)) as Module;
  } catch (error) {
    throw new Error(`The ${store} store needs the "${packageName}" package: run \`npm install ${packageName}\`.`, { cause: error });
  }
}
