/**
 * The records a driver stores and returns (sessions, segments, messages, operations, runs and their
 * events, blobs, checkpoints): plain data, the same for every driver. The contract that moves them
 * is driver.ts.
 */
import type { Run, Session } from '../types.js';

/** A run in flight on a session, as its session record lists it (see `SessionRecord.liveRuns`). */
export interface LiveRunEntry {
  runId: string;
  /** Set by `cancelRun`, from any process: the run's writer watches for it and stops the run. */
  cancel?: { at: number; reason?: string };
}

/** A session as stored: the public session plus its head and lifecycle deadlines. */
export interface SessionRecord extends Session {
  /** The segment appends go to; `messageCount` is the head's seq within the path. */
  headSegmentId: string;
  /** `lastActiveAt + ttlMs`: after this `sweepStale` suspends an active session. */
  suspendAt: number;
  /** `suspendAt + retention`: after this `sweepStale` expires a suspended session. */
  expiresAt: number;
  /** Runs started and not finished (absent: none). Kept here so starting a run (one at a time) and asking a
   * cancel are compare-and-set writes on the session's version (the run record's one writer keeps its counts). */
  liveRuns?: LiveRunEntry[];
}

/** An append-only run of messages. Never changes once written (only deleted by retention). */
export interface SegmentRecord {
  id: string;
  /** The session that owns (writes to) the segment. */
  sessionId: string;
  /** The segment this one continues; absent for a session's first segment. */
  parentId?: string;
  /** The last seq of the parent that belongs to this segment's path (0 when there is no parent). */
  baseSeq: number;
  createdAt: number;
}

/** One stored message. `body` is the encoded message (role, content, metadata, ...), opaque to the driver. */
export interface MessageRecord {
  id: string;
  segmentId: string;
  seq: number;
  createdAt: number;
  runId?: string;
  body: string;
}

/** The result of an append made with an `operationId`, kept so that a retry appends nothing twice. */
export interface OperationRecord {
  sessionId: string;
  operationId: string;
  messageIds: string[];
  createdAt: number;
}

/** A run as stored: the public run plus how many events it has (the next event's seq is `eventCount + 1`). */
export interface RunRecord extends Omit<Run, 'lastActiveAt'> {
  /** Absent in records written before runs kept it (read as `startedAt`). */
  lastActiveAt?: number;
  eventCount: number;
}

/** One event of a run's log. `data` is encoded JSON, opaque to the driver. */
export interface RunEventRecord {
  runId: string;
  seq: number;
  type: string;
  at: number;
  data: string;
}

/** File bytes kept for checkpoints, addressed by the SHA-256 of their content (hex). */
export interface BlobRecord {
  hash: string;
  bytes: Uint8Array;
}

/**
 * What a workspace's files were before the turn that followed a message: written when the turn
 * starts, keyed by that message. `manifest` is encoded JSON, opaque to the driver; `blobHashes`
 * lists the blobs it uses, so retention can tell which blobs are still needed.
 */
export interface CheckpointRecord {
  messageId: string;
  /** The session that wrote it (deleting that session's history deletes its checkpoints). */
  sessionId: string;
  createdAt: number;
  manifest: string;
  blobHashes: string[];
}
