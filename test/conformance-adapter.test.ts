/**
 * `SessionStore.fromAdapter` passes the whole store conformance suite over an in-memory map, both
 * with compareAndSet (several writers) and without it (the single-writer rule: one process, whose
 * store objects over the same adapter are serialized).
 */
import { MapRecordAdapter, SessionStore } from '../src/index.js';
import { runConformanceSuite } from '../src/testing/index.js';

const concurrent = new MapRecordAdapter();
runConformanceSuite({
  name: 'adapter (map with compareAndSet)',
  createStore: (options) => SessionStore.fromAdapter(concurrent, options),
});

const singleWriter = new MapRecordAdapter({ compareAndSet: false });
runConformanceSuite({
  name: 'adapter (map, single writer)',
  createStore: (options) => SessionStore.fromAdapter(singleWriter, options),
});
