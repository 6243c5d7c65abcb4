/**
 * Messages over the adapter: a message is stored under its id (written before the commit point),
 * and becomes part of its segment when its position entry `at~SEGMENT~SEQ` is written (after it).
 * Reads go through positions, so a message of a commit that never passed its commit point is
 * never seen, and `locateMessage` answers only for a message at its position.
 */
import type { MessageRecord, SegmentRecord } from '../../driver/driver.js';
import type { JsonValue } from '../../types.js';
import type { AdapterAccess } from './access.js';
import { keys, lastPart } from './keys.js';
import type { StoredMessage } from './plan.js';
import type { Slot } from './transaction.js';

/** Ranges at most this long are read position by position; longer ones list the segment's positions first. */
const DIRECT_RANGE = 256;
const CHUNK = 64;

export interface ReadRange {
  fromSeq: number;
  toSeq: number;
  order: 'asc' | 'desc';
  limit?: number;
}

export async function readSegmentMessages(access: AdapterAccess, segmentId: string, range: ReadRange): Promise<MessageRecord[]> {
  const limit = range.limit ?? Infinity;
  if (limit <= 0) return [];
  const seqs = await candidateSeqs(access, segmentId, Math.max(range.fromSeq, 0), range.toSeq);
  if (range.order === 'desc') seqs.reverse();
  const found: MessageRecord[] = [];
  for (let start = 0; start < seqs.length && found.length < limit; start += CHUNK) {
    const chunk = seqs.slice(start, start + CHUNK);
    const ids = await access.getMany<string>(chunk.map((seq) => keys.position(segmentId, seq)));
    const present = ids.flatMap((id, index) => (typeof id === 'string' ? [{ id, seq: chunk[index]! }] : []));
    const stored = (await access.getMany<JsonValue>(present.map(({ id }) => keys.message(id)))) as Array<StoredMessage | undefined>;
    for (const [index, entry] of stored.entries()) {
      const record = entry?.record;
      const expected = present[index]!;
      if (!record || record.segmentId !== segmentId || record.seq !== expected.seq) continue;
      found.push(record);
      if (found.length >= limit) break;
    }
  }
  return found;
}

/** The seqs to look at, ascending: the range itself when short, else the positions the segment has (up to its owner's head). */
async function candidateSeqs(access: AdapterAccess, segmentId: string, fromSeq: number, toSeq: number): Promise<number[]> {
  if (toSeq < fromSeq) return [];
  if (Number.isFinite(toSeq) && toSeq - fromSeq < DIRECT_RANGE) {
    return Array.from({ length: Math.floor(toSeq) - Math.ceil(fromSeq) + 1 }, (_, index) => Math.ceil(fromSeq) + index);
  }
  const upTo = Math.min(toSeq, await headBound(access, segmentId));
  const listed = await access.list(keys.positionsOf(segmentId));
  return listed
    .map((key) => Number(lastPart(key)))
    .filter((seq) => Number.isInteger(seq) && seq >= fromSeq && seq <= upTo)
    .sort((left, right) => left - right);
}

/**
 * The last seq readers may see in a session's head segment: its head. Positions beyond belong to a
 * commit still settling its slot. Other segments only grow while they are a head, so they are whole.
 */
async function headBound(access: AdapterAccess, segmentId: string): Promise<number> {
  const segment = (await access.get<JsonValue>(keys.segment(segmentId))) as SegmentRecord | undefined;
  if (!segment) return Infinity;
  const owner = ((await access.get<JsonValue>(keys.session(segment.sessionId))) as Slot | undefined)?.record;
  return owner && owner.headSegmentId === segmentId ? owner.messageCount : Infinity;
}

export async function locateStoredMessage(access: AdapterAccess, messageId: string): Promise<{ segmentId: string; seq: number } | undefined> {
  const stored = (await access.get<JsonValue>(keys.message(messageId))) as StoredMessage | undefined;
  if (!stored) return undefined;
  const { segmentId, seq } = stored.record;
  return (await access.get<string>(keys.position(segmentId, seq))) === messageId ? { segmentId, seq } : undefined;
}

/** Deletes a segment's messages with `seq > afterSeq` (positions first, so none is half there); returns how many. */
export async function deleteSegmentMessages(access: AdapterAccess, segmentId: string, afterSeq: number): Promise<number> {
  const positions = (await access.list(keys.positionsOf(segmentId))).filter((key) => Number(lastPart(key)) > afterSeq);
  const ids = await access.getMany<string>(positions);
  await access.deleteMany(positions);
  const messageKeys = ids.flatMap((id) => (typeof id === 'string' ? [keys.message(id)] : []));
  await access.deleteMany(messageKeys);
  return messageKeys.length;
}
