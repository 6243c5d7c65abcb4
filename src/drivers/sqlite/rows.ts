/**
 * The session row as SQLite lays it out: metadata, tags and surfaces as JSON text in their own
 * columns (where listing looks inside them with json_each) and the rest of the record as JSON text
 * in `record`. The other tables' rows are shared with PostgreSQL (`../sql/rows.ts`).
 */
import type { MessageRecord, SessionRecord } from '../../driver/driver.js';
import { sessionRowParameters, type SessionLayout } from '../sql/rows.js';

/** The columns `SELECT`ed to rebuild a session. */
export interface SessionRow {
  metadata: string;
  tags: string;
  surfaces: string;
  record: string;
}

const layout: SessionLayout = {
  text: (text) => text,
  metadata: (metadata) => JSON.stringify(metadata),
  texts: (texts) => JSON.stringify(texts),
  // metadata, tags and surfaces live only in their own columns: an append rewrites the row, and
  // storing them twice would double the bytes written for metadata-heavy sessions. JSON drops
  // `undefined` members, which keeps absent optional fields absent.
  record: ({ metadata: _metadata, tags: _tags, attachedSurfaces: _surfaces, ...rest }) => JSON.stringify(rest),
};

/** Named parameters of the session upsert (`putSession`) and of the in-place update (`updateSession`). */
export function sessionParameters(record: SessionRecord, expectedVersion: number): Record<string, unknown> {
  return sessionRowParameters(record, expectedVersion, layout);
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

/** A message row as `selectMessageCells*` read it: seq, id, created_at, run_id, body. */
export type MessageCells = [number, string, number, string | null, string];

export function messageFromCells(segmentId: string, cells: MessageCells): MessageRecord {
  const message: MessageRecord = { id: cells[1], segmentId, seq: cells[0], createdAt: cells[2], body: cells[4] };
  if (cells[3] !== null) message.runId = cells[3];
  return message;
}
