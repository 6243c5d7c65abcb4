/**
 * Conversions between driver records and table rows. Optional fields go to NULL columns and come
 * back absent (never as `null` or `undefined` keys), so a record read back deep-equals the one written.
 */
import type { MessageRecord, OperationRecord, SegmentRecord, SessionRecord } from '../../driver/driver.js';

/** The columns `SELECT`ed to rebuild a session. */
export interface SessionRow {
  metadata: string;
  tags: string;
  surfaces: string;
  record: string;
}

export interface SegmentRow {
  id: string;
  session_id: string;
  parent_id: string | null;
  base_seq: number;
  created_at: number;
}

export interface MessageRow {
  id: string;
  segment_id: string;
  seq: number;
  created_at: number;
  run_id: string | null;
  body: string;
}

export interface OperationRow {
  session_id: string;
  operation_id: string;
  message_ids: string;
  created_at: number;
}

/** Named parameters of the session upsert. */
export function sessionParameters(record: SessionRecord, expectedVersion: number): Record<string, string | number | null> {
  // metadata, tags and surfaces live only in their own columns: an append rewrites the row,
  // and storing them twice would double the bytes written for metadata-heavy sessions.
  const { metadata, tags, attachedSurfaces, ...rest } = record;
  return {
    id: record.id,
    userId: record.userId ?? null,
    agentId: record.agentId ?? null,
    workspaceId: record.workspaceId ?? null,
    parentId: record.parentId ?? null,
    state: record.state,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    lastActiveAt: record.lastActiveAt,
    suspendAt: record.suspendAt,
    expiresAt: record.expiresAt,
    version: record.version,
    expectedVersion,
    metadata: JSON.stringify(metadata),
    tags: JSON.stringify(tags),
    surfaces: JSON.stringify(attachedSurfaces),
    // JSON drops `undefined` members, which keeps absent optional fields absent.
    record: JSON.stringify(rest),
  };
}

export function sessionFromRow(row: SessionRow): SessionRecord {
  // Assigning onto the parsed object is several times faster than spreading it into a new one,
  // and getSession is half of every append.
  const record = JSON.parse(row.record) as SessionRecord;
  record.metadata = JSON.parse(row.metadata) as SessionRecord['metadata'];
  record.tags = JSON.parse(row.tags) as string[];
  record.attachedSurfaces = JSON.parse(row.surfaces) as string[];
  return record;
}

export function segmentParameters(segment: SegmentRecord): unknown[] {
  return [segment.id, segment.sessionId, segment.parentId ?? null, segment.baseSeq, segment.createdAt];
}

export function segmentFromRow(row: SegmentRow): SegmentRecord {
  const segment: SegmentRecord = {
    id: row.id,
    sessionId: row.session_id,
    baseSeq: row.base_seq,
    createdAt: row.created_at,
  };
  if (row.parent_id !== null) segment.parentId = row.parent_id;
  return segment;
}

export function messageParameters(message: MessageRecord): unknown[] {
  return [message.segmentId, message.seq, message.id, message.createdAt, message.runId ?? null, message.body];
}

export function messageFromRow(row: MessageRow): MessageRecord {
  const message: MessageRecord = {
    id: row.id,
    segmentId: row.segment_id,
    seq: row.seq,
    createdAt: row.created_at,
    body: row.body,
  };
  if (row.run_id !== null) message.runId = row.run_id;
  return message;
}

export function operationParameters(operation: OperationRecord): unknown[] {
  return [operation.sessionId, operation.operationId, JSON.stringify(operation.messageIds), operation.createdAt];
}

export function operationFromRow(row: OperationRow): OperationRecord {
  return {
    sessionId: row.session_id,
    operationId: row.operation_id,
    messageIds: JSON.parse(row.message_ids) as string[],
    createdAt: row.created_at,
  };
}
