/**
 * The floor of a durable append on SQLite: raw better-sqlite3 writing the same rows sessionloom
 * writes for the messages of a turn (the message rows with their id index), in one transaction per
 * turn, same pragmas (WAL, synchronous=FULL), same file system. Nothing else: no session row, no
 * search index, no checks. sessionloom's append is reported as a ratio of this. Turns are written
 * one call at a time, so the bench can interleave them with sessionloom's appends.
 */
import Database from 'better-sqlite3';
import { encodeJson } from '../src/common/codec.js';
import type { MessageInput } from '../src/index.js';

export interface RawBaseline {
  /** Encoded message bodies, like those sessionloom stores: made before the timed inserts. */
  bodies(messages: MessageInput[]): string[];
  /** Inserts the rows after those already written, in one immediate transaction. */
  insertTurn(bodies: string[]): void;
  close(): void;
}

export function openRawBaseline(path: string, synchronous: 'FULL' | 'NORMAL'): RawBaseline {
  const database = new Database(path);
  database.pragma('journal_mode = WAL');
  database.pragma(`synchronous = ${synchronous}`);
  // The layout of sessionloom's schema 8: keyed by position (segment number * 2^32 + seq), id indexed.
  database.exec(`CREATE TABLE messages (
    position INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL,
    run_id TEXT, body TEXT NOT NULL, indexed INTEGER)`);
  const statement = database.prepare('INSERT INTO messages (position, id, created_at, run_id, body) VALUES (? + ?, ?, ?, NULL, ?)');
  let written = 0;
  // Ids as long as sessionloom's (26-letter ULIDs behind a prefix), so the rows are the same size.
  const id = (prefix: string, value: number) => `${prefix}_${String(value).padStart(26, '0')}`;
  const insertTurn = database.transaction((bodies: string[]) => {
    for (const body of bodies) {
      written += 1;
      statement.run(4294967296, written, id('msg', written), Date.now(), body);
    }
  });
  return {
    bodies: (messages) => messages.map((message) => encodeJson(message, { argument: 'bench', allowRichValues: true })),
    insertTurn: (bodies) => insertTurn.immediate(bodies),
    close: () => database.close(),
  };
}
