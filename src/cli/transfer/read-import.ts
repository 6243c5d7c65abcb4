/** Reading an export file (or stdin) into a store, with a progress bar over its lines. */
import { createReadStream } from 'node:fs';
import { access, constants, stat } from 'node:fs/promises';
import type { SessionStore } from '../../session/store.js';
import type { ImportResult } from '../../transfer/import.js';
import type { ImportSource } from '../../transfer/source.js';
import { startProgressBar } from '../progress.js';
import { unusableFile } from './file-error.js';

/** `-` reads stdin. */
export const STDIN_FILE = '-';

/** What to import, and for a file its size, so the check pass can show progress by bytes read. */
export interface ImportInput {
  source: ImportSource;
  /** Called with the bytes read so far by the first (checking) read; undefined for stdin. */
  watchChecking?: (onBytes: (read: number, total: number) => void) => void;
}

/**
 * What to import from `file`. Checked here, before the command opens its store, so a mistyped name
 * is an error naming the file and changes nothing (opening a SQLite store that is not there creates it).
 */
export async function importSource(file: string): Promise<ImportInput> {
  // Stdin can be read only once; import keeps its lines in memory for the second read.
  if (file === STDIN_FILE) return { source: process.stdin };
  let status;
  try {
    status = await stat(file);
    await access(file, constants.R_OK);
  } catch (error) {
    throw unusableFile('import file', file, error);
  }
  if (!status.isFile()) throw unusableFile('import file', file, 'it is not a file');
  const size = status.size;
  let reads = 0;
  let onChecking: ((read: number, total: number) => void) | undefined;
  return {
    // Opened afresh for each of import's two reads (check, then write), so a large export is imported in
    // constant memory. No encoding: the stream yields byte chunks, which import splits into lines itself.
    source: () => {
      const stream = createReadStream(file);
      reads += 1;
      if (reads === 1 && onChecking) {
        let read = 0;
        const report = onChecking;
        stream.on('data', (chunk) => report((read += chunk.length), size));
      }
      return stream;
    },
    watchChecking: (onBytes) => {
      onChecking = onBytes;
    },
  };
}

/** Imports with a bar for each of import's two reads: checking (by bytes, for a file), then writing (by lines). */
export async function importWithProgress(store: SessionStore, input: ImportInput): Promise<ImportResult> {
  const checking = startProgressBar('Checking ', 'bytes');
  input.watchChecking?.((read, total) => checking.update(read, total));
  const writing = startProgressBar('Importing', 'lines');
  try {
    return await store.import(input.source, {
      onProgress: ({ phase, line, totalLines }) => {
        if (phase !== 'importing' || totalLines === undefined) return;
        checking.stop();
        writing.update(line, totalLines);
      },
    });
  } finally {
    checking.stop();
    writing.stop();
  }
}
