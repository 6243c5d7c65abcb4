/**
 * The checks of an import, record by record: each line is parsed, checksummed and validated, the
 * stream's shape is checked (header first, each session's segments and messages followed by its
 * record, runs, events and checkpoints pointing at what came before, the end record's count), and
 * every reference is checked against who owns its target (import-references.ts). The first read
 * runs them all before the store is changed at all; the write pass runs them again on what it is
 * about to write (import.ts).
 */
import { createHash } from 'node:crypto';
import { assertJsonData, decodeJson, MAX_CONTENT_DEPTH } from '../common/codec.js';
import { supportsCheckpoints, supportsRuns, type SegmentRecord } from '../driver/driver.js';
import { ImportError } from '../errors.js';
import { assertMetadata } from '../session/options.js';
import type { RecordAccess } from '../session/record-access.js';
import { decodeLine, EXPORT_VERSION, recordSchemas, type RecordData, type RecordKind } from './format.js';
import { BlobAssembler, strictBase64 } from './blob-parts.js';
import { ImportReferences } from './import-references.js';
import type { LineReader } from './source.js';

export interface CheckedLine<Kind extends RecordKind = RecordKind> {
  kind: Kind;
  data: RecordData<Kind>;
  line: number;
}

/** Parses and validates one line; throws `ImportError` naming it. */
export function readRecord(text: string, line: number): CheckedLine {
  const decoded = decodeLine(text);
  if ('invalid' in decoded) throw new ImportError({ line, reason: decoded.invalid });
  const parsed = recordSchemas[decoded.kind].safeParse(decoded.data);
  if (!parsed.success) {
    const problem = parsed.error.issues[0];
    const where = problem && problem.path.length > 0 ? ` (${problem.path.join('.')}: ${problem.message})` : '';
    throw new ImportError({ line, reason: `the ${decoded.kind} record is not valid${where}.` });
  }
  return { kind: decoded.kind, data: parsed.data, line } as CheckedLine;
}

/** The whole first read: every line checked, nothing written. Returns the number of lines, for progress. */
export async function checkStream(access: RecordAccess, read: LineReader): Promise<number> {
  const checker = new StreamChecker(access, false);
  let lastLine = 0;
  for await (const { text, line } of read()) {
    lastLine = line;
    if (text.trim() === '') continue;
    await checker.accept(readRecord(text, line));
  }
  checker.finish(lastLine);
  return lastLine;
}

export class StreamChecker {
  readonly references: ImportReferences;
  private readonly runs = new Set<string>();
  /** Segments (with their messages) read since the last session record: they belong to the next one. */
  private pendingSegments: SegmentRecord[] = [];
  private pending = 0; // segments, messages and operations not yet followed by their session record
  /** The operation records waiting for their session record, with the messages they name. */
  private pendingOperations: Array<RecordData<'operation'>> = [];
  /** The latest session record and the segments on its chains: its checkpoints may only name messages there. */
  private latest: { id: string; segments: Set<string> } | undefined;
  private records = 0;
  private ended = false;
  /** A blob sent in parts (blob-parts.ts): nothing may come between them. */
  private readonly blobParts = new BlobAssembler();

  /** `writing`: the write pass, where the store already holds what this import wrote so far. */
  constructor(
    private readonly access: RecordAccess,
    private readonly writing: boolean,
  ) {
    this.references = new ImportReferences(access);
  }

