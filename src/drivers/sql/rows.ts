/**
 * Records to table rows and back. A session row's layout is each database's choice (see
 * `sqlite/rows.ts` and `postgres/rows.ts`); only its columns are common. A row's values are in the column order of
 * `tables.ts`. Optional fields go to NULL columns and come back absent (never as `null` or
 * `undefined` keys), so a record read back deep-equals the one written. Numbers are read with
 * `Number()`: node-postgres returns `bigint` columns as strings unless its pool was told otherwise.
 */
import type {
  BlobRecord,
  CheckpointRecord,
  MessageRecord,
  OperationRecord,
  RunEventRecord,
  RunRecord,
  SegmentRecord,
  SessionRecord,
} from '../../driver/driver.js';
import type { SqlDialect } from './dialect.js';

type Numeric = string | number;

export interface SegmentRow {
  id: string;
  session_id: string;
  parent_id: string | null;
  base_seq: Numeric;
  created_at: Numeric;
}

export interface MessageRow {
  id: string;
  segment_id: string;
  seq: Numeric;
  created_at: Numeric;
  run_id: string | null;
  body: string;
}

export interface OperationRow {
  session_id: string;
  operation_id: string;
  message_ids: unknown;
  created_at: Numeric;
}

export interface RunEventRow {
  run_id: string;
  seq: Numeric;
  type: string;
  at: Numeric;
  data: string;
}

export interface CheckpointRow {
  message_id: string;
  session_id: string;
  created_at: Numeric;
  manifest: string;
  blob_hashes: unknown;
}

/** How one database stores a session: the searchable columns' form, and what goes into `record`. */
export interface SessionLayout {
  text(text: string): string;
  metadata(metadata: SessionRecord['metadata']): string;
  texts(texts: readonly string[]): unknown;
  record(record: SessionRecord): string;
}

/** The named parameters of the session upsert (`putSession`), one per column, and the expected version. */
export function sessionRowParameters(record: SessionRecord, expectedVersion: number, layout: SessionLayout): Record<string, unknown> {
  return {
    id: record.id,
    userId: record.userId === undefined ? null : layout.text(record.userId),
    agentId: record.agentId === undefined ? null : layout.text(record.agentId),
    workspaceId: record.workspaceId === undefined ? null : layout.text(record.workspaceId),
    parentId: record.parentId === undefined ? null : layout.text(record.parentId),
    state: record.state,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    lastActiveAt: record.lastActiveAt,
    suspendAt: record.suspendAt,
    expiresAt: record.expiresAt,
    version: record.version,
    expectedVersion,
    metadata: layout.metadata(record.metadata),
    tags: layout.texts(record.tags),
    surfaces: layout.texts(record.attachedSurfaces),
    record: layout.record(record),
    title: record.title === undefined ? null : layout.text(record.title),
    liveRuns: (record.liveRuns?.length ?? 0) > 0 ? record.liveRuns!.length : null,
  };
}

export function segmentValues(segment: SegmentRecord): unknown[] {
  return [segment.id, segment.sessionId, segment.parentId ?? null, segment.baseSeq, segment.createdAt];
}

export function segmentFromRow(row: SegmentRow): SegmentRecord {
  const segment: SegmentRecord = {
    id: row.id,
    sessionId: row.session_id,
    baseSeq: Number(row.base_seq),
    createdAt: Number(row.created_at),
  };
  if (row.parent_id !== null) segment.parentId = row.parent_id;
  return segment;
}

export function messageValues(message: MessageRecord): unknown[] {
  return [message.segmentId, message.seq, message.id, message.createdAt, message.runId ?? null, message.body];
}

export function messageFromRow(row: MessageRow): MessageRecord {
  const message: MessageRecord = {
    id: row.id,
    segmentId: row.segment_id,
    seq: Number(row.seq),
    createdAt: Number(row.created_at),
    body: row.body,
  };
  if (row.run_id !== null) message.runId = row.run_id;
  return message;
}

/** A list column is written as JSON text in both databases (PostgreSQL's batch arrays must be rectangular). */
export function operationValues(operation: OperationRecord): unknown[] {
  return [operation.sessionId, operation.operationId, JSON.stringify(operation.messageIds), operation.createdAt];
}

export function operationFromRow(row: OperationRow, dialect: SqlDialect): OperationRecord {
  return {
    sessionId: row.session_id,
    operationId: row.operation_id,
    messageIds: dialect.readTextList(row.message_ids),
    createdAt: Number(row.created_at),
  };
}

export function runValues(run: RunRecord): unknown[] {
  return [run.id, run.sessionId, run.startedAt, JSON.stringify(run)];
}

export function runFromRow(row: { record: string }): RunRecord {
  return JSON.parse(row.record) as RunRecord;
}

export function runEventValues(event: RunEventRecord): unknown[] {
  return [event.runId, event.seq, event.type, event.at, event.data];
}

export function runEventFromRow(row: RunEventRow): RunEventRecord {
  return { runId: row.run_id, seq: Number(row.seq), type: row.type, at: Number(row.at), data: row.data };
}

/** Bytes as a Buffer, which both clients bind as a blob; a plain Uint8Array is wrapped without copying. */
export function blobValues(blob: BlobRecord): unknown[] {
  const bytes = blob.bytes;
  return [blob.hash, Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)];
}

/** A copy, not a view of the client's buffer: records handed out are never shared. */
export function blobFromRow(row: { bytes: Uint8Array }): Uint8Array {
  return new Uint8Array(row.bytes);
}

export function checkpointValues(checkpoint: CheckpointRecord): unknown[] {
  return [checkpoint.messageId, checkpoint.sessionId, checkpoint.createdAt, checkpoint.manifest, JSON.stringify(checkpoint.blobHashes)];
}

export function checkpointFromRow(row: CheckpointRow, dialect: SqlDialect): CheckpointRecord {
  return {
    messageId: row.message_id,
    sessionId: row.session_id,
    createdAt: Number(row.created_at),
    manifest: row.manifest,
    blobHashes: dialect.readTextList(row.blob_hashes),
  };
}

/** Records as columns of their rows' values: PostgreSQL binds a batch as one array per column. */
export function columnsOf<Record>(records: readonly Record[], values: (record: Record) => unknown[]): unknown[][] {
  const rows = records.map(values);
  return (rows[0] ?? []).map((_, column) => rows.map((row) => row[column]));
}
