/**
 * `export`: the sessions of a store (all of them in its scope, or the ones named) as export lines.
 *
 * For each session, in this order: the segments its history and rewound tails live in (ancestors
 * first, each written once per stream), their messages, its operation records (append's retry
 * guards), the session record, its runs with their
 * events, and its checkpoints after the blobs they use. A segment owned by a session that is not
 * exported (a fork's source, or a deleted one) contributes only the messages up to the fork point:
 * exporting a fork never reveals what its source said after the fork.
 */
import { supportsCheckpoints, supportsRuns, type SegmentRecord, type SessionRecord } from '../driver/driver.js';
import { assertValidId } from '../common/ids.js';
import { isReplayMarker } from '../driver/degradable.js';
import { InvalidArgumentError, SessionNotFoundError } from '../errors.js';
import type { RecordAccess } from '../session/record-access.js';
import { BLOB_PART_BYTES, blobParts } from './blob-parts.js';
import { EXPORT_FORMAT, EXPORT_VERSION, encodeLine, type RecordKind } from './format.js';

const PAGE = 500;

export interface ExportOptions {
  /** Called after each session with the count done and the total. */
  onProgress?: (progress: { sessions: number; totalSessions: number }) => void;
  /** A blob larger than this goes out as consecutive `blob-part` records (default 24 MiB; blob-parts.ts says why). */
  blobPartBytes?: number;
}

export async function* exportSessions(context: RecordAccess, ids: string[] | undefined, options: ExportOptions = {}): AsyncGenerator<string> {
  // Checked before the first line: a bad id list yields nothing rather than half a stream.
  if (ids !== undefined) {
    for (const id of ids) assertValidId(id, 'session id');
    for (const id of ids) if (!(await context.findSession(id))) throw new SessionNotFoundError({ sessionId: id });
  }
  const sessionIds = ids === undefined ? await allSessionIds(context) : [...new Set(ids)];
  const partBytes = options.blobPartBytes ?? BLOB_PART_BYTES;
  if (!Number.isSafeInteger(partBytes) || partBytes < 1) throw new InvalidArgumentError({ argument: 'blobPartBytes', message: `must be a positive integer, got ${String(partBytes)}.` });
  const stream = new ExportStream(context, partBytes);
  yield stream.line('header', { format: EXPORT_FORMAT, version: EXPORT_VERSION, createdAt: context.now(), backend: context.driver.name });
  for (const [index, sessionId] of sessionIds.entries()) {
    yield* stream.session(sessionId);
    options.onProgress?.({ sessions: index + 1, totalSessions: sessionIds.length });
  }
  yield stream.line('end', { records: stream.written });
}

/** Every session id in the store's scope, oldest first, read page by page. */
async function allSessionIds(context: RecordAccess): Promise<string[]> {
  const ids: string[] = [];
  let after: { value: number; id: string } | undefined;
  for (;;) {
    const page = await context.driver.listSessions({
      ...(context.scopeUserId === undefined ? {} : { userId: context.scopeUserId }),
      ...(after === undefined ? {} : { after }),
      orderBy: 'createdAt',
      order: 'asc',
      limit: PAGE,
    });
    ids.push(...page.map((record) => record.id));
    const last = page[page.length - 1];
    if (page.length < PAGE || !last) return ids;
    after = { value: last.createdAt, id: last.id };
  }
}

/** What one stream has written so far, so shared segments and blobs go out once. */
class ExportStream {
  written = 0;
  /** Segment id → the last seq of it already written (0: only the segment record). */
  private readonly segmentsWritten = new Map<string, number>();
  private readonly blobsWritten = new Set<string>();

  constructor(
    private readonly context: RecordAccess,
    /** Blobs larger than this go out in parts. */
    private readonly blobPartBytes: number,
  ) {}

  line(kind: RecordKind, data: unknown): string {
    this.written += 1;
    return encodeLine(kind, data);
  }

