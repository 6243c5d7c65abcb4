/**
 * Turns a `WriteBatch` into the commit script's arguments, and its answer into `WriteConflict`.
 * Keys are built here from validated ids; numbers travel as strings (exact); records travel as
 * separate ARGV values the script stores without reading.
 */
import { WriteConflict, type RunEventRecord, type WriteBatch } from '../../driver/driver.js';
import { asOptionalString, asStringArray, type RedisConnection } from './connection.js';
import { indexEntriesFor } from './indexes.js';
import { assertKeyId, type RedisKeys } from './keys.js';
import {
  encodeLocation,
  encodeMessageMember,
  encodeOperation,
  encodeRun,
  encodeRunEventMember,
  encodeSegment,
  encodeSession,
  runEventSlot,
} from './records.js';
import { COMMIT_SCRIPT } from './commit-script.js';

type Row = Array<string | number | Array<[string, string]>>;

interface CommitHeader {
  ttlMs: string;
  prefixes: RedisKeys['scriptPrefixes'];
  memberships: string;
  deadlines: string;
  runLocations: string;
  messageCursor: string;
  runCursor: string;
  checkpointIndex: string;
  unplacedCheckpoints: string;
  blobReferences: string;
  versions: Row[];
  deletes: Row[];
  sessions: Row[];
  segments: Row[];
  messages: Row[];
  operations: Row[];
  runs: Row[];
  runEvents: Row[];
  blobs: Row[];
  checkpoints: Row[];
  refresh: Row[];
}

export async function commitBatch(connection: RedisConnection, keys: RedisKeys, ttlMs: number | undefined, batch: WriteBatch): Promise<void> {
  const values: Array<string | Buffer> = [];
  // ARGV[1] is the header, so the first value is ARGV[2].
  const value = (text: string | Buffer): number => values.push(text) + 1;
  const runSessions = await sessionsOfRuns(connection, keys, batch);
  const header: CommitHeader = {
    ttlMs: ttlMs === undefined ? '' : String(ttlMs),
    prefixes: keys.scriptPrefixes,
    memberships: keys.indexMemberships,
    deadlines: keys.expiryDeadlines,
    runLocations: keys.runLocations,
    messageCursor: keys.messageLocationsScanCursor,
    runCursor: keys.runLocationsScanCursor,
    checkpointIndex: keys.checkpointIndex,
    unplacedCheckpoints: keys.unplacedCheckpoints,
    blobReferences: keys.blobReferences,
    versions: [
      ...(batch.checks ?? []).map((check) => versionRow(keys, check.id, check.version)),
      ...(batch.sessions ?? []).map((write) => versionRow(keys, write.record.id, write.expectedVersion)),
      ...(batch.deleteSessions ?? []).map((removal) => versionRow(keys, removal.id, removal.expectedVersion)),
    ],
    deletes: (batch.deleteSessions ?? []).map(({ id }) => [
      id,
      keys.session(id),
      keys.sessionOperations(id),
      keys.sessionRuns(id),
      keys.sessionRunOrder(id),
      keys.sessionRunEvents(id),
    ]),
    sessions: (batch.sessions ?? []).map(({ record }) => [
      record.id,
      keys.session(record.id),
      value(encodeSession(record)),
      indexEntriesFor(keys, record).map((entry): [string, string] => [entry.key, entry.score]),
    ]),
    segments: (batch.segments ?? []).map((segment) => [
      segment.id,
      keys.segment(segment.id),
      value(encodeSegment(segment)),
      keys.sessionSegments(segment.sessionId),
      segment.parentId === undefined ? '' : keys.segmentChildren(segment.parentId),
    ]),
    messages: (batch.messages ?? []).map((message) => {
      assertKeyId(message.id, 'message id');
      return [message.id, keys.segmentMessages(message.segmentId), seqText(message.seq), value(encodeMessageMember(message)), encodeLocation(message)];
    }),
    operations: (batch.operations ?? []).map((operation) => {
      assertKeyId(operation.operationId, 'operation id');
      return [keys.sessionOperations(operation.sessionId), operation.operationId, value(encodeOperation(operation)), operation.sessionId];
    }),
    runs: (batch.runs ?? []).map((run) => [
      run.id,
      run.sessionId,
      keys.sessionRuns(run.sessionId),
      keys.sessionRunOrder(run.sessionId),
      finiteText(run.startedAt, 'run startedAt'),
      value(encodeRun(run)),
    ]),
    runEvents: (batch.runEvents ?? []).map((event) => {
      const slot = runEventSlot(event.runId, event.seq);
      return [keys.sessionRunEvents(sessionOfEvent(runSessions, event)), slot.min, slot.max, value(encodeRunEventMember(event))];
    }),
    ...checkpointRows(keys, batch, value),
    refresh: ttlMs === undefined ? [] : [...sessionsToRefresh(batch, runSessions)].map((id) => refreshRow(keys, id)),
  };
  const reply = asStringArray(await connection.evaluate(COMMIT_SCRIPT, [keys.messageLocations], [JSON.stringify(header), ...values]));
  throwIfConflict(reply);
}

