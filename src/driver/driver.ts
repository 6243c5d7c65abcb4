/**
 * The storage driver boundary. A driver stores three kinds of immutable-or-versioned records
 * and knows nothing of forks, rewinds or lifecycle: the core (src/session) builds every
 * session operation on these primitives.
 *
 * Data model (git-like): messages are immutable and live in append-only *segments*, keyed
 * `(segmentId, seq)`. A segment may start from a base `(parentId, baseSeq)`; `seq` counts
 * the position on the whole path, so a segment based at seq 40 holds seq 41, 42, ...
 * A session is a movable head: `(headSegmentId, messageCount)` plus a `version`.
 * Append inserts rows and moves the head; fork and rewind create an empty segment.
 */
import type { JsonPrimitive, SessionOrderBy, SessionState } from '../types.js';
import type { LiveRunEntry, SessionRecord, SegmentRecord, MessageRecord, OperationRecord, RunRecord, RunEventRecord, BlobRecord, CheckpointRecord } from './records.js';

export type { LiveRunEntry, SessionRecord, SegmentRecord, MessageRecord, OperationRecord, RunRecord, RunEventRecord, BlobRecord, CheckpointRecord } from './records.js';

/** A query over sessions; every field present must match. */
export interface SessionQuery {
  userId?: string;
  agentId?: string;
  workspaceId?: string;
  states?: SessionState[];
  /** Every tag must be present. */
  tags?: string[];
  /** Top-level metadata keys equal to these scalar values (JSON equality: `1` never matches `"1"`). */
  filter?: Record<string, JsonPrimitive>;
  /** `attachedSurfaces` contains this surface. */
  surfaceId?: string;
  parentId?: string;
  titlePrefix?: string; // `title` starts with it, code unit for code unit (an untitled session never matches)
  /** `suspendAt < suspendAtBefore`. */
  suspendAtBefore?: number;
  /** `expiresAt < expiresAtBefore`. */
  expiresAtBefore?: number;
  /** `updatedAt < updatedBefore`. */
  updatedBefore?: number;
  /** true: `liveRuns` is non-empty (runs in flight or awaiting approval; drivers index these few); false: empty or absent. */
  hasLiveRuns?: boolean;
  orderBy: SessionOrderBy;
  order: 'asc' | 'desc';
  /** Keyset position: only sessions strictly after `(value, id)` in the given order (ids break ties in the same direction). */
  after?: { value: number; id: string };
  limit: number;
}

/**
 * A set of writes applied all together or not at all. Each session write is a compare-and-set on
 * its version: the only atomic step the core needs from a driver.
 */
export interface WriteBatch {
  /** Put each record iff the stored session is at `expectedVersion` (0: the session must not exist yet). */
  sessions?: Array<{ record: SessionRecord; expectedVersion: number }>;
  /** Delete each session (and its operation records) iff it is at `expectedVersion`. */
  deleteSessions?: Array<{ id: string; expectedVersion: number }>;
  /** Sessions the batch reads from but does not change, which must still be at `version` (a fork's source). */
  checks?: Array<{ id: string; version: number }>;
  /** New segments; an existing id is a driver bug, not a conflict. */
  segments?: SegmentRecord[];
  /** New messages; an existing `id` fails the batch with reason `duplicate-message`. */
  messages?: MessageRecord[];
  /** New operation records; an existing `(sessionId, operationId)` fails the batch with `duplicate-operation`. */
  operations?: OperationRecord[];
  /** Runs to put (insert, or replace the run with that id). Only sent to drivers that implement the run methods. */
  runs?: RunRecord[];
  /** Run events to put; an existing `(runId, seq)` is replaced. Only sent to drivers that implement the run methods. */
  runEvents?: RunEventRecord[];
  /** Blobs to store; a hash already stored is left as it is (same hash, same bytes). Only sent to checkpoint-capable drivers. */
  blobs?: BlobRecord[];
  /** Checkpoints to put; an existing `messageId` is replaced. Only sent to checkpoint-capable drivers. */
  checkpoints?: CheckpointRecord[];
}

