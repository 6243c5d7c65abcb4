/**
 * `sessionloom migrate --from URL --to URL`: copies every session from one store to another (say
 * SQLite to PostgreSQL) through an export file: the same checked, idempotent path as export and
 * import, so an interrupted migration is finished by running it again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { localUrlPath } from '../../drivers/registry.js';
import { SessionStore } from '../../session-store.js';
import type { ImportResult } from '../../transfer/import.js';
import { printJson, printLines, wantsJson } from '../output.js';
import { resolveStoreUrl } from '../store-url.js';
import { importSource, importWithProgress } from '../transfer/read-import.js';
import { describeExport, describeImport } from '../transfer/summary.js';
import { exportToFile, type ExportCounts } from '../transfer/write-export.js';

interface MigrateCommandOptions {
  from?: string;
  to: string;
  keep?: string;
}

export function addMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('copy every session, with its runs and checkpoints, from one store to another')
    .option('--from <url>', 'the store to copy from (default: the --store one)')
    .requiredOption('--to <url>', 'the store to copy into')
    .option('--keep <file>', 'keep the export in this file as a backup (default: a temporary file, removed afterwards)')
    .action(async (options: MigrateCommandOptions, command: Command) => {
      const fromUrl = options.from ?? resolveStoreUrl(command);
      if (storeIdentity(fromUrl) === storeIdentity(options.to)) {
        // A usage error (exit 2): commander prints it; migrating a store into itself would only re-read it.
        command.error('error: --from and --to name the same store; migrate copies sessions from one store into another.', {
          exitCode: 2,
          code: 'sessionloom.sameStore',
        });
      }
      if (options.to.trim().toLowerCase().startsWith('memory:')) {
        // The copy would live in this process's memory and be gone when migrate exits.
        command.error('error: --to memory: would copy every session into memory that is gone when migrate exits; give a lasting store (sqlite:PATH, file:DIR, postgres://..., redis://...).', {
          exitCode: 2,
          code: 'sessionloom.memoryTarget',
        });
      }
      const { exported, imported } = await withExportFile(options.keep, (file) => migrate(fromUrl, options.to, file));
      if (wantsJson(command)) {
        printJson({ exported: { ...(options.keep === undefined ? {} : { file: options.keep }), ...exported }, imported });
        return;
      }
      printLines(describeExport(exported, options.keep), describeImport(imported));
    });
}

async function migrate(fromUrl: string, toUrl: string, file: string): Promise<{ exported: ExportCounts; imported: ImportResult }> {
  // Both opened before the export starts, so a mistyped --to fails in a second, not after a long export.
  const from = await SessionStore.open(fromUrl);
  try {
    const to = await SessionStore.open(toUrl);
    try {
      const exported = await exportToFile(from, [], file);
      const imported = await importWithProgress(to, await importSource(file));
      return { exported, imported };
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
}

/** Runs `work` with the file to export to: `keep` when given (left in place), else one in a private temporary directory, removed afterwards. */
async function withExportFile<Result>(keep: string | undefined, work: (file: string) => Promise<Result>): Promise<Result> {
  if (keep !== undefined) return work(keep);
  const directory = await mkdtemp(join(tmpdir(), 'sessionloom-migrate-'));
  try {
    return await work(join(directory, 'export.jsonl'));
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** What tells two store URLs apart: SQLite and file stores by their absolute path (sqlite:./a.db is sqlite:a.db?searchIndex=off), others by the URL. */
function storeIdentity(url: string): string {
  const path = localUrlPath(url);
  if (path === undefined || path === ':memory:') return url;
  return `${url.slice(0, url.indexOf(':') + 1).toLowerCase()}${resolve(path)}`;
}
