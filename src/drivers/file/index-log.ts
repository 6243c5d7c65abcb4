/**
 * An index log: an append-only JSONL file of small entries that point at data kept elsewhere
 * (which segments a session owns, where a message lives, which runs a session has). Every process
 * tails it from where it last read.
 *
 * An index only ever points: whoever uses an entry checks it against the file it points to, so an
 * entry left by an interrupted commit or outliving a deleted segment is harmless. For the same
 * reason a damaged line is skipped with a warning instead of failing every session that shares the
 * index: the data it pointed to is still in its own file.
 */
import { TailedFile, type LineSink } from './tailed-file.js';

export interface IndexLogHandlers<Entry> {
  /** The entry a parsed line stands for, or undefined when it is not one. */
  parse(value: Record<string, unknown>): Entry | undefined;
  /** For logs that also have a compact, non-JSON line form: the entry a line not starting with `{` stands for. */
  parseCompact?(text: string): Entry | undefined;
  apply(entry: Entry): void;
  reset(): void;
}

export class IndexLog<Entry> implements LineSink {
  private readonly tail: TailedFile;
  private readonly warned = new Set<number>();

  constructor(
    readonly path: string,
    private readonly handlers: IndexLogHandlers<Entry>,
    private readonly warn: (message: string) => void,
  ) {
    this.tail = new TailedFile(path, this);
  }

  /** Reads the entries appended since the last call. */
  async refresh(): Promise<void> {
    await this.tail.refresh();
  }

  line(bytes: Buffer, _offset: number, lineNumber: number): void {
    let entry: Entry | undefined;
    const text = bytes.toString('utf8');
    if (this.handlers.parseCompact && !text.startsWith('{')) {
      entry = this.handlers.parseCompact(text);
    } else {
      try {
        const value: unknown = JSON.parse(text);
        if (typeof value === 'object' && value !== null && !Array.isArray(value)) entry = this.handlers.parse(value as Record<string, unknown>);
      } catch {
        entry = undefined;
      }
    }
    if (entry === undefined) {
      if (!this.warned.has(lineNumber)) {
        this.warned.add(lineNumber);
        this.warn(`FileDriver: ${this.path} line ${lineNumber} is damaged and was skipped (it only indexes data kept in other files).`);
      }
      return;
    }
    this.handlers.apply(entry);
  }

  reset(): void {
    this.handlers.reset();
  }
}