export type WriteConflictReason =
  | { kind: 'version'; sessionId: string; actualVersion: number | undefined }
  | { kind: 'duplicate-message'; messageId: string }
  | { kind: 'duplicate-operation'; sessionId: string; operationId: string };

/** Thrown by `commit` when a condition of the batch failed; nothing of the batch was applied. */
export class WriteConflict extends Error {
  readonly reason: WriteConflictReason;
  constructor(reason: WriteConflictReason) {
    super(`write conflict: ${reason.kind}`);
    this.name = 'WriteConflict';
    this.reason = reason;
  }
  static is(error: unknown): error is WriteConflict {
    return error instanceof Error && error.name === 'WriteConflict' && 'reason' in error;
  }
}

/**
 * The optional parts of the contract a driver implements, declared rather than guessed from which
 * methods exist: the core and every wrapper (deadline, lazy loading, fallback) read these flags.
 */
export interface DriverCapabilities {
  /** `getRun`, `listRuns`, `readRunEvents`, and `runs`/`runEvents` in batches. */
  readonly runs: boolean;
  /** `CheckpointStorage`, and `blobs`/`checkpoints` in batches. */
  readonly checkpoints: boolean;
  /** `listOperations` (without it, an export does not carry append's retry guards). */
  readonly listOperations: boolean;
  /**
   * `signalRun` and `watchRun`: a change to a run reaches its watchers in every process at once
   * (PostgreSQL LISTEN/NOTIFY, Redis pub/sub). Without it (absent means false) followers poll.
   */
  readonly runSignals?: boolean;
  /** `searchMessages`: a full-text index every commit keeps (absent or false: the core scans, see search-scan.ts). */
  readonly search?: boolean;
}

/**
 * A full-text query (capability `search`). Terms are made by `src/common/search-text.ts`: a driver
 * indexes `indexedTerms(body)` of each committed message before it answers a search (in the commit's
 * transaction, or in batches it catches up with first, as SQLite does), and forgets it with it.
 */
export interface MessageSearchQuery {
  /** All required; with `lastTermIsPrefix`, the last matches any term it begins. */
  terms: string[];
  lastTermIsPrefix: boolean;
  /** Only these positions, whoever wrote them. Without it: messages of existing sessions (of `userId`, `agentId` when given). */
  within?: Array<{ segmentId: string; fromSeq: number; toSeq: number }>;
  userId?: string;
  agentId?: string;
  offset: number;
  limit: number;
}

/** A match: best first, ties by segment id then seq (descending). `sessionId` owns the segment; a higher `score` is better. */
export interface MessageSearchHit {
  message: MessageRecord;
  sessionId: string;
  score: number;
}

/**
 * What every backend implements. All methods are async; none may hang forever (the core adds a
 * deadline). Records handed in or out are never shared with the driver's internal state.
 *
 * Errors: a driver throws `WriteConflict` when a batch's condition failed (nothing applied),
 * `StoreUnavailableError` when the backend cannot answer now (refused or lost connection, a server
 * that went away, SQLite's `SQLITE_BUSY` past its busy timeout, a file lock not acquired in time):
 * a fallback store serves from its journal on that error and only that one. A bad setting found
 * while opening is a `ConfigurationError`. Anything else (a corrupted file, a constraint the core
 * should have prevented) is thrown as it is: a bug or damage, never retried, never masked.
 */
export interface StorageDriver {
  /** A short name for errors and logs: `memory`, `sqlite`, ... */
  readonly name: string;
  /** Which optional parts of the contract this driver implements. */
  readonly capabilities: DriverCapabilities;
  /**
   * Where the data lives, without credentials (a file path, `host:port/database#prefix`), when the
   * driver knows it: a fallback store keys its journal by it, so a journal is never replayed into
   * another store.
   */
  readonly location?: string;
  /**
   * Other paths on this machine the driver keeps files in, absolute (a fallback's journal
   * directory). With a `location` that is an absolute path, they are the store's own files: a file
   * checkpoint refuses a workspace that holds them, and a scan never records them.
   */
  readonly localPaths?: readonly string[];

