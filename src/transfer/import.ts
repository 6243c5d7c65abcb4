/**
 * `import`: reads an export stream into the store. The whole stream is checked first (see
 * import-check.ts), so a damaged or malformed one changes nothing. Then each session is written in
 * one batch with the segments and messages it brought (all of it or none of it), followed by its
 * runs, events, blobs and checkpoints.
 *
 * Idempotent: what the store already holds is left as it is (an existing session keeps its own,
 * possibly newer, state; existing messages, runs, blobs and checkpoints are skipped), so importing
 * the same stream twice, or again after an interrupted import, writes each thing once. A record
 * that contradicts the store (a message id already used elsewhere) stops the import at that line:
 * the sessions before it are imported, and importing again after resolving it carries on.
 */
import {
  supportsCheckpoints,
  supportsRuns,
  WriteConflict,
  type MessageRecord,
  type OperationRecord,
  type RunEventRecord,
  type RunRecord,
  type SegmentRecord,
  type SessionRecord,
  type WriteBatch,
} from '../driver/driver.js';
import { isReplayMarker } from '../driver/degradable.js';
import { ImportError } from '../errors.js';
import type { RecordAccess } from '../session/record-access.js';
import { BlobAssembler } from './blob-parts.js';
import { checkStream, readRecord, StreamChecker } from './import-check.js';
import type { RecordData } from './format.js';
import { lineReader, type ImportSource } from './source.js';

const EVENT_BATCH = 500;

export interface ImportOptions {
  /** Called as lines are checked, then as they are written. */
  onProgress?: (progress: { phase: 'checking' | 'importing'; line: number; totalLines?: number }) => void;
}

export interface ImportResult {
  /** Sessions written, and sessions the store already had (left as they were). */
  sessions: { imported: number; existing: number };
  messages: number;
  runs: number;
  checkpoints: number;
  blobs: number;
}

export async function importStream(context: RecordAccess, source: ImportSource, options: ImportOptions = {}): Promise<ImportResult> {
  const read = lineReader(source);
  const totalLines = await checkStream(context, read);
  // The source is read a second time: what is written is checked again as it is written, so a
  // source that changed since the first read cannot slip past the checks.
  const checker = new StreamChecker(context, true);
  const writer = new ImportWriter(context, checker.references.created);
  let lastLine = 0;
  for await (const { text, line } of read()) {
    lastLine = line;
    if (text.trim() === '') continue;
    const record = readRecord(text, line);
    await checker.accept(record);
    await writer.apply(record);
    options.onProgress?.({ phase: 'importing', line, totalLines });
  }
  await writer.flushEvents();
  checker.finish(lastLine);
  return writer.result;
}

class ImportWriter {
  readonly result: ImportResult = { sessions: { imported: 0, existing: 0 }, messages: 0, runs: 0, checkpoints: 0, blobs: 0 };
  /** The current session's segments and messages, written with its record. */
  private segments: SegmentRecord[] = [];
  private messages: MessageRecord[] = [];
  /** Runs the store already had: their events are skipped with them. */
  private readonly skippedRuns = new Set<string>();
  private events: RunEventRecord[] = [];
  /** The current session's operation records: written with it, when this import creates it. */
  private operations: OperationRecord[] = [];
  private line = 0;
  private readonly blobParts = new BlobAssembler();

  constructor(
    private readonly context: RecordAccess,
    /** Segments this import has written: the write pass's checks count them as new. */
    private readonly created: Set<string>,
  ) {}

