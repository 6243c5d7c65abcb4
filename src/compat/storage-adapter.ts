/**
 * A `SessionStorage` of your own (the fourth seed's `save/load/delete/list`) as a record adapter,
 * so `createSession({ sessionStorage: new RedisSessionStorage(url) })` keeps every sessionloom
 * record in it: each record is saved as a `SessionState` whose id is the record's key
 * (`session~ID`, `message~ID`, ...) and whose `metadata.record` is the record. A storage has no
 * compare-and-set, so the single-writer rule applies: one process at a time.
 */
import type { JsonValue } from '../types.js';
import type { RecordAdapter } from '../drivers/adapter/adapter.js';
import type { SessionState, SessionStorage } from './storage-types.js';

const EMPTY_USAGE = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

export function storageAdapter(storage: SessionStorage): RecordAdapter {
  return {
    async get(key) {
      const state = await storage.load(key);
      return (state?.metadata as { record?: JsonValue } | undefined)?.record;
    },
    async put(key, value) {
      const now = Date.now();
      const state: SessionState = { id: key, messages: [], usage: { ...EMPTY_USAGE }, metadata: { record: value }, createdAt: now, updatedAt: now };
      await storage.save(state);
    },
    async delete(key) {
      await storage.delete(key);
    },
    async list(prefix) {
      return (await storage.list()).filter((key) => key.startsWith(prefix));
    },
  };
}
