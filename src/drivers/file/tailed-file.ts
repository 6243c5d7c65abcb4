/**
 * An append-only JSONL file read incrementally: each call reads only the bytes added since the
 * last one, so a process keeps up with what other processes append at the cost of what they
 * appended. A last line without its newline is left unread (it is being written, or a crash cut it
 * short) and reported as a partial tail.
 *
 * The file can also shrink or be replaced behind our back (recovery rolls an interrupted commit
 * back, retention truncates a segment, a session is deleted and created again). That is detected
 * from the inode, the size, and the last line read still being there, byte for byte; then
 * everything learned from the file is forgotten and it is read again from the start.
 */
import { closeSync, fstatSync, lstatSync, openSync } from 'node:fs';
import { isMissing, openFlags, readSyncAt } from './durable-write.js';

const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;

export interface LineSink {
  /** A complete line (without its newline), its byte offset, and its 1-based line number. */
  line(bytes: Buffer, offset: number, lineNumber: number): void;
  /** Everything read so far is void: the file was cut back or replaced. */
  reset(): void;
}

export interface TailState {
  exists: boolean;
  /** The file's size when read. */
  size: number;
  /** Bytes up to the end of the last complete line. */
  consumed: number;
  /** Complete lines read so far. */
  lineCount: number;
}

export class TailedFile {
  private identity: { ino: number; size: number; mtimeMs: number } | undefined;
  private consumed = 0;
  private lineCount = 0;
  private lastLine: { offset: number; bytes: Buffer } | undefined;
  /** Refreshes run one at a time: two reading the same new bytes would hand the sink every line twice. */
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly sink: LineSink,
  ) {}

  /** Reads what was appended since the last call (after any refresh already running). */
  refresh(): Promise<TailState> {
    const next = this.running.then(() => this.refreshNow());
    this.running = next.catch(() => undefined);
    return next;
  }

  private async refreshNow(): Promise<TailState> {
    let status;
    try {
      status = lstatSync(this.path);
    } catch (error) {
      if (!isMissing(error)) throw error;
      if (this.identity) this.forget();
      this.identity = undefined;
      return { exists: false, size: 0, consumed: 0, lineCount: 0 };
    }
    if (!status.isFile()) throw new Error(`FileDriver: ${this.path} is not a regular file; refusing to read it.`);
    const known = this.identity;
    if (known && known.ino === status.ino && known.size === status.size && known.mtimeMs === status.mtimeMs) {
      return this.state(status.size);
    }
    const descriptor = openSync(this.path, openFlags.read);
    try {
      const current = fstatSync(descriptor);
      const replaced = !known || known.ino !== current.ino || current.size < this.consumed;
      if (replaced || !this.lastLineIntact(descriptor)) this.forget();
      this.readFrom(descriptor, current.size);
      this.identity = { ino: current.ino, size: current.size, mtimeMs: current.mtimeMs };
      return this.state(current.size);
    } finally {
      closeSync(descriptor);
    }
  }

  /** True when the file is still the one, of the size and mtime, that the last refresh read (one lstat). */
  unchanged(): boolean {
    const status = lstatSync(this.path, { throwIfNoEntry: false });
    const known = this.identity;
    if (!status || !known) return !status && !known;
    return known.ino === status.ino && known.size === status.size && known.mtimeMs === status.mtimeMs;
  }

  /** Forgets everything read, so the next refresh starts from the beginning. */
  invalidate(): void {
    this.forget();
    this.identity = undefined;
  }

  private state(size: number): TailState {
    return { exists: true, size, consumed: this.consumed, lineCount: this.lineCount };
  }

  private forget(): void {
    this.consumed = 0;
    this.lineCount = 0;
    this.lastLine = undefined;
    this.sink.reset();
  }

  private lastLineIntact(descriptor: number): boolean {
    if (!this.lastLine) return true;
    const { offset, bytes } = this.lastLine;
    const buffer = Buffer.alloc(bytes.length + 1);
    const bytesRead = readSyncAt(descriptor, buffer, 0, buffer.length, offset);
    return bytesRead === buffer.length && buffer[bytes.length] === NEWLINE && buffer.subarray(0, bytes.length).equals(bytes);
  }

  private readFrom(descriptor: number, size: number): void {
    try {
      this.readLines(descriptor, size);
    } catch (error) {
      // A line the sink refused (a damaged file): start over next time, so line numbers stay right.
      this.invalidate();
      throw error;
    }
  }

  private readLines(descriptor: number, size: number): void {
    let carry: Buffer = Buffer.alloc(0);
    let carryOffset = this.consumed;
    let position = this.consumed;
    while (position < size) {
      const chunk = Buffer.alloc(Math.min(CHUNK_BYTES, size - position));
      const bytesRead = readSyncAt(descriptor, chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const data: Buffer = carry.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
      let start = 0;
      let last: { offset: number; bytes: Buffer } | undefined;
      for (let newline = data.indexOf(NEWLINE, start); newline !== -1; newline = data.indexOf(NEWLINE, start)) {
        const bytes = data.subarray(start, newline);
        const offset = carryOffset + start;
        this.sink.line(bytes, offset, this.lineCount + 1);
        this.lineCount += 1;
        this.consumed = offset + bytes.length + 1;
        last = { offset, bytes };
        start = newline + 1;
      }
      // Copied, not kept as a view: the view would pin the whole chunk in memory.
      if (last) this.lastLine = { offset: last.offset, bytes: Buffer.from(last.bytes) };
      carry = Buffer.from(data.subarray(start));
      carryOffset += start;
    }
  }
}
