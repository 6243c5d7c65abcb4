/**
 * `sessionloom export [ids...]`: sessions with their history, runs and checkpoints as one
 * versioned JSON Lines stream (see src/transfer/format.ts), to a file or to stdout.
 */
import type { Command } from 'commander';
import { printJson, printLines, wantsJson } from '../output.js';
import { withReadOnlyStore } from '../store-url.js';
import { describeExport } from '../transfer/summary.js';
import { exportToFile, exportToStream } from '../transfer/write-export.js';

export function addExportCommand(program: Command): void {
  program
    .command('export')
    .description('write sessions (all of them, or the ones named) with their runs and checkpoints as one JSON Lines stream')
    .argument('[ids...]', 'the sessions to export (default: every session)')
    .option('--out <file>', 'write to this file, created private (mode 0600) and only once complete (default: stdout)')
    .action(async (ids: string[], options: { out?: string }, command: Command) => {
      const file = options.out;
      if (file === undefined) {
        // stdout is the data: no summary, not even with --json, so `export > FILE` and `export | ...` get the stream alone.
        await withReadOnlyStore(command, (store) => exportToStream(store, ids, process.stdout));
        return;
      }
      const counts = await withReadOnlyStore(command, (store) => exportToFile(store, ids, file));
      if (wantsJson(command)) printJson({ file, ...counts });
      else printLines(describeExport(counts, file));
    });
}
