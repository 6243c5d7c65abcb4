/**
 * How records are written into Redis values. The Lua scripts never parse user data (a JSON
 * decoder in Lua could choke on what JavaScript wrote, and it would cost time inside the lock):
 * what a script needs is put in front of the JSON, separated by a newline, which no id contains.
 */
import type { MessageRecord, OperationRecord, RunEventRecord, RunRecord, SegmentRecord, SessionRecord } from '../../driver/driver.js';

/** `<version>\n<JSON>`: the commit script reads the version without decoding the record. */
export function encodeSession(record: SessionRecord): string {
  if (!Number.isSafeInteger(record.version) || record.version < 0) {
    throw new Error(`RedisDriver: session "${record.id}" has an invalid version ${String(record.version)}.`);
  }
  return `${record.version}\n${JSON.stringify(record)}`;
}

export function decodeSession(value: string, key: string): SessionRecord {
  return parseAfterNewline(value, key) as SessionRecord;
}

export function encodeSegment(segment: SegmentRecord): string {
  return JSON.stringify(segment);
}

export function decodeSegment(value: string, key: string): SegmentRecord {
  return parseJson(value, key) as SegmentRecord;
}

/** `<messageId>\n<JSON>`: unique per message, and deleting scripts find the id without decoding. */
export function encodeMessageMember(message: MessageRecord): string {
  return `${message.id}\n${JSON.stringify(message)}`;
}

export function decodeMessageMember(member: string, key: string): MessageRecord {
  return parseAfterNewline(member, key) as MessageRecord;
}

/** The value of a message's entry in the locations hash. */
export function encodeLocation(message: MessageRecord): string {
  return `${message.segmentId}\n${message.seq}`;
}

export function decodeLocation(value: string): { segmentId: string; seq: number } | undefined {
  const newline = value.indexOf('\n');
  const seq = Number(value.slice(newline + 1));
  if (newline <= 0 || !Number.isSafeInteger(seq)) return undefined;
  return { segmentId: value.slice(0, newline), seq };
}

export function encodeOperation(operation: OperationRecord): string {
  return JSON.stringify(operation);
}

export function decodeOperation(value: string, key: string): OperationRecord {
  return parseJson(value, key) as OperationRecord;
}

export function encodeRun(run: RunRecord): string {
  return JSON.stringify(run);
}

export function decodeRun(value: string, key: string): RunRecord {
  return parseJson(value, key) as RunRecord;
}

/** Sequence numbers are written with a fixed width so that their lexical order is their numeric order. */
const SEQ_WIDTH = 16;

function paddedSeq(seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new Error(`RedisDriver: invalid run event seq ${String(seq)}.`);
  return String(seq).padStart(SEQ_WIDTH, '0');
}

/** `<runId>\n<seq>\n<JSON>`: all events of a session in one sorted set, one run's events a lexical range. */
export function encodeRunEventMember(event: RunEventRecord): string {
  return `${event.runId}\n${paddedSeq(event.seq)}\n${JSON.stringify(event)}`;
}

export function decodeRunEventMember(member: string, key: string): RunEventRecord {
  const second = member.indexOf('\n', member.indexOf('\n') + 1);
  return parseJson(member.slice(second + 1), key) as RunEventRecord;
}

/**
 * ZRANGEBYLEX bounds for the events of `runId` with `seq >= fromSeq`. Every member of the run starts
 * with `<runId>\n`; `<runId>\x0b` (the byte after `\n`) sorts after all of them and before any
 * other run's members, since ids contain no control characters.
 */
export function runEventRange(runId: string, fromSeq: number): { min: string; max: string } {
  return { min: `[${runId}\n${paddedSeq(fromSeq)}`, max: `(${runId}\u000b` };
}

/** ZREMRANGEBYLEX bounds for exactly the event `(runId, seq)`, so a rewrite replaces it. */
export function runEventSlot(runId: string, seq: number): { min: string; max: string } {
  const start = `${runId}\n${paddedSeq(seq)}\n`;
  return { min: `[${start}`, max: `(${runId}\n${paddedSeq(seq)}\u000b` };
}

function parseAfterNewline(value: string, key: string): unknown {
  const newline = value.indexOf('\n');
  if (newline < 0) throw new Error(`RedisDriver: the value at "${key}" is damaged (no header line).`);
  return parseJson(value.slice(newline + 1), key);
}

function parseJson(value: string, key: string): unknown {
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new Error(`RedisDriver: the value at "${key}" is not valid JSON; it was changed outside sessionloom.`, { cause: error });
  }
}
