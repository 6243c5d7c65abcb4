export { SessionStore, type StoreOptions, type DriverStoreOptions } from './session/store.js';
export type { SqliteStoreOptions } from './drivers/registry.js';
export {
  SessionloomError,
  SessionNotFoundError,
  MessageNotFoundError,
  SessionConflictError,
  SessionExpiredError,
  InvalidArgumentError,
  StoreUnavailableError,
  type ErrorCode,
} from './errors.js';
export type * from './types.js';
export type {
  StorageDriver,
  SessionRecord,
  SegmentRecord,
  MessageRecord,
  OperationRecord,
  SessionQuery,
  WriteBatch,
  WriteConflictReason,
} from './driver/driver.js';
export { WriteConflict } from './driver/driver.js';
export { MemoryDriver } from './drivers/memory.js';
export type { FallbackOptions, FallbackStatus } from './drivers/fallback/driver.js';
export type { ReplayReport, ReplayConflict } from './drivers/fallback/replay.js';
