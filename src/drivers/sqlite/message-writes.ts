/**
 * A batch's messages into SQLite: each row at its position (segment number * 2^32 + seq,
 * message-statements.ts), in `recent_messages` until the settle moves it (recent-messages.ts), and each segment written to noted in the search backlog (search.ts),
 * from its lowest position written, for the index to catch up with (unless the file does not
 * keep the index: search-setting.ts); and each segment written to noted in memory, to be packed
 * once settled (settle.ts).
 */
import { WriteConflict, type MessageRecord } from '../../driver/driver.js';
import { SEGMENT_SPAN } from './message-statements.js';
import type { Statements } from './statements.js';

export function insertBatchMessages(
  statements: Statements,
  messages: readonly MessageRecord[],
  noteSearchBacklog: () => boolean,
  noteSegment: (number: number) => void,
): void {
  if (messages.length === 0) return;
  // The segments' numbers, read once per batch inside its transaction (so never stale): an INSERT
  // ... SELECT looking the segment up for every row cost about twice a plain insert, measured.
  const numbers = new Map<string, number>();
  /** Per segment number, the lowest position this batch wrote. */
  const backlog = new Map<number, number>();
  for (const message of messages) {
    // A message's position is its segment's number * 2^32 + seq.
    if (!Number.isSafeInteger(message.seq) || message.seq < 0 || message.seq >= SEGMENT_SPAN) {
      throw new Error(`SqliteDriver: message "${message.id}" has seq ${message.seq}; SQLite stores seqs from 0 to 2^32 - 1.`);
    }
    let number = numbers.get(message.segmentId);
    if (number === undefined) {
      const row = statements.selectSegmentNumber.get(message.segmentId) as { number: number } | undefined;
      if (row === undefined) throw new Error(`SqliteDriver: message "${message.id}" names segment "${message.segmentId}", which does not exist.`);
      number = row.number;
      numbers.set(message.segmentId, number);
      // For packing once settled (settle.ts): in memory, so the append writes nothing more.
      noteSegment(number);
    }
    const position = number * SEGMENT_SPAN + message.seq;
    insertMessage(statements, message, position);
    const lowest = backlog.get(number);
    if (lowest === undefined || position < lowest) backlog.set(number, position);
  }
  // Asked after the rows are in, inside the transaction: for a process that opened the file without
  // the index this reads the file's setting, which cannot change before the commit.
  if (!noteSearchBacklog()) return;
  for (const [number, from] of backlog) statements.noteSearchBacklog.run(number, from);
}

/**
 * Into `recent_messages` (recent-messages.ts). Its unique index refuses an id already there; one
 * already settled into `messages` is looked up first (one index probe). On a failure the id is
 * looked up in both, inside the transaction, so it also sees messages inserted earlier in this batch.
 */
function insertMessage(statements: Statements, message: MessageRecord, position: number): void {
  if (statements.selectSettledMessageId.get(message.id) !== undefined) {
    throw new WriteConflict({ kind: 'duplicate-message', messageId: message.id });
  }
  try {
    statements.insertRecentMessage.run(position, message.id, message.createdAt, message.runId ?? null, message.body);
  } catch (error) {
    if (statements.selectMessageLocation.get({ id: message.id }) !== undefined) {
      throw new WriteConflict({ kind: 'duplicate-message', messageId: message.id });
    }
    throw error;
  }
}
