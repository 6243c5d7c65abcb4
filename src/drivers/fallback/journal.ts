/**
 * The fallback's journal: an ordered, durable log of what was written while the primary was down,
 * replayed to the primary on recovery. Two implementations: SQLite (sqlite-journal.ts, the default)
 * and memory (memory-journal.ts, lost with the process); open-journal.ts opens the one chosen.
 *
 * Entry kinds only ever get added: a journal an earlier version wrote (only `seed` and `batch`
 * entries, plain JSON) is read and replayed as it was.
 */
import { decodeJson, encodeJson } from '../../common/codec.js';
import type { RunRecord, SegmentRecord, SessionRecord, WriteBatch } from '../../driver/driver.js';

/** One journal entry. */
export type JournalPayload =
  /** A session from before the outage, as last seen, written to for the first time while degraded: the base replay compares with. */
  | { kind: 'seed'; session: SessionRecord; segments: SegmentRecord[] }
  /** A run from before the outage, as last seen, written to for the first time while degraded. */
  | { kind: 'seed-run'; run: RunRecord }
  /** A batch committed while degraded. */
  | { kind: 'batch'; batch: WriteBatch }
  /** Retention of a segment written during the outage. */
  | { kind: 'delete-segment'; segmentId: string }
  | { kind: 'delete-messages-after'; segmentId: string; afterSeq: number }
  /** Collection of checkpoints and blobs (prune), done on the primary when it is back. */
  | { kind: 'collect-checkpoints' };

export interface JournalEntry {
  seq: number;
  payload: JournalPayload;
  replayed: boolean;
}

export interface Journal {
  /** Identifies this journal in replay markers, so markers of two journals never collide. */
  readonly id: string;
  /** Where it is kept (`memory` for a memory journal). */
  readonly location: string;
  /** The directory its files are in, for a journal that keeps files (a workspace must never hold them). */
  readonly directory?: string;
  append(payload: JournalPayload): void;
  /** Every entry, in order, with whether it was already replayed (a replay interrupted halfway resumes). */
  entries(): JournalEntry[];
  /** Records that the entry reached the primary. */
  markReplayed(seq: number): void;
  /** Empties the journal once every entry reached the primary. */
  clear(): void;
  /** Entries not yet replayed. */
  size(): number;
  close(): void;
}

/** Entries that change nothing by themselves: they tell the replay where a session or run stood. */
export function isSeed(payload: JournalPayload): payload is Extract<JournalPayload, { kind: 'seed' | 'seed-run' }> {
  return payload.kind === 'seed' || payload.kind === 'seed-run';
}

const CODEC_PREFIX = 'sl1:';

/** The stored text of an entry: the lossless codec (batches may carry bytes), marked so it is told from plain JSON. */
export function encodePayload(payload: JournalPayload): string {
  return CODEC_PREFIX + encodeJson(payload, { argument: 'journal entry', allowRichValues: true, dropUndefinedKeys: true });
}

/** Reads an entry in either format: this version's, or the plain JSON an earlier version wrote. */
export function decodePayload(text: string): JournalPayload {
  return (text.startsWith(CODEC_PREFIX) ? decodeJson(text.slice(CODEC_PREFIX.length)) : JSON.parse(text)) as JournalPayload;
}
