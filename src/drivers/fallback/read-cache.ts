/**
 * What the fallback store remembers of the primary while it is healthy, so sessions in use just
 * before an outage stay readable during it: the latest record of recently used sessions, their
 * segments (immutable), and a window of the newest messages of each recently read or written
 * segment. Bounded: least recently used entries go first.
 */
import type { DriverMethod, MessageRecord, RunRecord, SegmentRecord, SessionRecord, WriteBatch } from '../../driver/driver.js';

class LeastRecentlyUsed<Value> {
  private readonly entries = new Map<string, Value>();
  constructor(private readonly capacity: number) {}

  get(key: string): Value | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: Value): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  values(): Value[] {
    return [...this.entries.values()];
  }
}

export interface ReadCacheLimits {
  /** Sessions (and as many segments and runs) remembered. */
  sessions: number;
  /** Newest messages remembered per segment. */
  messagesPerSegment: number;
}

export class ReadCache {
  private readonly sessions: LeastRecentlyUsed<SessionRecord>;
  private readonly segments: LeastRecentlyUsed<SegmentRecord>;
  /** Per segment: messages by seq, a contiguous window ending at the newest one seen. */
  private readonly messages: LeastRecentlyUsed<Map<number, MessageRecord>>;
  private readonly locations = new Map<string, { segmentId: string; seq: number }>();
  private readonly runs: LeastRecentlyUsed<RunRecord>;

  constructor(private readonly limits: ReadCacheLimits) {
    this.sessions = new LeastRecentlyUsed(limits.sessions);
    this.segments = new LeastRecentlyUsed(limits.sessions * 4);
    this.messages = new LeastRecentlyUsed(limits.sessions * 2);
    this.runs = new LeastRecentlyUsed(limits.sessions);
  }

  session(id: string): SessionRecord | undefined {
    const record = this.sessions.get(id);
    return record && structuredClone(record);
  }

  allSessions(): SessionRecord[] {
    return this.sessions.values().map((record) => structuredClone(record));
  }

  rememberSession(record: SessionRecord): void {
    this.sessions.set(record.id, structuredClone(record));
  }

  forgetSession(id: string): void {
    this.sessions.delete(id);
  }

  segment(id: string): SegmentRecord | undefined {
    const segment = this.segments.get(id);
    return segment && { ...segment };
  }

  allSegments(): SegmentRecord[] {
    return this.segments.values().map((segment) => ({ ...segment }));
  }

  rememberSegment(segment: SegmentRecord): void {
    this.segments.set(segment.id, { ...segment });
  }

  rememberMessages(rows: MessageRecord[]): void {
    for (const row of rows) {
      let window = this.messages.get(row.segmentId);
      if (!window) {
        window = new Map();
        this.messages.set(row.segmentId, window);
      }
      window.set(row.seq, { ...row });
      this.locations.set(row.id, { segmentId: row.segmentId, seq: row.seq });
      if (window.size > this.limits.messagesPerSegment) {
        const oldestSeq = Math.min(...window.keys());
        const oldest = window.get(oldestSeq);
        window.delete(oldestSeq);
        if (oldest) this.locations.delete(oldest.id);
      }
    }
  }

  /** The remembered messages of a segment within `fromSeq..toSeq`, by seq. */
  messagesOf(segmentId: string, fromSeq: number, toSeq: number): MessageRecord[] {
    const window = this.messages.get(segmentId);
    if (!window) return [];
    return [...window.values()].filter((row) => row.seq >= fromSeq && row.seq <= toSeq).map((row) => ({ ...row }));
  }

  location(messageId: string): { segmentId: string; seq: number } | undefined {
    const location = this.locations.get(messageId);
    return location && { ...location };
  }

  /** Retention deleted the segment on the primary: its record and messages must not be served in an outage. */
  forgetSegment(id: string): void {
    this.segments.delete(id);
    this.forgetMessagesAfter(id, -1);
  }

  forgetMessagesAfter(segmentId: string, afterSeq: number): void {
    const window = this.messages.get(segmentId);
    if (!window) return;
    for (const [seq, row] of window) {
      if (seq <= afterSeq) continue;
      window.delete(seq);
      this.locations.delete(row.id);
    }
  }

  /** What a batch the primary took tells about the records it wrote. */
  rememberBatch(batch: WriteBatch): void {
    for (const { record } of batch.sessions ?? []) this.rememberSession(record);
    for (const { id } of batch.deleteSessions ?? []) this.forgetSession(id);
    for (const segment of batch.segments ?? []) this.rememberSegment(segment);
    if (batch.messages) this.rememberMessages(batch.messages);
    for (const run of batch.runs ?? []) this.rememberRun(run);
  }

  run(id: string): RunRecord | undefined {
    const run = this.runs.get(id);
    return run && structuredClone(run);
  }

  allRuns(): RunRecord[] {
    return this.runs.values().map((run) => structuredClone(run));
  }

  rememberRun(run: RunRecord): void {
    this.runs.set(run.id, structuredClone(run));
  }
}

/**
 * Remembers what a call the primary answered tells about its records: the sessions, segments,
 * newest messages and runs that were just read or written are what an outage will need first.
 */
export function learnFromPrimary(cache: ReadCache, method: DriverMethod, args: unknown[], result: unknown): void {
  switch (method) {
    case 'getSession': {
      const record = result as SessionRecord | undefined;
      if (record) cache.rememberSession(record);
      else cache.forgetSession(args[0] as string);
      return;
    }
    case 'listSessions':
      for (const record of result as SessionRecord[]) cache.rememberSession(record);
      return;
    case 'getSegment':
      if (result) cache.rememberSegment(result as SegmentRecord);
      return;
    case 'readMessages':
      cache.rememberMessages(result as MessageRecord[]);
      return;
    case 'getRun':
      if (result) cache.rememberRun(result as RunRecord);
      return;
    case 'listRuns':
      for (const run of result as RunRecord[]) cache.rememberRun(run);
      return;
    case 'commit':
      cache.rememberBatch(args[0] as WriteBatch);
      return;
    case 'deleteSegment':
      cache.forgetSegment(args[0] as string);
      return;
    case 'deleteMessagesAfter':
      cache.forgetMessagesAfter(args[0] as string, args[1] as number);
      return;
    default:
      return;
  }
}
