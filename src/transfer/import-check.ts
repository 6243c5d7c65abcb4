/**
 * The first read of an import: every line is parsed, checksummed and validated, and the stream's
 * shape is checked (header first, each session's segments and messages followed by its record,
 * runs, events and checkpoints pointing at what came before, the end record's count), before the
 * store is changed at all. Returns the number of lines, for progress.
 */
import { createHash } from 'node:crypto';
import { supportsCheckpoints, supportsRuns } from '../driver/driver.js';
import { ImportError } from '../errors.js';
import { assertMetadata } from '../session/options.js';
import type { RecordAccess } from '../session/record-access.js';
import { decodeJson } from '../common/codec.js';
import { decodeLine, EXPORT_VERSION, recordSchemas, type RecordData, type RecordKind } from './format.js';
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

export async function checkStream(context: RecordAccess, read: LineReader): Promise<number> {
  /** Segment id → its base position, for segments in the stream. */
  const segments = new Map<string, number>();
  const sessions = new Set<string>();
  const runs = new Set<string>();
  let pending = 0; // segments, messages and operations not yet followed by their session record
  /** The sessions the pending operation records belong to: only the next session record may be one. */
  const pendingOperations = new Set<string>();
  let records = 0;
  let lastLine = 0;
  let ended = false;

  for await (const { text, line } of read()) {
    lastLine = line;
    if (text.trim() === '') continue;
    if (ended) throw new ImportError({ line, reason: 'a record after the end record.' });
    const record = readRecord(text, line);
    const fail = (reason: string): never => {
      throw new ImportError({ line, reason });
    };
    if (records === 0 && record.kind !== 'header') fail('the stream does not start with a sessionloom export header.');
    records += 1;
    switch (record.kind) {
      case 'header': {
        const header = record.data as RecordData<'header'>;
        if (records !== 1) fail('a second header.');
        if (header.version > EXPORT_VERSION) {
          fail(`the export is format version ${header.version}, written by a newer sessionloom; this one reads up to version ${EXPORT_VERSION}.`);
        }
        break;
      }
      case 'segment': {
        const segment = record.data as RecordData<'segment'>;
        if (segments.has(segment.id)) fail(`segment "${segment.id}" appears twice.`);
        if (segment.parentId !== undefined && !segments.has(segment.parentId) && !(await context.driver.getSegment(segment.parentId))) {
          fail(`segment "${segment.id}" continues segment "${segment.parentId}", which is neither earlier in the stream nor in the store.`);
        }
        segments.set(segment.id, segment.baseSeq);
        pending += 1;
        break;
      }
      case 'message': {
        const message = record.data as RecordData<'message'>;
        if (!segments.has(message.segmentId) && !(await context.driver.getSegment(message.segmentId))) {
          fail(`message "${message.id}" is in segment "${message.segmentId}", which is neither earlier in the stream nor in the store.`);
        }
        const baseSeq = segments.get(message.segmentId);
        if (baseSeq !== undefined && message.seq <= baseSeq) {
          fail(`message "${message.id}" is at position ${message.seq}, inside the history segment "${message.segmentId}" continues (it starts after ${baseSeq}).`);
        }
        checkBody(message.body, context.maxMessageBytes, fail);
        pending += 1;
        break;
      }
      case 'session': {
        const session = record.data as RecordData<'session'>;
        if (sessions.has(session.id)) fail(`session "${session.id}" appears twice.`);
        for (const owner of pendingOperations) {
          if (owner !== session.id) fail(`operation records of session "${owner}" come before the record of session "${session.id}".`);
        }
        pendingOperations.clear();
        try {
          assertMetadata(session.metadata, 'metadata');
        } catch (error) {
          fail(`session "${session.id}" has metadata that cannot be stored: ${(error as Error).message}`);
        }
        if (context.scopeUserId !== undefined && session.userId !== context.scopeUserId) {
          fail(`session "${session.id}" belongs to another user than this store's scope.`);
        }
        if (!segments.has(session.headSegmentId) && !(await context.driver.getSegment(session.headSegmentId))) {
          fail(`session "${session.id}" has its head in segment "${session.headSegmentId}", which is neither in the stream nor in the store.`);
        }
        const headBase = segments.get(session.headSegmentId);
        if (headBase !== undefined && session.messageCount < headBase) {
          fail(`session "${session.id}" has ${session.messageCount} messages, fewer than its head segment starts after (${headBase}).`);
        }
        sessions.add(session.id);
        pending = 0;
        break;
      }
      case 'operation': {
        const operation = record.data as RecordData<'operation'>;
        pendingOperations.add(operation.sessionId);
        pending += 1;
        break;
      }
      case 'run': {
        const run = record.data as RecordData<'run'>;
        if (!supportsRuns(context.driver)) fail(`the ${context.driver.name} store does not record runs.`);
        if (pending > 0) fail('a run between segments or messages and their session record.');
        if (!sessions.has(run.sessionId)) fail(`run "${run.id}" belongs to session "${run.sessionId}", which is not earlier in the stream.`);
        try {
          assertMetadata(run.metadata, 'metadata');
        } catch (error) {
          fail(`run "${run.id}" has metadata that cannot be stored: ${(error as Error).message}`);
        }
        runs.add(run.id);
        break;
      }
      case 'run-event': {
        const event = record.data as RecordData<'run-event'>;
        if (pending > 0) fail('a run event between segments or messages and their session record.');
        if (!runs.has(event.runId)) fail(`an event of run "${event.runId}", which is not earlier in the stream.`);
        try {
          decodeJson(event.data);
        } catch {
          fail(`the data of event ${event.seq} of run "${event.runId}" is not JSON.`);
        }
        break;
      }
      case 'blob': {
        const blob = record.data as RecordData<'blob'>;
        if (!supportsCheckpoints(context.driver)) fail(`the ${context.driver.name} store does not keep file checkpoints.`);
        if (pending > 0) fail('a blob between segments or messages and their session record.');
        const bytes = Buffer.from(blob.base64, 'base64');
        if (bytes.toString('base64') !== blob.base64) fail(`blob ${blob.hash} is not valid base64.`);
        if (createHash('sha256').update(bytes).digest('hex') !== blob.hash) fail(`blob ${blob.hash} does not hash to its name.`);
        break;
      }
      case 'checkpoint': {
        const checkpoint = record.data as RecordData<'checkpoint'>;
        if (!supportsCheckpoints(context.driver)) fail(`the ${context.driver.name} store does not keep file checkpoints.`);
        if (pending > 0) fail('a checkpoint between segments or messages and their session record.');
        if (!sessions.has(checkpoint.sessionId)) fail(`the checkpoint of message "${checkpoint.messageId}" belongs to a session not earlier in the stream.`);
        break;
      }
      case 'end': {
        const end = record.data as RecordData<'end'>;
        if (pending > 0) fail('segments or messages at the end without their session record.');
        if (end.records !== records - 1) fail(`the end record counts ${end.records} records before it, but the stream has ${records - 1}.`);
        ended = true;
        break;
      }
    }
  }
  if (records === 0) throw new ImportError({ line: 1, reason: 'the stream is empty.' });
  if (!ended) throw new ImportError({ line: lastLine + 1, reason: 'the stream ends without its end record (cut short?).' });
  return lastLine;
}

function checkBody(body: string, maxBytes: number, fail: (reason: string) => never): void {
  if (Buffer.byteLength(body) > maxBytes) fail(`a message of ${Buffer.byteLength(body)} bytes, over this store's limit of ${maxBytes}.`);
  try {
    decodeJson(body);
  } catch {
    fail('a message whose body is not JSON.');
  }
}