  async apply(record: ReturnType<typeof readRecord>): Promise<void> {
    this.line = record.line;
    const { driver } = this.context;
    switch (record.kind) {
      case 'segment':
        this.segments.push(record.data as RecordData<'segment'>);
        return;
      case 'message':
        this.messages.push(record.data as RecordData<'message'>);
        return;
      case 'session':
        await this.writeSession(record.data as RecordData<'session'>);
        return;
      case 'operation': {
        const operation = record.data as RecordData<'operation'>;
        // Exports of earlier versions carried a fallback's replay markers: its bookkeeping, not the caller's.
        if (!isReplayMarker(operation.operationId)) this.operations.push(operation);
        return;
      }
      case 'run': {
        await this.flushEvents();
        // Metadata was checked to be plain JSON by the first read.
        const run = record.data as unknown as RunRecord;
        if (!supportsRuns(driver)) return;
        if (await driver.getRun(run.id)) {
          this.skippedRuns.add(run.id);
          return;
        }
        await driver.commit({ runs: [run] });
        this.result.runs += 1;
        return;
      }
      case 'run-event': {
        const event = record.data as RecordData<'run-event'>;
        if (this.skippedRuns.has(event.runId)) return;
        this.events.push(event);
        if (this.events.length >= EVENT_BATCH) await this.flushEvents();
        return;
      }
      case 'blob': {
        const blob = record.data as RecordData<'blob'>;
        await this.writeBlob(blob.hash, new Uint8Array(Buffer.from(blob.base64, 'base64')));
        return;
      }
      case 'blob-part': {
        // The checker has seen the parts in order and the whole hash to its name (blob-parts.ts).
        const whole = this.blobParts.accept(record.data as RecordData<'blob-part'>, (reason) => {
          throw new ImportError({ line: record.line, reason, applied: true });
        });
        if (whole !== undefined) await this.writeBlob(whole.hash, whole.bytes);
        return;
      }
      case 'checkpoint': {
        await this.flushEvents();
        const checkpoint = record.data as RecordData<'checkpoint'>;
        if (!supportsCheckpoints(driver) || (await driver.getCheckpoint(checkpoint.messageId))) return;
        await driver.commit({ checkpoints: [checkpoint] });
        this.result.checkpoints += 1;
        return;
      }
      case 'header':
      case 'end':
        return;
    }
  }

  private async writeBlob(hash: string, bytes: Uint8Array): Promise<void> {
    await this.flushEvents();
    const { driver } = this.context;
    if (!supportsCheckpoints(driver) || (await driver.missingBlobs([hash])).length === 0) return;
    await driver.commit({ blobs: [{ hash, bytes }] });
    this.result.blobs += 1;
  }

  async flushEvents(): Promise<void> {
    if (this.events.length === 0) return;
    const events = this.events;
    this.events = [];
    await this.context.driver.commit({ runEvents: events });
  }

  /** The session with the segments and messages before it, in one batch; only what the store lacks. */
  private async writeSession(session: RecordData<'session'>): Promise<void> {
    await this.flushEvents();
    const batch: WriteBatch = { segments: [], messages: [] };
    const fresh = new Set<string>();
    for (const segment of this.segments) {
      const stored = await this.context.driver.getSegment(segment.id);
      if (!stored) {
        batch.segments!.push(segment);
        fresh.add(segment.id);
      } else if (stored.sessionId !== segment.sessionId || stored.parentId !== segment.parentId || stored.baseSeq !== segment.baseSeq) {
        this.conflict(`segment "${segment.id}" exists in this store with a different place in the fork tree.`);
      }
    }
    for (const message of this.messages) {
      // Messages of a segment the store lacked are all new; elsewhere, look each one up.
      if (!fresh.has(message.segmentId) && (await this.alreadyStored(message))) continue;
      batch.messages!.push(message);
    }
    this.segments = [];
    this.messages = [];

    const existing = await this.context.driver.getSession(session.id);
    // A session the store already has keeps its own state and its own retry guards.
    if (!existing) {
      batch.sessions = [{ record: session as unknown as SessionRecord, expectedVersion: 0 }];
      if (this.operations.length > 0) batch.operations = this.operations;
    }
    this.operations = [];
    try {
      if (batch.sessions || batch.segments!.length > 0 || batch.messages!.length > 0) await this.context.driver.commit(batch);
    } catch (error) {
      if (!WriteConflict.is(error)) throw error;
      if (error.reason.kind === 'duplicate-message') this.conflict(`message "${error.reason.messageId}" exists in this store elsewhere.`);
      this.conflict(`session "${session.id}" was created in this store while importing.`);
    }
    for (const segment of batch.segments!) this.created.add(segment.id);
    this.result.messages += batch.messages!.length;
    if (batch.sessions) this.result.sessions.imported += 1;
    else this.result.sessions.existing += 1;
  }

  private async alreadyStored(message: MessageRecord): Promise<boolean> {
    const location = await this.context.driver.locateMessage(message.id);
    if (!location) return false;
    if (location.segmentId !== message.segmentId || location.seq !== message.seq) {
      this.conflict(`message "${message.id}" exists in this store at another place.`);
    }
    return true;
  }

  private conflict(reason: string): never {
    throw new ImportError({ line: this.line, reason, applied: true });
  }
}
