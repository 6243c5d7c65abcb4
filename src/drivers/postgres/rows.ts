/**
 * The session row as PostgreSQL lays it out: the exact record as JSON text in `record`, the only
 * column read back, and the filterable fields again in searchable form (see searchable.ts). The
 * other tables' rows are shared with SQLite (`../sql/rows.ts`).
 */
import type { SessionRecord } from '../../driver/driver.js';
import { searchableJson, searchableText, searchableTexts } from './searchable.js';

export interface SessionRow {
  record: string;
}

function optionalSearchableText(text: string | undefined): string | null {
  return text === undefined ? null : searchableText(text);
}

/** The named parameters of the session upsert (`putSession`), one per column, and the expected version. */
export function sessionParameters(record: SessionRecord, expectedVersion: number): Record<string, unknown> {
  return {
    id: record.id,
    // Filter columns hold the searchable form, like the filter values compared with them.
    userId: optionalSearchableText(record.userId),
    agentId: optionalSearchableText(record.agentId),
    workspaceId: optionalSearchableText(record.workspaceId),
    parentId: optionalSearchableText(record.parentId),
    state: record.state,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    lastActiveAt: record.lastActiveAt,
    suspendAt: record.suspendAt,
    expiresAt: record.expiresAt,
    version: record.version,
    expectedVersion,
    metadata: searchableJson(record.metadata),
    tags: searchableTexts(record.tags),
    surfaces: searchableTexts(record.attachedSurfaces),
    // JSON drops `undefined` members, which keeps absent optional fields absent; the exact
    // metadata, tags and surfaces come back from here, not from their searchable columns.
    record: JSON.stringify(record),
  };
}

export function sessionFromRow(row: SessionRow): SessionRecord {
  return JSON.parse(row.record) as SessionRecord;
}
