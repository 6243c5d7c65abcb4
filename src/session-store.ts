/**
 * `SessionStore` as the package exports it: the core class (src/session/store.ts, handed a driver,
 * building none) with the store factories, `fallback`, export/import and the chat handle wired on.
 * Import `SessionStore` from here (or the package root), never from the core module directly.
 */
import './stores/factories.js';
import './stores/fallback.js';
import './stores/adapter.js';
import './transfer/store-methods.js';
import './agent/store-chat.js';

export { SessionStore, type StoreOptions, type DriverStoreOptions } from './session/store.js';
export type { OpenOptions } from './stores/factories.js';
export type { AdapterStoreOptions } from './stores/adapter.js';
