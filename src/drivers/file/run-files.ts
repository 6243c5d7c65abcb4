/**
 * Runs: `runs/<id>.json` holds the run record (replaced whole and atomically, like a session), and
 * `run-events/<id>.jsonl` its events, one per line starting with the seq. An event put again at the
 * same seq is a new line, and the last line for a seq wins. Events beyond the run record's
 * `eventCount` belong to a commit not yet published and are not shown. `index/runs.jsonl` lists
 * which runs each session has, for `listRuns` and for deleting them with their session.
 */
import { closeSync, openSync } from 'node:fs';
import type { RunEventRecord, RunRecord } from '../../driver/driver.js';
import { ID_PATTERN } from '../../common/ids.js';
import { FileCorruptionError, parseObjectLine } from './corruption.js';
import { openFlags, readSyncAt, readTextIfPresent } from './durable-write.js';
import { IndexLog } from './index-log.js';
import type { StoreLayout } from './layout.js';
import { TailedFile, type LineSink } from './tailed-file.js';

const FORMAT = 1;
const CACHED_EVENT_FILES = 256;
const EVENT_PREFIX = /^\{"seq":(\d{1,16}),/;

export function formatRunFile(run: RunRecord, commitId: string): string {
  return `${JSON.stringify({ format: FORMAT, commitId, run })}\n`;
}

export function formatRunEventLine(event: RunEventRecord): string {
  return `${JSON.stringify({ seq: event.seq, type: event.type, at: event.at, data: event.data })}\n`;
}

export function formatRunIndexLine(run: RunRecord): string {
  return `${JSON.stringify({ r: run.id, s: run.sessionId })}\n`;
}

class RunEventsFile implements LineSink {
  /** seq -> where its newest line is. */
  readonly lines = new Map<number, { offset: number; length: number; lineNumber: number }>();
  readonly tail: TailedFile;

  constructor(readonly path: string) {
    this.tail = new TailedFile(path, this);
  }

  line(bytes: Buffer, offset: number, lineNumber: number): void {
    const prefix = EVENT_PREFIX.exec(bytes.subarray(0, 40).toString('latin1'));
    if (!prefix) throw new FileCorruptionError({ file: this.path, line: lineNumber, reason: 'not a run event line' });
    this.lines.set(Number(prefix[1]), { offset, length: bytes.length, lineNumber });
  }

  reset(): void {
    this.lines.clear();
  }
}

export class RunFiles {
  private readonly eventFiles = new Map<string, RunEventsFile>();
  private readonly bySession = new Map<string, string[]>();
  private readonly index: IndexLog<{ runId: string; sessionId: string }>;

  constructor(
    private readonly layout: StoreLayout,
    warn: (message: string) => void,
  ) {
    this.index = new IndexLog(
      layout.runIndexFile,
      {
        parse: ({ r, s }) =>
          typeof r === 'string' && typeof s === 'string' && ID_PATTERN.test(r) && ID_PATTERN.test(s) ? { runId: r, sessionId: s } : undefined,
        apply: ({ runId, sessionId }) => {
          const runs = this.bySession.get(sessionId);
          if (!runs) this.bySession.set(sessionId, [runId]);
          else if (!runs.includes(runId)) runs.push(runId);
        },
        reset: () => this.bySession.clear(),
      },
      warn,
    );
  }

  async read(runId: string): Promise<RunRecord | undefined> {
    const path = this.layout.runFile(runId);
    const text = readTextIfPresent(path);
    if (text === undefined) return undefined;
    const content = text.endsWith('\n') ? parseObjectLine(text.slice(0, -1), path, 1) : undefined;
    const run = content?.run as RunRecord | undefined;
    const valid =
      content?.format === FORMAT &&
      typeof run === 'object' &&
      run !== null &&
      run.id === runId &&
      typeof run.sessionId === 'string' &&
      typeof run.startedAt === 'number' &&
      Number.isSafeInteger(run.eventCount);
    if (!valid) throw new FileCorruptionError({ file: path, line: 1, reason: 'not a run record of this store' });
    return run;
  }

  /** Ids of the runs recorded for the session (some may since be deleted). */
  async runIds(sessionId: string): Promise<string[]> {
    await this.index.refresh();
    return [...(this.bySession.get(sessionId) ?? [])];
  }

  /** The run's events with `afterSeq < seq <= visibleUpTo`, in seq order, at most `limit`. */
  async readEvents(runId: string, range: { afterSeq: number; visibleUpTo: number; limit?: number }): Promise<RunEventRecord[]> {
    const file = this.eventsFile(runId);
    await file.tail.refresh();
    const limit = range.limit === undefined || !Number.isFinite(range.limit) ? Infinity : Math.max(0, Math.trunc(range.limit));
    const seqs = [...file.lines.keys()]
      .filter((seq) => seq > range.afterSeq && seq <= range.visibleUpTo)
      .sort((left, right) => left - right)
      .slice(0, limit);
    if (seqs.length === 0) return [];
    const wanted = seqs.map((seq) => ({ seq, ...(file.lines.get(seq) as { offset: number; length: number; lineNumber: number }) }));
    const descriptor = openSync(file.path, openFlags.read);
    try {
      const events: RunEventRecord[] = [];
      for (const { seq, offset, length, lineNumber } of wanted) {
        const buffer = Buffer.alloc(length);
        readSyncAt(descriptor, buffer, 0, length, offset);
        const { type, at, data } = parseObjectLine(buffer.toString('utf8'), file.path, lineNumber);
        if (typeof type !== 'string' || typeof at !== 'number' || typeof data !== 'string') {
          throw new FileCorruptionError({ file: file.path, line: lineNumber, reason: 'not a run event record' });
        }
        events.push({ runId, seq, type, at, data });
      }
      return events;
    } finally {
      closeSync(descriptor);
    }
  }

  clear(): void {
    this.eventFiles.clear();
  }

  private eventsFile(runId: string): RunEventsFile {
    let file = this.eventFiles.get(runId);
    if (file) {
      this.eventFiles.delete(runId);
    } else {
      file = new RunEventsFile(this.layout.runEventsFile(runId));
      if (this.eventFiles.size >= CACHED_EVENT_FILES) {
        const oldest = this.eventFiles.keys().next();
        if (oldest.done !== true) this.eventFiles.delete(oldest.value);
      }
    }
    this.eventFiles.set(runId, file);
    return file;
  }
}
