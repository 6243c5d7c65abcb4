/**
 * What `import` reads: the export's text, its lines (strings, as `export` yields them or readline
 * gives them) or byte chunks (as a file stream gives them), sync or async, or a function that
 * opens them afresh. Import reads its source twice (check everything, then write), so a one-shot
 * iterator is kept in memory on the first read; pass a function (as the CLI does with a file) to
 * import a large export in constant memory.
 */
import { ImportError, InvalidArgumentError } from '../errors.js';

export type ImportChunks = Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;
export type ImportSource = string | ImportChunks | (() => ImportChunks);

/** Opens the source for one read, as lines (without their line ends), numbered from 1. */
export type LineReader = () => AsyncGenerator<{ text: string; line: number }>;

export interface LineReaderOptions {
  /** The longest line accepted, in bytes (default MAX_LINE_BYTES); a longer one is an `ImportError` naming it. */
  maxLineBytes?: number;
}

export function lineReader(source: ImportSource, options: LineReaderOptions = {}): LineReader {
  const split = (chunks: ImportChunks) => splitLines(chunks, options.maxLineBytes);
  if (typeof source === 'string') return () => split([source]);
  if (typeof source === 'function') return () => split(source());
  if (source === null || typeof source !== 'object' || !(Symbol.iterator in source || Symbol.asyncIterator in source)) {
    throw new InvalidArgumentError({ argument: 'import source', message: 'expected the export text, an iterable of its lines or chunks, or a function returning one.' });
  }
  if (Array.isArray(source)) return () => split(source);
  // A one-shot iterator: the first read keeps the lines for the second.
  let kept: string[] | undefined;
  return async function* () {
    if (kept) {
      yield* numbered(kept);
      return;
    }
    const lines: string[] = [];
    for await (const entry of split(source)) {
      lines.push(entry.text);
      yield entry;
    }
    kept = lines;
  };
}

async function* numbered(lines: string[]): AsyncGenerator<{ text: string; line: number }> {
  for (const [index, text] of lines.entries()) yield { text, line: index + 1 };
}

/**
 * The longest line (one record) an import reads, in bytes: a message at the default 8 MiB limit
 * re-escaped inside its record, or the blob of a file of up to about 48 MiB (base64 adds a third).
 * A longer line is refused as soon as the limit is passed, so a stream without line ends cannot
 * make an import hold more than this.
 */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

const NEWLINE = 0x0a;

/**
 * Lines, numbered. A string is one line, or several if it holds line ends (the whole export as one
 * text); bytes are chunks of the file, split at line ends whatever their boundaries.
 *
 * Linear in the input: each chunk is searched for line ends once, and the bytes of a line that
 * spans chunks are kept as a list of pieces, joined and decoded once when its end arrives (a
 * newline byte never occurs inside a UTF-8 sequence, so splitting bytes is safe).
 */
async function* splitLines(chunks: ImportChunks, maxLineBytes: number = MAX_LINE_BYTES): AsyncGenerator<{ text: string; line: number }> {
  let pieces: Uint8Array[] = [];
  let pendingBytes = 0;
  let line = 0;
  const tooLong = (): never => {
    throw new ImportError({
      line: line + 1,
      reason: `the line is longer than ${maxLineBytes} bytes, the most one record can be (is a line end missing?).`,
    });
  };
  const finishLine = (last: Uint8Array) => {
    const bytes = pieces.length === 0 ? last : Buffer.concat([...pieces, last]);
    pieces = [];
    pendingBytes = 0;
    line += 1;
    return { text: stripCarriageReturn(decodeLine(bytes, line)), line };
  };
  for await (const chunk of chunks) {
    if (typeof chunk === 'string') {
      const lines = chunk.split('\n');
      if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
      for (const text of lines) {
        if (Buffer.byteLength(text, 'utf8') > maxLineBytes) tooLong();
        yield { text: stripCarriageReturn(text), line: ++line };
      }
      continue;
    }
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE, start); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      if (pendingBytes + (end - start) > maxLineBytes) tooLong();
      yield finishLine(chunk.subarray(start, end));
      start = end + 1;
    }
    if (start < chunk.length) {
      pendingBytes += chunk.length - start;
      if (pendingBytes > maxLineBytes) tooLong();
      // Copied: the caller may reuse its chunk's memory once we ask for the next one.
      pieces.push(Buffer.from(chunk.subarray(start)));
    }
  }
  if (pendingBytes > 0) yield finishLine(new Uint8Array(0));
}

/** A line's bytes as text; bytes that are not UTF-8 are refused with the line's number. */
function decodeLine(bytes: Uint8Array, line: number): string {
  try {
    // A byte order mark is dropped at the start of the stream only, as a streaming decoder would.
    return (line === 1 ? startDecoder : decoder).decode(bytes);
  } catch (error) {
    throw new ImportError({ line, reason: `the line is not valid UTF-8 (${(error as Error).message}).` });
  }
}

const startDecoder = new TextDecoder('utf-8', { fatal: true });
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function stripCarriageReturn(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}
