/**
 * The raw better-sqlite3 baseline: the same rows sessionloom writes for an append (the message
 * row with its id index), one transaction per row, same pragmas, same file system. sessionloom's
 * durable append throughput is reported as a ratio of this. Rows are inserted a few at a time, so
 * the bench can interleave baseline rows with sessionloom appends and compare them side by side.
 */
import Database from 'better-sqlite3';
import { encodeJson } from '../src/common/codec.js';
import { sampleMessage } from './workload.js';

export interface RawBaseline {
  /** Encoded message bodies, like those sessionloom stores: made before the timed inserts. */
  bodies(rows: number): string[];
  /** Inserts the rows after those already written, one immediate transaction each. */
  insert(bodies: string[]): void;
  close(): void;
}

export function openRawBaseline(path: string, synchronous: 'FULL' | 'NORMAL'): RawBaseline {
  const database = new Database(path);
  database.pragma('journal_mode = WAL');
  database.pragma(`synchronous = ${synchronous}`);
  database.exec(`CREATE TABLE messages (
    segment_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL,
    run_id TEXT, body TEXT NOT NULL, PRIMARY KEY (segment_id, seq)) WITHOUT ROWID`);
  const statement = database.prepare('INSERT INTO messages (segment_id, seq, id, created_at, run_id, body) VALUES (?, ?, ?, ?, NULL, ?)');
  const insertOne = database.transaction((seq: number, body: string) => {
    statement.run('seg_baseline', seq, `msg_baseline_${seq}`, Date.now(), body);
  });
  let written = 0;
  return {
    bodies: (rows) => Array.from({ length: rows }, (_, index) => encodeJson(sampleMessage(index), { argument: 'bench', allowRichValues: true })),
    insert: (bodies) => {
      for (const body of bodies) insertOne.immediate((written += 1), body);
    },
    close: () => database.close(),
  };
}
