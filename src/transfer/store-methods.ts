/**
 * `store.export()` and `store.import()`, wired onto `SessionStore` by the package entry. Transfer
 * is built on the store's public surface: its methods and `store.records` (the driver under the
 * store's deadline and scope).
 */
import { SessionStore } from '../session/store.js';
import { exportSessions, type ExportOptions } from './export.js';
import { importStream, type ImportOptions, type ImportResult } from './import.js';
import type { ImportSource } from './source.js';

declare module '../session/store.js' {
  interface SessionStore {
    /**
     * The sessions in this store's scope (or the ones named) as export lines (JSON Lines, one record
     * per line, each with its checksum): their histories, rewound tails, runs with events, and file
     * checkpoints with their blobs. A fork's exported history includes its source's messages up to the
     * fork point, never after. Write each line followed by a newline.
     *
     * @example
     * for await (const line of store.export()) out.write(line + '\n');
     */
    export(ids?: string[], options?: ExportOptions): AsyncGenerator<string>;
    /**
     * Reads an export into this store. The stream is checked whole first (checksums, format version,
     * structure, ownership): a damaged one is refused with an `ImportError` naming the line, and
     * nothing changes. Idempotent: what the store already has is skipped. Each session lands whole or not at all.
     *
     * @example
     * await store.import(() => createReadStream('sessions.jsonl'));
     */
    import(source: ImportSource, options?: ImportOptions): Promise<ImportResult>;
  }
}

SessionStore.prototype.export = function exportLines(this: SessionStore, ids?: string[], options?: ExportOptions): AsyncGenerator<string> {
  return exportSessions(this.records, ids, options);
};

SessionStore.prototype.import = function importLines(this: SessionStore, source: ImportSource, options?: ImportOptions): Promise<ImportResult> {
  return importStream(this.records, source, options);
};
