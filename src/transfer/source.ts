/**
 * What `import` reads: the export's text, its lines (strings, as `export` yields them or readline
 * gives them) or byte chunks (as a file stream gives them), sync or async, or a function that
 * opens them afresh. Import reads its source twice (check everything, then write), so a one-shot
 * iterator is kept in memory on the first read; pass a function (as the CLI does with a file) to
 * import a large export in constant memory.
 */
import { InvalidArgumentError } from '../errors.js';

export type ImportChunks = Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;
export type ImportSource = string | ImportChunks | (() => ImportChunks);

/** Opens the source for one read, as lines (without their line ends), numbered from 1. */
export type LineReader = () => AsyncGenerator<{ text: string; line: number }>;

export function lineReader(source: ImportSource): LineReader {
  if (typeof source === 'string') return () => splitLines([source]);
  if (typeof source === 'function') return () => splitLines(source());
  if (source === null || typeof source !== 'object' || !(Symbol.iterator in source || Symbol.asyncIterator in source)) {
    throw new InvalidArgumentError({ argument: 'import source', message: 'expected the export text, an iterable of its lines or chunks, or a function returning one.' });
  }
  if (Array.isArray(source)) return () => splitLines(source);
  // A one-shot iterator: the first read keeps the lines for the second.
  let kept: string[] | undefined;
  return async function* () {
    if (kept) {
      yield* numbered(kept);
      return;
    }
    const lines: string[] = [];
    for await (const entry of splitLines(source)) {
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
 * Lines, numbered. A string is one line, or several if it holds line ends (the whole export as one
 * text); bytes are chunks of the file, joined and split at line ends whatever their boundaries.
 */
async function* splitLines(chunks: ImportChunks): AsyncGenerator<{ text: string; line: number }> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let rest = '';
  let line = 0;
  for await (const chunk of chunks) {
    if (typeof chunk === 'string') {
      const lines = chunk.split('\n');
      if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
      for (const text of lines) yield { text: stripCarriageReturn(text), line: ++line };
      continue;
    }
    rest += decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = rest.indexOf('\n'); end !== -1; end = rest.indexOf('\n', start)) {
      line += 1;
      yield { text: stripCarriageReturn(rest.slice(start, end)), line };
      start = end + 1;
    }
    rest = rest.slice(start);
  }
  rest += decoder.decode();
  if (rest.length > 0) yield { text: stripCarriageReturn(rest), line: line + 1 };
}

function stripCarriageReturn(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}
