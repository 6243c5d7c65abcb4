/** What every topic of the conformance suite receives: a way to open stores over the backend under test. */
import { afterEach } from 'vitest';
import type { SessionStore, StoreOptions } from '../index.js';

export interface ConformanceOptions {
  /** Shown in the suite's title, e.g. `memory` or `postgres`. */
  name: string;
  /**
   * A new store object over the SAME backend data on every call (a session created through one is
   * visible through another), with these options. Tests use random ids, so the backend may be shared
   * by every test and test file.
   */
  createStore(options: StoreOptions): Promise<SessionStore> | SessionStore;
  /** Called once after all tests. */
  teardown?(): Promise<void> | void;
}

export interface SuiteContext {
  /** Opens a store over the shared backend; every store opened during a test is closed after it. */
  open(options?: StoreOptions): Promise<SessionStore>;
}

/** Builds the context and registers, in the current `describe`, the hook that closes the test's stores. */
export function createSuiteContext(options: ConformanceOptions): SuiteContext {
  const openStores: SessionStore[] = [];
  afterEach(async () => {
    const stores = openStores.splice(0);
    await Promise.all(stores.map((store) => store.close()));
  });
  return {
    async open(storeOptions: StoreOptions = {}) {
      const store = await options.createStore(storeOptions);
      openStores.push(store);
      return store;
    },
  };
}