  async accept(record: CheckedLine): Promise<void> {
    const { line } = record;
    const fail = (reason: string): never => {
      throw new ImportError({ line, reason, applied: this.writing });
    };
    if (this.ended) fail('a record after the end record.');
    if (this.records === 0 && record.kind !== 'header') fail('the stream does not start with a sessionloom export header.');
    this.records += 1;
    if (record.kind !== 'blob-part') {
      const unfinished = this.blobParts.unfinished();
      if (unfinished !== undefined) fail(`${unfinished} A ${record.kind} record came before the rest.`);
    }
    switch (record.kind) {
      case 'header': {
        const header = record.data as RecordData<'header'>;
        if (this.records !== 1) fail('a second header.');
        if (header.version > EXPORT_VERSION) {
          fail(`the export is format version ${header.version}, written by a newer sessionloom; this one reads up to version ${EXPORT_VERSION}.`);
        }
        return;
      }
      case 'segment':
        return this.acceptSegment(record.data as RecordData<'segment'>, fail);
      case 'message':
        return this.acceptMessage(record.data as RecordData<'message'>, fail);
      case 'operation': {
        const operation = record.data as RecordData<'operation'>;
        this.pendingOperations.push(operation);
        this.pending += 1;
        return;
      }
      case 'session':
        return this.acceptSession(record.data as RecordData<'session'>, fail);
      case 'run': {
        const run = record.data as RecordData<'run'>;
        if (!supportsRuns(this.access.driver)) fail(`the ${this.access.driver.name} store does not record runs.`);
        if (this.pending > 0) fail('a run between segments or messages and their session record.');
        if (!this.references.sessions.has(run.sessionId)) fail(`run "${run.id}" belongs to session "${run.sessionId}", which is not earlier in the stream.`);
        checkMetadata(run.metadata, `run "${run.id}"`, fail);
        this.runs.add(run.id);
        return;
      }
      case 'run-event': {
        const event = record.data as RecordData<'run-event'>;
        if (this.pending > 0) fail('a run event between segments or messages and their session record.');
        if (!this.runs.has(event.runId)) fail(`an event of run "${event.runId}", which is not earlier in the stream.`);
        checkEncodedJson(event.data, `the data of event ${event.seq} of run "${event.runId}"`, fail);
        return;
      }
      case 'blob': {
        const blob = record.data as RecordData<'blob'>;
        this.acceptBlobPlace(fail);
        const bytes = strictBase64(blob.base64);
        if (bytes === undefined) fail(`blob ${blob.hash} is not valid base64.`);
        if (createHash('sha256').update(bytes!).digest('hex') !== blob.hash) fail(`blob ${blob.hash} does not hash to its name.`);
        return;
      }
      case 'blob-part':
        this.acceptBlobPlace(fail);
        this.blobParts.accept(record.data as RecordData<'blob-part'>, fail);
        return;
      case 'checkpoint':
        return this.acceptCheckpoint(record.data as RecordData<'checkpoint'>, fail);
      case 'end': {
        const end = record.data as RecordData<'end'>;
        if (this.pending > 0) fail('segments or messages at the end without their session record.');
        if (end.records !== this.records - 1) fail(`the end record counts ${end.records} records before it, but the stream has ${this.records - 1}.`);
        this.ended = true;
        return;
      }
    }
  }

  /** Where a blob (whole or a part) may come: into a store that keeps checkpoints, outside a session's records. */
  private acceptBlobPlace(fail: (reason: string) => never): void {
    if (!supportsCheckpoints(this.access.driver)) fail(`the ${this.access.driver.name} store does not keep file checkpoints.`);
    if (this.pending > 0) fail('a blob between segments or messages and their session record.');
  }

  /** After the last line: the stream must not be empty or cut short. */
  finish(lastLine: number): void {
    if (this.records === 0) throw new ImportError({ line: 1, reason: 'the stream is empty.' });
    if (!this.ended) throw new ImportError({ line: lastLine + 1, reason: 'the stream ends without its end record (cut short?).' });
  }

  private async acceptSegment(segment: RecordData<'segment'>, fail: (reason: string) => never): Promise<void> {
    const references = this.references;
    if (references.carried.has(segment.id)) fail(`segment "${segment.id}" appears twice.`);
    if (segment.parentId !== undefined && !(await references.segment(segment.parentId))) {
      fail(`segment "${segment.id}" continues segment "${segment.parentId}", which is neither earlier in the stream nor in the store.`);
    }
    if (await references.existedBefore(segment.id)) {
      const stored = (await this.access.driver.getSegment(segment.id))!;
      if (stored.sessionId !== segment.sessionId || stored.parentId !== segment.parentId || stored.baseSeq !== segment.baseSeq) {
        fail(`segment "${segment.id}" exists in this store with a different place in the fork tree.`);
      }
    } else {
      // A new segment for a session the store already has must be inside the scope.
      const owner = await references.ownerOf(segment);
      if (owner.stored && !references.inScope(owner.session!.userId)) fail(`segment "${segment.id}" belongs to a session outside this store's scope.`);
    }
    references.carried.set(segment.id, segment);
    this.pendingSegments.push(segment);
    this.pending += 1;
  }

  private async acceptMessage(message: RecordData<'message'>, fail: (reason: string) => never): Promise<void> {
    const references = this.references;
    const segment = references.carried.get(message.segmentId);
    if (!segment) fail(`message "${message.id}" is in segment "${message.segmentId}", which is not earlier in the stream.`);
    if (message.seq <= segment!.baseSeq) {
      fail(`message "${message.id}" is at position ${message.seq}, inside the history segment "${message.segmentId}" continues (it starts after ${segment!.baseSeq}).`);
    }
    if (await references.existedBefore(message.segmentId)) {
      // An existing segment is never written into: only a message it already holds, at that place, may be named.
      const location = await this.access.driver.locateMessage(message.id);
      if (location?.segmentId !== message.segmentId || location.seq !== message.seq) {
        fail(`message "${message.id}" would be added to segment "${message.segmentId}", which this store already has; an import never writes into an existing segment.`);
      }
    }
    checkBody(message.body, this.access.maxMessageBytes, fail);
    references.messages.set(message.id, message.segmentId);
    this.pending += 1;
  }

