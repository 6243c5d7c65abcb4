/**
 * Conversions between driver records and table rows. Optional fields go to NULL columns and come
 * back absent (never as `null` or `undefined` keys), so a record read back deep-equals the one
 * written. `bigint` columns are read with `Number()`: node-postgres returns them as strings by
 * default, and a caller's pool may have been configured to return numbers or BigInts instead
 * (the same goes for `double precision`, which pg returns as numbers unless told otherwise).
 */
import type { MessageRecord, OperationRecord, SegmentRecord, SessionRecord } from '../../driver/driver.js';
import { searchableJson, searchableText, searchableTexts } from './searchable.js';

export interface SessionRow {
  record: string;
}

export interface SegmentRow {
  id: string;
  session_id: string;
  parent_id: string | null;
  base_seq: string | number;
  created_at: string | number;
}

export interface MessageRow {
  id: string;
  segment_id: string;
  seq: string | number;
  created_at: string | number;
  run_id: string | null;
  body: string;
}

export interface OperationRow {
  session_id: string;
  operation_id: string;
  message_ids: string[];
  created_at: string | number;
}

function optionalSearchableText(text: string | undefined): string | null {
  return text === undefined ? null : searchableText(text);
}

/** Parameters $1..$16 of the session upsert, in column order. */
export function sessionParameters(record: SessionRecord): unknown[] {
  return [
    record.id,
    // Filter columns hold the searchable form, like the filter values compared with them.
    optionalSearchableText(record.userId),
    optionalSearchableText(record.agentId),
    optionalSearchableText(record.workspaceId),
    optionalSearchableText(record.parentId),
    record.state,
    record.createdAt,
    record.updatedAt,
    record.lastActiveAt,
    record.suspendAt,
    record.expiresAt,
    record.version,
    searchableJson(record.metadata),
    searchableTexts(record.tags),
    searchableTexts(record.attachedSurfaces),
    // JSON drops `undefined` members, which keeps absent optional fields absent; the exact
    // metadata, tags and surfaces come back from here, not from their searchable columns.
    JSON.stringify(record),
  ];
}

export function sessionFromRow(row: SessionRow): SessionRecord {
  return JSON.parse(row.record) as SessionRecord;
}

/** Column arrays for one multi-row `INSERT ... SELECT FROM unnest(...)`. */
export function segmentColumns(segments: readonly SegmentRecord[]): unknown[] {
  return [
    segments.map((segment) => segment.id),
    segments.map((segment) => segment.sessionId),
    segments.map((segment) => segment.parentId ?? null),
    segments.map((segment) => segment.baseSeq),
    segments.map((segment) => segment.createdAt),
  ];
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

export function messageColumns(messages: readonly MessageRecord[]): unknown[] {
  return [
    messages.map((message) => message.segmentId),
    messages.map((message) => message.seq),
    messages.map((message) => message.id),
    messages.map((message) => message.createdAt),
    messages.map((message) => message.runId ?? null),
    messages.map((message) => message.body),
  ];
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

export function operationColumns(operations: readonly OperationRecord[]): unknown[] {
  return [
    operations.map((operation) => operation.sessionId),
    operations.map((operation) => operation.operationId),
    // A text[][] parameter would have to be rectangular; JSON text is not, and is cast back in SQL.
    operations.map((operation) => JSON.stringify(operation.messageIds)),
    operations.map((operation) => operation.createdAt),
  ];
}

export function operationFromRow(row: OperationRow): OperationRecord {
  return {
    sessionId: row.session_id,
    operationId: row.operation_id,
    messageIds: [...row.message_ids],
    createdAt: Number(row.created_at),
  };
}
