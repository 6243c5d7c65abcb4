/**
 * Whether a SQLite file keeps its full-text index (the `searchIndex` option). The index's postings
 * are about half a settled message's bytes once bodies are packed (issue 18, measured on 10,000
 * messages: 194 of 533 B per message of varied prose; 171 of 705 B before packing), which a
 * store that never searches pays for nothing. Without the index, `store.search` still works: the
 * driver does not declare `search`, and the core answers with its bounded scan (search-scan.ts).
 *
 * The setting belongs to the file (store_settings, migration 11), not to a process, since several
 * processes may share the file. Opening with `searchIndex` given and different from the file's
 * switches the file, in one transaction under the write lock:
 * - off: the index emptied ('delete-all') and the backlog cleared: no postings, no backlog rows.
 * - on: the index emptied and every segment put on the backlog from its first position: the
 *   catch-up (search.ts) indexes every message before the next search, as for new appends.
 * Opening without the option keeps the file's setting (a new file keeps the index).
 *
 * Processes that opened the file before a switch stay correct without being told:
 * - One that keeps the index notes the backlog in each append as always (the common path reads
 *   nothing more). If the file was switched off, those notes are stray but harmless: nothing
 *   indexes while the file says off (the catch-up then clears them instead), and the switch back
 *   on resets the backlog whole. Its search reads the setting, the backlog and the index in one
 *   snapshot (search.ts), so it never answers from an index emptied by another process: with the
 *   file off it answers `undefined` and the core scans.
 * - One that opened it without the index reads the setting inside each write transaction (one
 *   row; the write lock held, so it cannot change before the commit) and, when the file says on,
 *   notes its appends in the backlog: the index misses none of them. Its searches scan (its
 *   capabilities were fixed at open), which finds the same messages in the same order.
 * Deleting messages stays correct either way: migration 10's trigger removes an entry only for a
 * message the backlog does not cover, and removing an entry the (empty) index does not hold
 * changes nothing.
 */
import { compile } from '../sql/compile.js';
import { sql } from '../sql/sql.js';
import type { BetterSqliteDatabaseLike, SqliteStatementLike } from './database.js';
import { sqliteDialect } from './dialect.js';

export const searchSettingStatementSources = {
  selectSearchIndexSetting: sql`SELECT search_index FROM store_settings WHERE id = 1`,
};

/** Whether the file keeps its index now (read inside a transaction to be sure it stays so until its end). */
export function fileKeepsSearchIndex(statement: SqliteStatementLike): boolean {
  const row = statement.get() as { search_index: number } | undefined;
  // Migration 11 writes the row and nothing deletes it: a file without it was changed by hand.
  if (row === undefined) throw new Error('SqliteDriver: the store_settings row is missing; the file was changed outside sessionloom.');
  return row.search_index === 1;
}

const switchOff = `
  INSERT INTO message_search (message_search) VALUES ('delete-all');
  DELETE FROM search_backlog;
  UPDATE store_settings SET search_index = 0 WHERE id = 1;
`;

// Emptied first too, so the invariant (a message is indexed exactly when the backlog does not
// cover it) holds whatever a process that kept indexing left behind.
const switchOn = `
  INSERT INTO message_search (message_search) VALUES ('delete-all');
  DELETE FROM search_backlog;
  INSERT INTO search_backlog (segment_number, from_position) SELECT number, number * 4294967296 FROM segments;
  UPDATE store_settings SET search_index = 1 WHERE id = 1;
`;

/**
 * Applies the option at open and returns the file's setting from then on. The common case (no
 * option, or the file's own setting) is a read; a switch re-reads the setting under the write lock,
 * so two processes switching at once each see a consistent file.
 */
export function applySearchIndexSetting(database: BetterSqliteDatabaseLike, wanted: boolean | undefined): boolean {
  const statement = database.prepare(compile(searchSettingStatementSources.selectSearchIndexSetting, sqliteDialect).text);
  const current = fileKeepsSearchIndex(statement);
  if (wanted === undefined || wanted === current) return current;
  database
    .transaction(() => {
      if (fileKeepsSearchIndex(statement) !== wanted) database.exec(wanted ? switchOn : switchOff);
    })
    .immediate();
  return wanted;
}