  private async acceptSession(session: RecordData<'session'>, fail: (reason: string) => never): Promise<void> {
    const references = this.references;
    if (references.sessions.has(session.id)) fail(`session "${session.id}" appears twice.`);
    checkMetadata(session.metadata, `session "${session.id}"`, fail);
    if (!references.inScope(session.userId)) fail(`session "${session.id}" belongs to another user than this store's scope.`);
    const stored = await this.access.driver.getSession(session.id);
    if (stored && (stored.userId !== session.userId || !references.inScope(stored.userId))) {
      fail(`session id "${session.id}" is taken in this store by another owner.`);
    }
    const head = await references.segment(session.headSegmentId);
    if (!head) fail(`session "${session.id}" has its head in segment "${session.headSegmentId}", which is neither in the stream nor in the store.`);
    if (head!.sessionId !== session.id) fail(`session "${session.id}" has its head in segment "${head!.id}", which is another session's.`);
    if (references.carried.has(head!.id) && session.messageCount < head!.baseSeq) {
      fail(`session "${session.id}" has ${session.messageCount} messages, fewer than its head segment starts after (${head!.baseSeq}).`);
    }
    const own = this.pendingSegments.filter((segment) => segment.sessionId === session.id).map((segment) => segment.id);
    const chains = await references.chainsOf(session, [session.headSegmentId, ...own]);
    if ('refused' in chains) fail(`session "${session.id}" cannot be imported: ${chains.refused}`);
    const segments = (chains as { segments: Set<string> }).segments;
    for (const operation of this.pendingOperations) {
      if (operation.sessionId !== session.id) fail(`operation records of session "${operation.sessionId}" come before the record of session "${session.id}".`);
      for (const messageId of operation.messageIds) {
        const segmentId = references.messages.get(messageId) ?? (await this.access.driver.locateMessage(messageId))?.segmentId;
        const owner = segmentId === undefined ? undefined : await references.segment(segmentId);
        if (owner?.sessionId !== session.id) fail(`operation "${operation.operationId}" names message "${messageId}", which is not a message of session "${session.id}".`);
      }
    }
    references.sessions.set(session.id, { id: session.id, ...(session.userId === undefined ? {} : { userId: session.userId }) });
    this.latest = { id: session.id, segments };
    this.pendingSegments = [];
    this.pendingOperations = [];
    this.pending = 0;
  }

  private async acceptCheckpoint(checkpoint: RecordData<'checkpoint'>, fail: (reason: string) => never): Promise<void> {
    if (!supportsCheckpoints(this.access.driver)) fail(`the ${this.access.driver.name} store does not keep file checkpoints.`);
    if (this.pending > 0) fail('a checkpoint between segments or messages and their session record.');
    if (this.latest?.id !== checkpoint.sessionId) fail(`the checkpoint of message "${checkpoint.messageId}" does not follow the record of its session "${checkpoint.sessionId}".`);
    const segmentId = this.references.messages.get(checkpoint.messageId) ?? (await this.access.driver.locateMessage(checkpoint.messageId))?.segmentId;
    if (segmentId === undefined || !this.latest!.segments.has(segmentId)) {
      fail(`the checkpoint names message "${checkpoint.messageId}", which is not on the history of session "${checkpoint.sessionId}".`);
    }
  }
}

function checkMetadata(metadata: unknown, owner: string, fail: (reason: string) => never): void {
  try {
    assertMetadata(metadata, 'metadata');
  } catch (error) {
    fail(`${owner} has metadata that cannot be stored: ${(error as Error).message}`);
  }
}

function checkBody(body: string, maxBytes: number, fail: (reason: string) => never): void {
  if (Buffer.byteLength(body) > maxBytes) fail(`a message of ${Buffer.byteLength(body)} bytes, over this store's limit of ${maxBytes}.`);
  checkEncodedJson(body, 'a message body', fail);
}

/** Encoded JSON as the store would have accepted it: decodable, and nested no deeper than a message may be. */
function checkEncodedJson(text: string, what: string, fail: (reason: string) => never): void {
  let value: unknown;
  try {
    value = decodeJson(text);
  } catch {
    fail(`${what} that is not JSON.`);
  }
  try {
    assertJsonData(value, { argument: what, allowRichValues: true, maxDepth: MAX_CONTENT_DEPTH });
  } catch (error) {
    fail(`${what} that cannot be stored: ${(error as Error).message}`);
  }
}
