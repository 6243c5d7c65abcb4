/**
 * The figures only SQLite has: durable append throughput as a share of a raw better-sqlite3
 * insert of the same rows (issue 2 promises at least half), and bytes on disk per message.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SessionStore } from '../src/index.js';
import { interleave, summarise } from './measure.js';
import { openRawBaseline } from './sqlite-baseline.js';
import { sampleMessage, sessionOfDepth, type OnProgress } from './workload.js';

export interface BaselineComparison {
  rows: number;
  sessionloomPerSecond: number;
  rawPerSecond: number;
  /** sessionloom / raw: 1.0 means sessionloom adds nothing to the database's own cost. */
  ratio: number;
  /** Of the medians of one row's time (raw median / sessionloom median): the same comparison without the tails. */
  medianRatio: number;
  /** Of the means without each side's slowest 1%. */
  trimmedRatio: number;
}

/**
 * One writer appending one message per call to a fresh file, against the raw baseline inserting
 * one row per transaction into another fresh file in the same directory (both synchronous=FULL,
 * so both fsync every row), alternating row by row like every interleaved measurement here.
 * Throughput is rows over the summed time of each side's calls.
 */
export async function throughputAgainstRaw(directory: string, rows: number, onProgress?: OnProgress): Promise<BaselineComparison> {
  const store = SessionStore.sqlite(join(directory, 'against-raw.db'));
  const raw = openRawBaseline(join(directory, 'raw.db'), 'FULL');
  try {
    const session = (await store.create()).id;
    // Encoding is sessionloom's work inside an append, but not the database's: the raw rows come encoded.
    const bodies = raw.bodies(rows + 1);
    const samples = await interleave(
      rows,
      (round) => store.append(session, sampleMessage(round)),
      async (round) => raw.insert([bodies[round]!]),
      (done) => onProgress?.(done, rows),
    );
    const sessionloom = summarise(samples.left);
    const baseline = summarise(samples.right);
    const perSecond = (mean: number) => 1000 / mean;
    return {
      rows,
      sessionloomPerSecond: perSecond(sessionloom.mean),
      rawPerSecond: perSecond(baseline.mean),
      ratio: baseline.mean / sessionloom.mean,
      medianRatio: baseline.median / sessionloom.median,
      trimmedRatio: baseline.trimmedMean / sessionloom.trimmedMean,
    };
  } finally {
    raw.close();
    await store.close();
  }
}

/** The file size of a store holding one session of `messages` messages, after a WAL checkpoint. */
export async function bytesPerMessage(directory: string, messages: number): Promise<number> {
  const path = join(directory, 'size.db');
  const store = SessionStore.sqlite(path);
  await sessionOfDepth(store, messages);
  await store.close();
  const database = new Database(path);
  database.pragma('wal_checkpoint(TRUNCATE)');
  database.close();
  return statSync(path).size / messages;
}
