/**
 * The driver conformance suite on the record-adapter driver (`SessionStore.fromAdapter`): over an
 * in-memory map with compareAndSet, without it (single writer), and with an adapter whose
 * compareAndSet compares only the `stamp` its values carry (what the adapter contract promises is enough).
 */
import { AdapterDriver } from '../src/drivers/adapter/driver.js';
import { MapRecordAdapter } from '../src/drivers/adapter/map-adapter.js';
import { runDriverConformance } from '../src/testing/index.js';
import type { JsonValue, RecordAdapter } from '../src/index.js';

runDriverConformance({ name: 'adapter (map with compareAndSet)', createDriver: () => new AdapterDriver(new MapRecordAdapter()) });
runDriverConformance({ name: 'adapter (map, single writer)', createDriver: () => new AdapterDriver(new MapRecordAdapter({ compareAndSet: false })) });

/** An adapter over a map whose (atomic) compareAndSet looks at `stamp` alone, as a conditional write on one attribute would. */
function stampOnlyAdapter(): RecordAdapter {
  const values = new Map<string, string>();
  const stampOf = (text: string | undefined) => (text === undefined ? undefined : (JSON.parse(text) as { stamp?: unknown }).stamp);
  return {
    get: async (key) => {
      const text = values.get(key);
      return text === undefined ? undefined : (JSON.parse(text) as JsonValue);
    },
    put: async (key, value) => void values.set(key, JSON.stringify(value)),
    delete: async (key) => void values.delete(key),
    list: async (prefix) => [...values.keys()].filter((key) => key.startsWith(prefix)),
    compareAndSet: async (key, expected, value) => {
      const current = values.get(key);
      const matches = expected === undefined ? current === undefined : current !== undefined && stampOf(current) === (expected as { stamp?: unknown }).stamp;
      if (!matches) return false;
      if (value === undefined) values.delete(key);
      else values.set(key, JSON.stringify(value));
      return true;
    },
  };
}
runDriverConformance({ name: 'adapter (compareAndSet on stamp only)', createDriver: () => new AdapterDriver(stampOnlyAdapter()) });
