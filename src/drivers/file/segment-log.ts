/**
 * Segment files: `segments/<id>.jsonl`. Line 1 is the segment record; every later line is one
 * message, in increasing seq, written once and never rewritten (only cut off by retention, or by
 * recovery when a commit was interrupted). Each message line starts with its seq and id
 * (`{"seq":12,"id":"msg_...",...}`) so they can be indexed without parsing the body.
 *
 * Each process keeps, per segment, an index from seq to byte offset, extended incrementally as
 * the file grows (see TailedFile). Appending never reads the segment; reading a range costs the
 * range: one binary search and one read of the bytes it spans.
 */
import { closeSync, openSync } from 'node:fs';
import type { MessageRecord, SegmentRecord } from '../../driver/driver.js';
import { FileCorruptionError, parseObjectLine } from './corruption.js';
import { openFlags, readSyncAt } from './durable-write.js';
import type { StoreLayout } from './layout.js';
import { TailedFile, type LineSink, type TailState } from './tailed-file.js';

/** Segment indexes kept per process; a segment read again after eviction is re-indexed from its file. */
const CACHED_SEGMENTS = 512;
/** Enough of a line to hold `{"seq":<16 digits>,"id":"<200 characters>",`. */
export const PREFIX_BYTES = 260;
export const MESSAGE_PREFIX = /^\{"seq":(\d{1,16}),"id":"([A-Za-z0-9._:@-]{1,200})",/;

export function formatSegmentHeader(segment: SegmentRecord): string {
  return `${JSON.stringify({ segment: copySegment(segment) })}\n`;
}

export function formatMessageLine(message: MessageRecord): string {
  // Key order matters: seq and id first, for the prefix the index reads.
  const line: Record<string, unknown> = { seq: message.seq, id: message.id, createdAt: message.createdAt };
  if (message.runId !== undefined) line.runId = message.runId;
  line.body = message.body;
  return `${JSON.stringify(line)}\n`;
}

/** The index of one segment file, kept up to date with the file. */
export class SegmentFile implements LineSink {
  header: SegmentRecord | undefined;
  readonly seqs: number[] = [];
  readonly ids: string[] = [];
  readonly offsets: number[] = [];
  readonly lengths: number[] = [];
  readonly tail: TailedFile;
  state: TailState = { exists: false, size: 0, consumed: 0, lineCount: 0 };

  constructor(
    readonly segmentId: string,
    readonly path: string,
  ) {
    this.tail = new TailedFile(path, this);
  }

  async refresh(): Promise<this> {
    this.state = await this.tail.refresh();
    if (this.state.exists && this.state.lineCount > 0 && !this.header) {
      throw new FileCorruptionError({ file: this.path, line: 1, reason: 'the segment record is missing' });
    }
    return this;
  }

  /** True when the file exists and holds its segment record. */
  get present(): boolean {
    return this.state.exists && this.header !== undefined;
  }

  /** Bytes after the last complete line: a write in progress, or one a crash cut short. */
  get partialTailBytes(): number {
    return this.state.size - this.state.consumed;
  }

  get lastSeq(): number {
    return this.seqs[this.seqs.length - 1] ?? this.header?.baseSeq ?? 0;
  }

  line(bytes: Buffer, offset: number, lineNumber: number): void {
    if (lineNumber === 1) {
      this.header = parseHeader(bytes.toString('utf8'), this.path, this.segmentId);
      return;
    }
    const prefix = MESSAGE_PREFIX.exec(bytes.subarray(0, PREFIX_BYTES).toString('latin1'));
    if (!prefix) throw new FileCorruptionError({ file: this.path, line: lineNumber, reason: 'not a message line' });
    const seq = Number(prefix[1]);
    if (seq <= this.lastSeq) {
      throw new FileCorruptionError({ file: this.path, line: lineNumber, reason: `seq ${seq} does not follow seq ${this.lastSeq}` });
    }
    this.seqs.push(seq);
    this.ids.push(prefix[2] as string);
    this.offsets.push(offset);
    this.lengths.push(bytes.length);
  }

  reset(): void {
    this.header = undefined;
    this.seqs.length = 0;
    this.ids.length = 0;
    this.offsets.length = 0;
    this.lengths.length = 0;
  }

  /** Position of the first message with seq >= `seq`. */
  lowerBound(seq: number): number {
    let low = 0;
    let high = this.seqs.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.seqs[middle] as number) < seq) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Messages `fromSeq..toSeq` in `order`, at most `limit`, read with one read of the bytes they span. */
  async readRange(range: { fromSeq: number; toSeq: number; order: 'asc' | 'desc'; limit?: number }): Promise<MessageRecord[]> {
    let first = this.lowerBound(range.fromSeq);
    let last = this.lowerBound(range.toSeq + 1) - 1;
    const limit = range.limit === undefined || !Number.isFinite(range.limit) ? Infinity : Math.max(0, Math.trunc(range.limit));
    if (last - first + 1 > limit) {
      if (range.order === 'asc') last = first + limit - 1;
      else first = last - limit + 1;
    }
    if (first > last) return [];
    // Copied before the read: a concurrent refresh may reset the index while this one awaits.
    const seqs = this.seqs.slice(first, last + 1);
    const ids = this.ids.slice(first, last + 1);
    const offsets = this.offsets.slice(first, last + 1);
    const lengths = this.lengths.slice(first, last + 1);
    const start = offsets[0] as number;
    const end = (offsets[offsets.length - 1] as number) + (lengths[lengths.length - 1] as number);
    const buffer = Buffer.alloc(end - start);
    const descriptor = openSync(this.path, openFlags.read);
    try {
      const bytesRead = readSyncAt(descriptor, buffer, 0, buffer.length, start);
      if (bytesRead < buffer.length) throw new Error(`FileDriver: ${this.path} became shorter while being read.`);
    } finally {
      closeSync(descriptor);
    }
    const messages: MessageRecord[] = [];
    for (let index = 0; index < seqs.length; index += 1) {
      const offset = (offsets[index] as number) - start;
      const text = buffer.toString('utf8', offset, offset + (lengths[index] as number));
      messages.push(this.parseMessage(text, { seq: seqs[index] as number, id: ids[index] as string, lineNumber: first + index + 2 }));
    }
    if (range.order === 'desc') messages.reverse();
    return messages;
  }

  private parseMessage(text: string, expected: { seq: number; id: string; lineNumber: number }): MessageRecord {
    const { lineNumber } = expected;
    const line = parseObjectLine(text, this.path, lineNumber);
    const { seq, id, createdAt, runId, body } = line;
    const valid =
      seq === expected.seq &&
      id === expected.id &&
      typeof createdAt === 'number' &&
      typeof body === 'string' &&
      (runId === undefined || typeof runId === 'string');
    if (!valid) throw new FileCorruptionError({ file: this.path, line: lineNumber, reason: 'not a message record' });
    const message: MessageRecord = { id: id as string, segmentId: this.segmentId, seq: seq as number, createdAt: createdAt as number, body: body as string };
    if (runId !== undefined) message.runId = runId as string;
    return message;
  }
}

