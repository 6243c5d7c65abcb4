/**
 * The raw better-sqlite3 baseline: the same rows sessionloom writes for an append (the message
 * row with its id index), one transaction per row, same pragmas, same file system. sessionloom's
 * durable append throughput is reported as a ratio of this.
 */
import Database from 'better-sqlite3';
import { encodeJson } from '../src/driver/codec.js';
import { timeOnce } from './measure.js';
import { sampleMessage } from './workload.js';

export async function rawInsertThroughput(path: string, rows: number, synchronous: 'FULL' | 'NORMAL'): Promise<number> {
  const database = new Database(path);
  database.pragma('journal_mode = WAL');
  database.pragma(`synchronous = ${synchronous}`);
  database.exec(`CREATE TABLE messages (
    segment_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL,
    run_id TEXT, body TEXT NOT NULL, PRIMARY KEY (segment_id, seq)) WITHOUT ROWID`);
  const insert = database.prepare('INSERT INTO messages (segment_id, seq, id, created_at, run_id, body) VALUES (?, ?, ?, ?, NULL, ?)');
  const insertOne = database.transaction((seq: number, body: string) => {
    insert.run('seg_baseline', seq, `msg_baseline_${seq}`, Date.now(), body);
  });
  const bodies = Array.from({ length: rows }, (_, index) => encodeJson(sampleMessage(index), { argument: 'bench', allowRichValues: true }));
  const elapsed = await timeOnce(async () => {
    for (let index = 0; index < rows; index += 1) insertOne.immediate(index + 1, bodies[index]!);
  });
  database.close();
  return rows / (elapsed / 1000);
}