  /** The session record, or undefined when there is none. */
  getSession(id: string): Promise<SessionRecord | undefined>;
  /** Sessions matching the query, in its order, at most `limit`. */
  listSessions(query: SessionQuery): Promise<SessionRecord[]>;

  /** The segment, or undefined (deleted by retention or never written). */
  getSegment(id: string): Promise<SegmentRecord | undefined>;
  /** Segments owned by a session, or continuing a parent segment; in creation order. */
  listSegments(where: { sessionId: string } | { parentId: string }): Promise<SegmentRecord[]>;

  /** Messages of one segment with `fromSeq <= seq <= toSeq`, ordered by seq, at most `limit` (all when absent). */
  readMessages(
    segmentId: string,
    range: { fromSeq: number; toSeq: number; order: 'asc' | 'desc'; limit?: number },
  ): Promise<MessageRecord[]>;
  /** Where a message lives, or undefined for an unknown id. */
  locateMessage(messageId: string): Promise<{ segmentId: string; seq: number } | undefined>;

  /** The recorded result of an append with this operation id, or undefined. */
  getOperation(sessionId: string, operationId: string): Promise<OperationRecord | undefined>;

  /** Apply the batch atomically, or throw `WriteConflict` having applied nothing. */
  commit(batch: WriteBatch): Promise<void>;

  /** Delete a segment's messages with `seq > afterSeq`; returns how many were deleted. Idempotent. */
  deleteMessagesAfter(segmentId: string, afterSeq: number): Promise<number>;
  /** Delete a segment and all its messages; returns how many messages were deleted. Idempotent. */
  deleteSegment(segmentId: string): Promise<number>;

  /** Release connections and file handles. Idempotent. */
  close(): Promise<void>;

  // Runs (a capability while every driver gains it; deleting a session deletes its runs and their events).

  /** The run, or undefined. */
  getRun?(id: string): Promise<RunRecord | undefined>;
  /** The session's runs, oldest first (by `startedAt`, then id). */
  listRuns?(sessionId: string): Promise<RunRecord[]>;
  /** The run's events with `seq > afterSeq`, in seq order, at most `limit` (all when absent). */
  readRunEvents?(runId: string, range: { afterSeq: number; limit?: number }): Promise<RunEventRecord[]>;

  /**
   * Every operation record of a session, oldest first (by `createdAt`, then operation id), so an
   * export carries append's retry guards along (optional: without it they are not exported).
   */
  listOperations?(sessionId: string): Promise<OperationRecord[]>;

  // Run signals (capability `runSignals`): a wake-up call, never data. Watchers re-read the run, so
  // a lost or repeated signal costs latency, not correctness, and a follower still polls now and then.

  /** Tells every watcher of the run, in this process and others, that it changed (events, status, a cancel request). */
  signalRun?(runId: string): Promise<void>;
  /**
   * Calls `onSignal` on each signal for the run until the returned function is called. Resolves once
   * signals sent from then on are delivered (so a reader subscribed first, then read, misses none).
   */
  watchRun?(runId: string, onSignal: () => void): Promise<() => Promise<void>>;
  /**
   * Messages matching the query, in its order (capability `search`). Undefined when the driver
   * keeps no index at the moment (a SQLite file another process switched to `searchIndex: false`
   * after this one opened it): the core then answers with its scan (src/session/search-scan.ts), as
   * for a driver without the capability. A driver never answers from an index that misses messages.
   */
  searchMessages?(query: MessageSearchQuery): Promise<MessageSearchHit[] | undefined>;
}

/**
 * Checkpoints and blobs (a capability while every driver gains it). Deleting a session does not
 * delete its checkpoints: they follow the messages, which forks may still reach; retention removes
 * checkpoints whose message is gone, then blobs no checkpoint uses.
 */
