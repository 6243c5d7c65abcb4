/**
 * The session row as PostgreSQL lays it out: the exact record as JSON text in `record`, the only
 * column read back, and the filterable fields again in searchable form (see searchable.ts), like the
 * filter values compared with them. The other tables' rows are shared with SQLite (`../sql/rows.ts`).
 */
import type { SessionRecord } from '../../driver/driver.js';
import { sessionRowParameters, type SessionLayout } from '../sql/rows.js';
import { searchableJson, searchableText, searchableTexts } from './searchable.js';

export interface SessionRow {
  record: string;
}

const layout: SessionLayout = {
  text: searchableText,
  metadata: searchableJson,
  texts: searchableTexts,
  // JSON drops `undefined` members, which keeps absent optional fields absent; the exact
  // metadata, tags and surfaces come back from here, not from their searchable columns.
  record: (record) => JSON.stringify(record),
};

/** The named parameters of the session upsert (`putSession`). */
export function sessionParameters(record: SessionRecord, expectedVersion: number): Record<string, unknown> {
  return sessionRowParameters(record, expectedVersion, layout);
}

export function sessionFromRow(row: SessionRow): SessionRecord {
  return JSON.parse(row.record) as SessionRecord;
}
