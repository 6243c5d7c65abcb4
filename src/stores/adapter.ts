/**
 * `SessionStore.fromAdapter`, wired onto the class by the package entry: a store over any key-value
 * or document database, from a record adapter of four (or five) methods.
 */
import { AdapterDriver, type AdapterDriverOptions } from '../drivers/adapter/driver.js';
import type { RecordAdapter } from '../drivers/adapter/adapter.js';
import { SessionStore, type StoreOptions } from '../session/store.js';
import { splitStoreOptions } from './factories.js';

export type AdapterStoreOptions = StoreOptions & AdapterDriverOptions;

declare module '../session/store.js' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace SessionStore {
    /**
     * A store with every feature (fork, rewind, runs, checkpoints, lifecycle) over a record adapter:
     * `get(key)`, `put(key, value)`, `delete(key)`, `list(prefix)` and, for several processes at
     * once, `compareAndSet(key, expected, value)`. Values are JSON. Without `compareAndSet` only one
     * process may use the data at a time (its store objects are serialized for it).
     *
     * @example
     * const store = SessionStore.fromAdapter({
     *   get: async (key) => (await db.items.findOne({ key }))?.value,
     *   put: async (key, value) => { await db.items.upsert({ key, value }); },
     *   delete: async (key) => { await db.items.remove({ key }); },
     *   list: async (prefix) => (await db.items.find({ key: { startsWith: prefix } })).map((item) => item.key),
     *   compareAndSet: async (key, expected, value) => db.items.swapIf(key, expected?.stamp, value),
     * });
     */
    function fromAdapter(adapter: RecordAdapter, options?: AdapterStoreOptions): SessionStore;
  }
}

Object.assign(SessionStore, {
  fromAdapter(adapter: RecordAdapter, options: AdapterStoreOptions = {}): SessionStore {
    const [storeOptions, driverOptions] = splitStoreOptions(options);
    return SessionStore.fromDriver(new AdapterDriver(adapter, driverOptions), storeOptions);
  },
});