/** The per-process cache of segment indexes. */
export class SegmentFiles {
  private readonly cache = new Map<string, SegmentFile>();

  constructor(private readonly layout: StoreLayout) {}

  /** The segment's index, brought up to date with its file (which may not exist). */
  async load(segmentId: string): Promise<SegmentFile> {
    let file = this.cache.get(segmentId);
    if (file) {
      this.cache.delete(segmentId); // re-inserted below: most recently used last
    } else {
      file = new SegmentFile(segmentId, this.layout.segmentFile(segmentId));
      if (this.cache.size >= CACHED_SEGMENTS) {
        const oldest = this.cache.keys().next();
        if (oldest.done !== true) this.cache.delete(oldest.value);
      }
    }
    this.cache.set(segmentId, file);
    return file.refresh();
  }

  /** The segment's index if this process holds one, without reading anything. */
  indexed(segmentId: string): SegmentFile | undefined {
    return this.cache.get(segmentId);
  }

  forget(segmentId: string): void {
    this.cache.delete(segmentId);
  }

  clear(): void {
    this.cache.clear();
  }
}

export function parseHeader(text: string, path: string, segmentId: string): SegmentRecord {
  const content = parseObjectLine(text, path, 1);
  const segment = content.segment as Partial<SegmentRecord> | undefined;
  const valid =
    typeof segment === 'object' &&
    segment !== null &&
    segment.id === segmentId &&
    typeof segment.sessionId === 'string' &&
    Number.isSafeInteger(segment.baseSeq) &&
    typeof segment.createdAt === 'number' &&
    (segment.parentId === undefined || typeof segment.parentId === 'string');
  if (!valid) throw new FileCorruptionError({ file: path, line: 1, reason: 'not the record of this segment' });
  return copySegment(segment as SegmentRecord);
}

/** The segment with exactly its own fields, optional ones absent rather than undefined. */
export function copySegment(segment: SegmentRecord): SegmentRecord {
  const copy: SegmentRecord = { id: segment.id, sessionId: segment.sessionId, baseSeq: segment.baseSeq, createdAt: segment.createdAt };
  if (segment.parentId !== undefined) copy.parentId = segment.parentId;
  return copy;
}
