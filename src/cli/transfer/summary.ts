/** The one-line summaries export, import and migrate print for people (their --json output is the counts themselves). */
import type { ImportResult } from '../../transfer/import.js';
import type { ExportCounts } from './write-export.js';

/** `Exported 12 sessions (3,401 lines) to FILE`; without a file when the export was only a step of a migration. */
export function describeExport(counts: ExportCounts, file?: string): string {
  const where = file === undefined ? '' : ` to ${file}`;
  return `Exported ${count(counts.sessions, 'session')} (${count(counts.lines, 'line')})${where}`;
}

/** `Imported 12 sessions (2 already there), 3,401 messages, 5 runs, 1 checkpoint, 2 blobs` */
export function describeImport(result: ImportResult): string {
  const existing = result.sessions.existing > 0 ? ` (${result.sessions.existing.toLocaleString('en-US')} already there)` : '';
  return [
    `Imported ${count(result.sessions.imported, 'session')}${existing}`,
    count(result.messages, 'message'),
    count(result.runs, 'run'),
    count(result.checkpoints, 'checkpoint'),
    count(result.blobs, 'blob'),
  ].join(', ');
}

/** Like output.ts's `plural`, with thousands grouped: these counts run into the thousands. */
function count(value: number, noun: string): string {
  return `${value.toLocaleString('en-US')} ${value === 1 ? noun : `${noun}s`}`;
}
