/**
 * `sessionloom import FILE`: reads an export into the store. The whole file is checked before
 * anything is written, so a damaged one changes nothing; importing the same file again is safe
 * (what the store already has is left as it is).
 */
import type { Command } from 'commander';
import { printJson, printLines, wantsJson } from '../output.js';
import { withStore } from '../store-url.js';
import { importSource, importWithProgress, STDIN_FILE } from '../transfer/read-import.js';
import { describeImport } from '../transfer/summary.js';

export function addImportCommand(program: Command): void {
  program
    .command('import')
    .description('read an export (from `sessionloom export`) into the store; sessions it already has are kept as they are')
    .argument('<file>', `the export file, or ${STDIN_FILE} for stdin`)
    .action(async (file: string, _options: unknown, command: Command) => {
      const source = await importSource(file);
      const result = await withStore(command, (store) => importWithProgress(store, source));
      if (wantsJson(command)) printJson(result);
      else printLines(describeImport(result));
    });
}
