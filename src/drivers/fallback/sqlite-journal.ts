/**
 * The journal in its own SQLite file (WAL, `synchronous=FULL`), so a process killed during an
 * outage loses none of it. The file is held with an exclusive lock, so two processes never share
 * one journal: the second takes another slot of the directory.
 *
 * better-sqlite3 is loaded when a journal is opened, not when this module is imported: a fallback
 * with a memory journal, and everything else in the package, never loads the native module.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { ConfigurationError } from '../../errors.js';
import { decodePayload, encodePayload, type Journal, type JournalEntry, type JournalPayload } from './journal.js';

const SLOTS = 64;

function loadSqlite(): typeof BetterSqlite3 {
  try {
    return createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  } catch (error) {
    throw new ConfigurationError({
      setting: 'better-sqlite3',
      message: 'The fallback store\'s SQLite journal needs the "better-sqlite3" package: run `npm install better-sqlite3`, or pass `fallback: \'memory\'` (a journal lost if the process dies).',
      cause: error,
    });
  }
}

export class SqliteJournal implements Journal {
  readonly id: string;
  readonly location: string;
  readonly directory: string;
  private readonly database: BetterSqlite3.Database;
  private readonly insert: BetterSqlite3.Statement;
  private readonly count: BetterSqlite3.Statement;
  private readonly mark: BetterSqlite3.Statement;

  private constructor(directory: string, location: string, database: BetterSqlite3.Database) {
    this.directory = directory;
    this.location = location;
    this.database = database;
    this.insert = database.prepare('INSERT INTO entries (payload) VALUES (?)');
    this.count = database.prepare('SELECT count(*) AS count FROM entries WHERE replayed = 0');
    this.mark = database.prepare('UPDATE entries SET replayed = 1 WHERE seq = ?');
    this.id = (database.prepare("SELECT value FROM journal_meta WHERE key = 'id'").get() as { value: string }).value;
  }

  /**
   * Opens the first journal slot under `directory` that no other live process holds. A slot left
   * by a crashed process is free again (the OS drops its lock), so the restarted process adopts its
   * pending entries.
   */
  static open(directory: string): SqliteJournal {
    const Database = loadSqlite();
    mkdirSync(directory, { recursive: true });
    let lastError: unknown;
    for (let slot = 0; slot < SLOTS; slot += 1) {
      const location = join(directory, `journal-${slot}.db`);
      let database: BetterSqlite3.Database | undefined;
      try {
        database = new Database(location, { timeout: 0 });
        // Exclusive locking keeps the file locked from the first write until close: the slot is ours.
        database.pragma('locking_mode = EXCLUSIVE');
        database.pragma('journal_mode = WAL');
        database.pragma('synchronous = FULL');
        const opened = database;
        opened
          .transaction(() => {
            opened.exec(`
              CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY AUTOINCREMENT, payload TEXT NOT NULL, replayed INTEGER NOT NULL DEFAULT 0);
              CREATE TABLE IF NOT EXISTS journal_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`);
            opened.prepare("INSERT OR IGNORE INTO journal_meta (key, value) VALUES ('id', ?)").run(randomUUID());
          })
          .immediate();
        return new SqliteJournal(directory, location, opened);
      } catch (error) {
        lastError = error;
        database?.close();
      }
    }
    throw new Error(`sessionloom fallback: every journal slot in "${directory}" is held by another process.`, { cause: lastError });
  }

  append(payload: JournalPayload): void {
    this.insert.run(encodePayload(payload));
  }

  entries(): JournalEntry[] {
    const rows = this.database.prepare('SELECT seq, payload, replayed FROM entries ORDER BY seq').all() as Array<{
      seq: number;
      payload: string;
      replayed: number;
    }>;
    return rows.map((row) => ({ seq: row.seq, payload: decodePayload(row.payload), replayed: row.replayed === 1 }));
  }

  markReplayed(seq: number): void {
    this.mark.run(seq);
  }

  clear(): void {
    this.database.prepare('DELETE FROM entries').run();
  }

  size(): number {
    return (this.count.get() as { count: number }).count;
  }

  close(): void {
    if (this.database.open) this.database.close();
  }
}
