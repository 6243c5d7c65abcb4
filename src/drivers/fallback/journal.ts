/**
 * The fallback store's journal: an ordered, durable log of what was written while the primary was
 * down, replayed to the primary on recovery. It lives in its own SQLite file (WAL,
 * `synchronous=FULL`), so a process killed during an outage loses none of it, and the file is held
 * with an exclusive lock, so two processes never share one journal: the second takes another slot.
 * A `memory` journal (when asked for) keeps the same log in an array and dies with the process.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { decodeJson, encodeJson } from '../../common/codec.js';
import type { SegmentRecord, SessionRecord, WriteBatch } from '../../driver/driver.js';

/** One journal entry: the state a pre-outage session was seeded from, or a batch written while degraded. */
export type JournalPayload =
  | { kind: 'seed'; session: SessionRecord; segments: SegmentRecord[] }
  | { kind: 'batch'; batch: WriteBatch };

export interface JournalEntry {
  seq: number;
  payload: JournalPayload;
  replayed: boolean;
}

export interface Journal {
  /** Identifies this journal in replay markers, so markers of two journals never collide. */
  readonly id: string;
  /** Where it is kept (`memory` for a memory journal). */
  readonly location: string;
  append(payload: JournalPayload): void;
  /** Every entry, in order, with whether it was already replayed (a replay interrupted halfway resumes). */
  entries(): JournalEntry[];
  /** Records that the entry reached the primary. */
  markReplayed(seq: number): void;
  /** Empties the journal once every entry reached the primary. */
  clear(): void;
  /** Entries not yet replayed. */
  size(): number;
  close(): void;
}

export class MemoryJournal implements Journal {
  readonly id = randomUUID();
  readonly location = 'memory';
  private log: JournalEntry[] = [];
  private nextSeq = 1;

  append(payload: JournalPayload): void {
    this.log.push({ seq: this.nextSeq++, payload: structuredClone(payload), replayed: false });
  }
  entries(): JournalEntry[] {
    return structuredClone(this.log);
  }
  markReplayed(seq: number): void {
    for (const entry of this.log) if (entry.seq === seq) entry.replayed = true;
  }
  clear(): void {
    this.log = [];
  }
  size(): number {
    return this.log.filter((entry) => !entry.replayed).length;
  }
  close(): void {}
}

const SLOTS = 64;
const CODEC_PREFIX = 'sl1:';

function decodePayload(text: string): JournalPayload {
  return (text.startsWith(CODEC_PREFIX) ? decodeJson(text.slice(CODEC_PREFIX.length)) : JSON.parse(text)) as JournalPayload;
}

export class SqliteJournal implements Journal {
  readonly id: string;
  readonly location: string;
  private readonly database: Database.Database;
  private readonly insert: Database.Statement;
  private readonly count: Database.Statement;
  private readonly mark: Database.Statement;

  private constructor(location: string, database: Database.Database) {
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
    mkdirSync(directory, { recursive: true });
    let lastError: unknown;
    for (let slot = 0; slot < SLOTS; slot += 1) {
      const location = join(directory, `journal-${slot}.db`);
      let database: Database.Database | undefined;
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
        return new SqliteJournal(location, opened);
      } catch (error) {
        lastError = error;
        database?.close();
      }
    }
    throw new Error(`sessionloom fallback: every journal slot in "${directory}" is held by another process.`, { cause: lastError });
  }

  append(payload: JournalPayload): void {
    // The lossless codec, since batches may carry bytes (checkpoint blobs); the prefix tells these
    // entries from plain-JSON ones an earlier version wrote, which are still read as they were.
    this.insert.run(CODEC_PREFIX + encodeJson(payload, { argument: 'journal entry', allowRichValues: true, dropUndefinedKeys: true }));
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