export interface CheckpointStorage {
  /** The blob's bytes, or undefined. */
  getBlob(hash: string): Promise<Uint8Array | undefined>;
  /** Which of these hashes are not stored yet (so a checkpoint uploads only new content). */
  missingBlobs(hashes: string[]): Promise<string[]>;
  /** The checkpoint taken before the turn after this message, or undefined. */
  getCheckpoint(messageId: string): Promise<CheckpointRecord | undefined>;
  /** The checkpoints a session wrote, oldest first. */
  listCheckpoints(sessionId: string): Promise<CheckpointRecord[]>;
  /** Deletes checkpoints whose message no longer exists, then blobs no checkpoint uses; returns what went. Idempotent. */
  collectCheckpoints(): Promise<{ checkpoints: number; blobs: number }>;
}

export type CheckpointCapableDriver = StorageDriver & CheckpointStorage;

export function supportsCheckpoints(driver: StorageDriver): driver is CheckpointCapableDriver {
  return driver.capabilities.checkpoints;
}

/** The run methods, for drivers that have them. */
export type RunCapableDriver = StorageDriver & Required<Pick<StorageDriver, 'getRun' | 'listRuns' | 'readRunEvents'>>;

export function supportsRuns(driver: StorageDriver): driver is RunCapableDriver {
  return driver.capabilities.runs;
}

/** The run signal methods, for drivers that push run changes to other processes. */
export type RunSignalingDriver = StorageDriver & Required<Pick<StorageDriver, 'signalRun' | 'watchRun'>>;

export function supportsRunSignals(driver: StorageDriver): driver is RunSignalingDriver {
  return driver.capabilities.runSignals === true;
}

/** The order `listOperations` answers in: by `createdAt`, then operation id. */
export function compareOperations(left: OperationRecord, right: OperationRecord): number {
  return left.createdAt - right.createdAt || (left.operationId < right.operationId ? -1 : left.operationId > right.operationId ? 1 : 0);
}

/** A driver with every optional part: the whole surface a wrapper may have to forward. */
type FullDriver = Required<StorageDriver> & CheckpointStorage;
type MethodName<Type> = { [Key in keyof Type]-?: Type[Key] extends (...args: never[]) => unknown ? Key : never }[keyof Type];
export type DriverMethod = MethodName<FullDriver>;

/**
 * Every driver method and the capability it belongs to (`core`: always present). The compiler
 * checks this table against the interfaces above, both ways, so a method added to the contract
 * cannot be missed by the wrappers that forward calls (and so miss its deadline).
 */
export const DRIVER_METHODS = {
  getSession: 'core',
  listSessions: 'core',
  getSegment: 'core',
  listSegments: 'core',
  readMessages: 'core',
  locateMessage: 'core',
  getOperation: 'core',
  commit: 'core',
  deleteMessagesAfter: 'core',
  deleteSegment: 'core',
  close: 'core',
  getRun: 'runs',
  listRuns: 'runs',
  readRunEvents: 'runs',
  listOperations: 'listOperations',
  signalRun: 'runSignals',
  watchRun: 'runSignals',
  searchMessages: 'search',
  getBlob: 'checkpoints',
  missingBlobs: 'checkpoints',
  getCheckpoint: 'checkpoints',
  listCheckpoints: 'checkpoints',
  collectCheckpoints: 'checkpoints',
} as const satisfies Record<DriverMethod, 'core' | keyof DriverCapabilities>;

/** The methods a driver with these capabilities has (and a wrapper must forward). */
export function driverMethods(capabilities: DriverCapabilities): DriverMethod[] {
  return (Object.keys(DRIVER_METHODS) as DriverMethod[]).filter((method) => {
    const part = DRIVER_METHODS[method];
    return part === 'core' || capabilities[part] === true;
  });
}

/** What the built-in drivers declare (SQLite and files without `runSignals`; SQLite and PostgreSQL add `search`). */
export const ALL_CAPABILITIES: DriverCapabilities = Object.freeze({ runs: true, checkpoints: true, listOperations: true, runSignals: true });

/** Every capability but `runSignals`: drivers whose other processes learn of changes by polling (SQLite, files). */
export const POLLED_CAPABILITIES: DriverCapabilities = Object.freeze({ ...ALL_CAPABILITIES, runSignals: false });
