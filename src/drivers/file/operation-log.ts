/**
 * The operation ids a session's appends were made with, so a retried append appends nothing
 * twice: `operations/<session id>.jsonl`, one line `{"o":operation,"m":[message ids],"c":time,"v":version}`.
 *
 * `v` is the session version the append committed. A line is visible only while the session is at
 * that version or later: a line of a commit still in flight (or interrupted, before recovery cuts
 * it off) names a version the session has not reached, so a concurrent retry cannot mistake an
 * append that may yet fail for one that succeeded. The file is deleted with its session.
 */
import { compareOperations, type OperationRecord } from '../../driver/driver.js';
import { FileCorruptionError, parseObjectLine } from './corruption.js';
import type { DurableWriter } from './durable-write.js';
import type { StoreLayout } from './layout.js';
import { TailedFile, type LineSink } from './tailed-file.js';

const CACHED_SESSIONS = 1024;

interface StoredOperation {
  messageIds: string[];
  createdAt: number;
  /** The session version that made the operation visible. */
  version: number;
}

export function formatOperationLine(operation: OperationRecord, version: number): string {
  return `${JSON.stringify({ o: operation.operationId, m: operation.messageIds, c: operation.createdAt, v: version })}\n`;
}

class OperationFile implements LineSink {
  readonly operations = new Map<string, StoredOperation>();
  /** Offset and version of every line, in file order. */
  readonly lines: Array<{ offset: number; version: number }> = [];
  readonly tail: TailedFile;

  constructor(readonly path: string) {
    this.tail = new TailedFile(path, this);
  }

  line(bytes: Buffer, offset: number, lineNumber: number): void {
    const { o, m, c, v } = parseObjectLine(bytes.toString('utf8'), this.path, lineNumber);
    const valid =
      typeof o === 'string' &&
      Array.isArray(m) &&
      m.every((id) => typeof id === 'string') &&
      typeof c === 'number' &&
      Number.isSafeInteger(v);
    if (!valid) throw new FileCorruptionError({ file: this.path, line: lineNumber, reason: 'not an operation record' });
    this.operations.set(o, { messageIds: m as string[], createdAt: c, version: v as number });
    this.lines.push({ offset, version: v as number });
  }

  reset(): void {
    this.operations.clear();
    this.lines.length = 0;
  }
}

export class OperationLog {
  private readonly files = new Map<string, OperationFile>();

  constructor(private readonly layout: StoreLayout) {}

  /** The operation if it was recorded by a commit the session (now at `sessionVersion`) has reached. */
  async find(sessionId: string, operationId: string, sessionVersion: number): Promise<OperationRecord | undefined> {
    const file = this.file(sessionId);
    await file.tail.refresh();
    const stored = file.operations.get(operationId);
    if (!stored || stored.version > sessionVersion) return undefined;
    return { sessionId, operationId, messageIds: [...stored.messageIds], createdAt: stored.createdAt };
  }

  /** Every operation of the session its version has reached, oldest first. */
  async list(sessionId: string, sessionVersion: number): Promise<OperationRecord[]> {
    const file = this.file(sessionId);
    await file.tail.refresh();
    return [...file.operations]
      .filter(([, stored]) => stored.version <= sessionVersion)
      .map(([operationId, stored]) => ({ sessionId, operationId, messageIds: [...stored.messageIds], createdAt: stored.createdAt }))
      .sort(compareOperations);
  }

  /**
   * Holding the lock: removes lines of versions the session never reached (a commit whose journal
   * was lost, see cutUncommittedLines in commit.ts), so they can never become visible later.
   */
  async cutUncommitted(sessionId: string, sessionVersion: number, writer: DurableWriter, warn: (message: string) => void): Promise<void> {
    const file = this.file(sessionId);
    await file.tail.refresh();
    const first = file.lines.findIndex((line) => line.version > sessionVersion);
    if (first === -1) return;
    await writer.truncate(file.path, (file.lines[first] as { offset: number }).offset);
    warn(`FileDriver: ${file.path} held ${file.lines.length - first} operation line(s) of versions session "${sessionId}" never reached; removed them.`);
    file.tail.invalidate();
  }

  forget(sessionId: string): void {
    this.files.delete(sessionId);
  }

  clear(): void {
    this.files.clear();
  }

  private file(sessionId: string): OperationFile {
    let file = this.files.get(sessionId);
    if (file) {
      this.files.delete(sessionId);
    } else {
      file = new OperationFile(this.layout.operationsFile(sessionId));
      if (this.files.size >= CACHED_SESSIONS) {
        const oldest = this.files.keys().next();
        if (oldest.done !== true) this.files.delete(oldest.value);
      }
    }
    this.files.set(sessionId, file);
    return file;
  }
}