  async *session(sessionId: string): AsyncGenerator<string> {
    const { driver } = this.context;
    const record = await this.context.findSession(sessionId);
    if (!record) return; // deleted since the list was read
    for (const { segment, upToSeq } of await this.segmentsOf(record)) {
      let writtenUpTo = this.segmentsWritten.get(segment.id);
      if (writtenUpTo === undefined) {
        yield this.line('segment', segment);
        writtenUpTo = segment.baseSeq;
      }
      while (writtenUpTo < upToSeq) {
        const page = await driver.readMessages(segment.id, { fromSeq: writtenUpTo + 1, toSeq: upToSeq, order: 'asc', limit: PAGE });
        for (const message of page) yield this.line('message', message);
        const last = page[page.length - 1];
        if (page.length < PAGE || !last) {
          writtenUpTo = upToSeq;
          break;
        }
        writtenUpTo = last.seq;
      }
      this.segmentsWritten.set(segment.id, writtenUpTo);
    }
    // Before the record, so the importing store writes them in the session's own batch. A fallback's
    // replay markers are its own bookkeeping, not the caller's operations: they stay behind.
    if (driver.capabilities.listOperations) {
      for (const operation of await driver.listOperations!(sessionId)) if (!isReplayMarker(operation.operationId)) yield this.line('operation', operation);
    }
    // Which runs are in flight (and asked to stop) is live state of this store, not history.
    const { liveRuns: _liveRuns, ...exported } = record;
    yield this.line('session', exported);
    if (supportsRuns(driver)) {
      for (const run of await driver.listRuns(sessionId)) {
        yield this.line('run', run);
        for (let afterSeq = 0; ; ) {
          const events = await driver.readRunEvents(run.id, { afterSeq, limit: PAGE });
          for (const event of events) yield this.line('run-event', event);
          const last = events[events.length - 1];
          if (events.length < PAGE || !last) break;
          afterSeq = last.seq;
        }
      }
    }
    if (supportsCheckpoints(driver)) {
      for (const checkpoint of await driver.listCheckpoints(sessionId)) {
        for (const hash of checkpoint.blobHashes) {
          if (this.blobsWritten.has(hash)) continue;
          const bytes = await driver.getBlob(hash);
          if (!bytes) continue; // collected meanwhile; the import keeps the checkpoint as the store had it
          this.blobsWritten.add(hash);
          if (bytes.length <= this.blobPartBytes) yield this.line('blob', { hash, base64: Buffer.from(bytes).toString('base64') });
          else for (const part of blobParts(hash, bytes, this.blobPartBytes)) yield this.line('blob-part', part);
        }
        yield this.line('checkpoint', checkpoint);
      }
    }
  }

  /**
   * The segments a session needs, ancestors first: its own in full (path and rewound tails), and
   * the segments of others its own ones continue, each up to the furthest point continued.
   */
  private async segmentsOf(record: SessionRecord): Promise<Array<{ segment: SegmentRecord; upToSeq: number }>> {
    const own = await this.context.driver.listSegments({ sessionId: record.id });
    const needed = new Map<string, { segment: SegmentRecord; upToSeq: number }>();
    // The head segment only up to the head as read: an append landing during the export must not
    // put rows past the exported head, where the importing store's next append would collide.
    for (const segment of own) needed.set(segment.id, { segment, upToSeq: segment.id === record.headSegmentId ? record.messageCount : Number.MAX_SAFE_INTEGER });
    for (const segment of own) {
      let bound = segment.baseSeq;
      for (let parentId = segment.parentId; parentId !== undefined; ) {
        const parent = await this.segment(parentId);
        if (!parent) break; // collected by retention: nothing of it to export
        const entry = needed.get(parent.id);
        if (entry) entry.upToSeq = Math.max(entry.upToSeq, bound);
        else needed.set(parent.id, { segment: parent, upToSeq: bound });
        bound = parent.baseSeq;
        parentId = parent.parentId;
      }
    }
    // Roots first, so every segment's parent is written before it.
    return [...needed.values()]
      .map((entry) => ({ ...entry, depth: this.depthOf(entry.segment, needed) }))
      .sort((left, right) => left.depth - right.depth || left.segment.createdAt - right.segment.createdAt)
      .map(({ segment, upToSeq }) => ({ segment, upToSeq }));
  }

  /** How many of the needed segments lie above this one on its chain. */
  private depthOf(segment: SegmentRecord, needed: Map<string, { segment: SegmentRecord }>): number {
    let depth = 0;
    for (let parentId = segment.parentId; parentId !== undefined; parentId = needed.get(parentId)?.segment.parentId) {
      if (!needed.has(parentId)) break;
      depth += 1;
    }
    return depth;
  }

  /** A collected segment is undefined, not an error: nothing of it to export. */
  private segment(id: string): Promise<SegmentRecord | undefined> {
    return this.context.getSegment(id);
  }
}