function versionRow(keys: RedisKeys, id: string, version: number): Row {
  return [keys.session(id), id, seqText(version)];
}

function refreshRow(keys: RedisKeys, id: string): Row {
  // The session's segment list must stay the fourth element: the script walks the segments from it.
  return [
    id,
    keys.session(id),
    keys.sessionOperations(id),
    keys.sessionSegments(id),
    keys.sessionRuns(id),
    keys.sessionRunOrder(id),
    keys.sessionRunEvents(id),
    keys.sessionCheckpoints(id),
  ];
}

/**
 * Blob rows carry the bytes as a Buffer value (binary-safe in ARGV); checkpoint rows carry the
 * message's segment when the batch writes the message too (the script looks up the others).
 */
function checkpointRows(keys: RedisKeys, batch: WriteBatch, value: (text: string | Buffer) => number): { blobs: Row[]; checkpoints: Row[] } {
  const segmentOfNewMessage = new Map((batch.messages ?? []).map((message) => [message.id, message.segmentId]));
  return {
    blobs: (batch.blobs ?? []).map((blob) => [blob.hash, keys.blob(blob.hash), value(Buffer.from(blob.bytes.buffer, blob.bytes.byteOffset, blob.bytes.byteLength))]),
    checkpoints: (batch.checkpoints ?? []).map((checkpoint) => {
      assertKeyId(checkpoint.messageId, 'checkpoint message id');
      for (const hash of checkpoint.blobHashes) assertKeyId(hash, 'blob hash');
      return [
        checkpoint.messageId,
        checkpoint.sessionId,
        segmentOfNewMessage.get(checkpoint.messageId) ?? '',
        checkpoint.blobHashes.join(' '),
        value(JSON.stringify(checkpoint)),
        keys.sessionCheckpoints(checkpoint.sessionId),
        finiteText(checkpoint.createdAt, 'checkpoint createdAt'),
        keys.session(checkpoint.sessionId),
      ];
    }),
  };
}

/**
 * Every session whose data the batch writes gets all its keys' expiry renewed together; a deleted
 * one does not (what is left of it, its segments, ages out unless a fork still reaches them).
 */
function sessionsToRefresh(batch: WriteBatch, runSessions: Map<string, string>): Set<string> {
  const ids = new Set<string>();
  for (const { record } of batch.sessions ?? []) ids.add(record.id);
  for (const operation of batch.operations ?? []) ids.add(operation.sessionId);
  for (const segment of batch.segments ?? []) ids.add(segment.sessionId);
  for (const sessionId of runSessions.values()) ids.add(sessionId);
  for (const { id } of batch.deleteSessions ?? []) ids.delete(id);
  return ids;
}

/** The session of every run the batch writes to; runs written by an earlier batch are looked up (a run never changes session). */
async function sessionsOfRuns(connection: RedisConnection, keys: RedisKeys, batch: WriteBatch): Promise<Map<string, string>> {
  const sessions = new Map<string, string>();
  for (const run of batch.runs ?? []) {
    assertKeyId(run.id, 'run id');
    sessions.set(run.id, run.sessionId);
  }
  const unknown = [...new Set((batch.runEvents ?? []).map((event) => event.runId))].filter((runId) => !sessions.has(runId));
  for (const runId of unknown) {
    assertKeyId(runId, 'run id');
    const sessionId = asOptionalString(await connection.call('HGET', keys.runLocations, runId));
    if (sessionId !== undefined) sessions.set(runId, sessionId);
  }
  return sessions;
}

function sessionOfEvent(runSessions: Map<string, string>, event: RunEventRecord): string {
  const sessionId = runSessions.get(event.runId);
  if (sessionId === undefined) throw new Error(`RedisDriver: events for run "${event.runId}", which does not exist.`);
  return sessionId;
}

function seqText(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`RedisDriver: expected an integer, got ${String(value)}.`);
  return String(value);
}

function finiteText(value: number, what: string): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`RedisDriver: ${what} must be a finite number, got ${String(value)}.`);
  return String(value);
}

function throwIfConflict(reply: Array<string | undefined>): void {
  const [kind, first = '', second = ''] = reply;
  switch (kind) {
    case 'ok':
      return;
    case 'version':
      throw new WriteConflict({ kind: 'version', sessionId: first, actualVersion: second === '' ? undefined : Number(second) });
    case 'duplicate-message':
      throw new WriteConflict({ kind: 'duplicate-message', messageId: first });
    case 'duplicate-operation':
      throw new WriteConflict({ kind: 'duplicate-operation', sessionId: first, operationId: second });
    case 'damaged':
      throw new Error(`RedisDriver: the session record at "${first}" is damaged (no version line); it was changed outside sessionloom.`);
    default:
      throw new Error(`RedisDriver: unexpected answer from the commit script: ${JSON.stringify(reply)}.`);
  }
}
