/**
 * What a batch writes, in the two phases of a commit (see commit.ts):
 *
 * - before the commit point, records nothing reaches yet: each message under its id (a claim on
 *   the id, marked with the transaction), new segments, blobs;
 * - after it (the plan, kept in the transaction record so anyone can finish it): what makes them
 *   reachable and every record that may be replaced: message positions, the index entries of
 *   segments, runs and checkpoints, operation records, runs and events, checkpoints, the deletions
 *   a deleted session takes along, and the sessions' new records.
 */
import { randomUUID } from 'node:crypto';
import type { MessageRecord, SessionRecord, WriteBatch } from '../../driver/driver.js';
import type { JsonValue } from '../../types.js';
import type { AdapterAccess } from './access.js';
import { keys, lastPart } from './keys.js';
import type { Plan, Slot } from './transaction.js';

/** A message as stored under its id: the record, and the transaction that claimed the id. */
export interface StoredMessage {
  /** Fresh on every write (what an adapter's compare-and-set may compare). */
  stamp: string;
  record: MessageRecord;
  tx: string;
}

/** A blob as stored: its bytes in base64 (written only where no blob is, so a stored hash keeps its bytes). */
export interface StoredBlob {
  stamp: string;
  base64: string;
}

/** An index entry of a segment: enough to list segments in creation order without reading them first. */
export interface SegmentEntry {
  createdAt: number;
  /** Write order, for segments created at the same time: the commit's order, then the place in its batch. */
  order: string;
}

const json = (value: unknown): JsonValue => value as JsonValue;

let commitCounter = 0;

/** A string that sorts in the order commits of this process were made (and roughly across processes, by time). */
export function commitOrder(): string {
  commitCounter = (commitCounter + 1) % 1_000_000;
  return `${Date.now().toString(36).padStart(10, '0')}${commitCounter.toString(36).padStart(4, '0')}`;
}

export function segmentWrites(batch: WriteBatch): Array<{ key: string; value: JsonValue }> {
  return (batch.segments ?? []).map((segment) => ({ key: keys.segment(segment.id), value: json(segment) }));
}

export function blobWrites(batch: WriteBatch): Array<{ key: string; value: JsonValue }> {
  return (batch.blobs ?? []).map((blob) => ({
    key: keys.blob(blob.hash),
    value: json({ stamp: randomUUID(), base64: Buffer.from(blob.bytes).toString('base64') } satisfies StoredBlob),
  }));
}

/** The plan of a batch whose conditions held against `slots` (the sessions as read, before locking). */
export async function planOf(access: AdapterAccess, batch: WriteBatch, slots: Map<string, Slot | undefined>): Promise<Plan> {
  const order = commitOrder();
  const puts: Plan['puts'] = [];
  for (const [index, segment] of (batch.segments ?? []).entries()) {
    const entry = json({ createdAt: segment.createdAt, order: `${order}${index.toString(36).padStart(4, '0')}` } satisfies SegmentEntry);
    puts.push({ key: keys.owned(segment.sessionId, segment.id), value: entry });
    if (segment.parentId !== undefined) puts.push({ key: keys.child(segment.parentId, segment.id), value: entry });
  }
  for (const message of batch.messages ?? []) puts.push({ key: keys.position(message.segmentId, message.seq), value: message.id });
  for (const operation of batch.operations ?? []) puts.push({ key: keys.operation(operation.sessionId, operation.operationId), value: json(operation) });
  for (const run of batch.runs ?? []) {
    puts.push({ key: keys.run(run.id), value: json(run) });
    puts.push({ key: keys.runOf(run.sessionId, run.id), value: true });
  }
  for (const event of batch.runEvents ?? []) puts.push({ key: keys.event(event.runId, event.seq), value: json(event) });
  for (const checkpoint of batch.checkpoints ?? []) {
    puts.push({ key: keys.checkpoint(checkpoint.messageId), value: json(checkpoint) });
    puts.push({ key: keys.checkpointOf(checkpoint.sessionId, checkpoint.messageId), value: true });
  }

  const deletes: string[] = [];
  for (const { id } of batch.deleteSessions ?? []) deletes.push(...(await recordsOfSession(access, id)));

  const sessions = new Map<string, SessionRecord | null>();
  for (const { id } of batch.checks ?? []) sessions.set(id, slots.get(id)?.record ?? null);
  for (const { id } of batch.deleteSessions ?? []) sessions.set(id, null);
  for (const { record } of batch.sessions ?? []) sessions.set(record.id, record);
  return { deletes, puts, sessions: [...sessions].map(([id, record]) => ({ id, record })) };
}

/** What deleting a session takes along: its operation records, its runs and their events (not its segments: forks may reach them). */
async function recordsOfSession(access: AdapterAccess, sessionId: string): Promise<string[]> {
  const operations = await access.list(keys.operationsOf(sessionId));
  const runEntries = await access.list(keys.runsOf(sessionId));
  const runs: string[] = [];
  for (const entry of runEntries) {
    const runId = lastPart(entry);
    runs.push(entry, keys.run(runId), ...(await access.list(keys.eventsOf(runId))));
  }
  return [...operations, ...runs];
}
