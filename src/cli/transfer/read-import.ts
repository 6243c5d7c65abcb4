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

/**
 * What to import from `file`. Checked here, before the command opens its store, so a mistyped name
 * is an error naming the file and changes nothing (opening a SQLite store that is not there creates it).
 */
export async function importSource(file: string): Promise<ImportSource> {
  // Stdin can be read only once; import keeps its lines in memory for the second read.
  if (file === STDIN_FILE) return process.stdin;
  let isFile: boolean;
  try {
    isFile = (await stat(file)).isFile();
    await access(file, constants.R_OK);
  } catch (error) {
    throw unusableFile('import file', file, error);
  }
  if (!isFile) throw unusableFile('import file', file, 'it is not a file');
  // Opened afresh for each of import's two reads (check, then write), so a large export is imported in
  // constant memory. No encoding: the stream yields byte chunks, which import splits into lines itself.
  return () => createReadStream(file);
}

export async function importWithProgress(store: SessionStore, source: ImportSource): Promise<ImportResult> {
  const bar = startProgressBar('Importing', 'lines');
  try {
    return await store.import(source, {
      // The check pass reports no total; the bar follows the write pass, whose total the check found.
      onProgress: ({ line, totalLines }) => {
        if (totalLines !== undefined) bar.update(line, totalLines);
      },
    });
  } finally {
    bar.stop();
  }
}
