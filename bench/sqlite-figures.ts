/**
 * The figures only SQLite has, each against a floor measured in the same run: a durable append of
 * a turn (two messages, one call) against raw better-sqlite3 writing the same two rows in one
 * transaction (issue 18: at least 0.8x, at every depth), and bytes on disk per message against the
 * message's own JSON (issue 18: at most 1.3x, search index included).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SessionStore } from '../src/index.js';
import { interleave, summarise } from './measure.js';
import { openRawBaseline } from './sqlite-baseline.js';
import type { MessageInput } from '../src/index.js';
import { turnMessages, type OnProgress } from './workload.js';

export interface BaselineComparison {
  depth: number;
  turns: number;
  sessionloomMs: number;
  rawMs: number;
  /** raw / sessionloom, of the means: 1.0 means sessionloom adds nothing to the database's own cost. */
  ratio: number;
  /** Of the medians: the same comparison without the tails. */
  medianRatio: number;
  /** Of the means without each side's slowest 1%. */
  trimmedRatio: number;
}

/**
 * Turns written one per call, untimed, on both sides before the measured ones, to a session of their
 * own: by then both WALs have grown to their working size (SQLite starts a WAL over from its
 * beginning after each checkpoint, every 1,000 pages, so a running store writes into a file of that
 * size). Growing a new WAL file costs each fsync more (the file's size changes with it), and the two
 * sides grow theirs at different paces (about 7 pages a turn against 3), so without this the first
 * hundreds of turns weigh a new file's growth, not an append.
 */
const WARM_UP_TURNS = 600;

/** A session of `depth` messages, written a turn at a time (500 turns per call). */
async function sessionOfTurns(store: SessionStore, depth: number): Promise<string> {
  const session = await store.create();
  for (let turn = 0; turn < depth / 2; turn += 250) {
    const turns = Math.min(250, depth / 2 - turn);
    await store.append(session.id, Array.from({ length: turns }, (_, offset) => turnMessages(turn + offset)).flat());
  }
  return session.id;
}

/**
 * One writer appending a turn per call to a session of `depth` messages, against the raw baseline
 * writing the same two rows per transaction into another file in the same directory (both
 * synchronous=FULL, so both fsync every turn), alternating turn by turn like every interleaved
 * measurement here. Each depth has its own pair of files, so both sides start from equal WALs.
 * With `searchIndex: false`, the store's file keeps no full-text index (appends then pay no share of
 * the index's catch-up).
 */
export async function appendAgainstRaw(
  directory: string,
  depth: number,
  turns: number,
  onProgress?: OnProgress,
  options: { searchIndex?: boolean } = {},
): Promise<BaselineComparison> {
  const name = `${depth}${options.searchIndex === false ? '-without-index' : ''}`;
  const store = SessionStore.sqlite(join(directory, `against-raw-${name}.db`), options);
  const raw = openRawBaseline(join(directory, `raw-${name}.db`), 'FULL');
  try {
    const session = await sessionOfTurns(store, depth);
    const warmUp = (await store.create()).id;
    for (let turn = 0; turn < WARM_UP_TURNS; turn += 1) {
      await store.append(warmUp, turnMessages(turn));
      raw.insertTurn(raw.bodies(turnMessages(turn)));
    }
    // Encoding is sessionloom's work inside an append, not the database's: the raw rows come encoded.
    const bodies = Array.from({ length: turns + 1 }, (_, round) => raw.bodies(turnMessages(depth + round)));
    const samples = await interleave(
      turns,
      (round) => store.append(session, turnMessages(depth + round)),
      async (round) => raw.insertTurn(bodies[round]!),
      (done) => onProgress?.(done, turns),
    );
    const sessionloom = summarise(samples.left);
    const baseline = summarise(samples.right);
    return {
      depth,
      turns,
      sessionloomMs: sessionloom.mean,
      rawMs: baseline.mean,
      ratio: baseline.mean / sessionloom.mean,
      medianRatio: baseline.median / sessionloom.median,
      trimmedRatio: baseline.trimmedMean / sessionloom.trimmedMean,
    };
  } finally {
    raw.close();
    await store.close();
  }
}

/**
 * Turns of varied prose: this repository's README, cut into consecutive ~380-character pieces. The
 * issue-18 turn repeats one paragraph with a new number, which deflate shrinks to almost nothing
 * once SQLite packs settled messages (message-packs.ts); real conversations do not, so the bench
 * prints the bytes of both.
 */
export function proseTurns(): (turn: number) => MessageInput[] {
  const text = readFileSync(new URL('../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
  const piece = (index: number) => {
    const at = (index * 380) % (text.length - 380);
    return text.slice(at, at + 380);
  };
  return (turn) => [
    { role: 'user', content: piece(2 * turn) },
    { role: 'assistant', content: [{ type: 'text', text: piece(2 * turn + 1) }] },
  ];
}

export interface BytesPerMessage {
  messages: number;
  /** The file, settled (every message indexed and packed, WAL checkpointed), per message. */
  fileBytes: number;
  /** The messages as read back (`JSON.stringify` of each: id, time, role, content), per message. */
  jsonBytes: number;
  /** Of the file's bytes, the search index's. */
  indexBytes: number;
  ratio: number;
  /** Per message, each table and index holding more than a few pages (dbstat), largest first; the rest summed as `other`. */
  breakdown: Array<{ name: string; bytes: number }>;
}

/** Tables and indexes under this many bytes (empty ones: a page each) are summed as `other`. */
const BREAKDOWN_FLOOR = 16 * 4096;

/**
 * The file size of a store holding one session of `messages` messages written a turn at a time,
 * settled; with `searchIndex: false`, of a file kept without the full-text index (its searches scan).
 */
export async function bytesPerMessage(
  directory: string,
  messages: number,
  options: { searchIndex?: boolean; turn?: (turn: number) => MessageInput[]; name?: string } = {},
): Promise<BytesPerMessage> {
  const path = join(directory, `${options.name ?? 'size'}${options.searchIndex === false ? '-without-index' : ''}.db`);
  const store = SessionStore.sqlite(path, { searchIndex: options.searchIndex });
  const session = await store.create();
  const turn = options.turn ?? turnMessages;
  for (let index = 0; index < messages / 2; index += 1) await store.append(session.id, turn(index));
  const stored = await store.getMessages(session.id);
  const jsonBytes = stored.reduce((total, message) => total + Buffer.byteLength(JSON.stringify(message)), 0) / stored.length;
  // Settled: a search brings the index up to date; closing the store packs the session's settled
  // messages (settle.ts: all but the newest, fewer than a pack's 128; the appends packed most of
  // them already, each 512 messages); and the WAL is checkpointed below. FTS5's 'optimize'
  // (merging the index's segments into one) is not run: measured, it saves under 1%.
  await store.search('settled');
  await store.close();
  const database = new Database(path);
  database.pragma('wal_checkpoint(TRUNCATE)');
  const index = database.prepare("SELECT sum(pgsize) AS bytes FROM dbstat WHERE name LIKE 'message\\_search%' ESCAPE '\\'").get() as { bytes: number };
  const tables = database.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all() as Array<{ name: string; bytes: number }>;
  database.close();
  const large = tables.filter((table) => table.bytes >= BREAKDOWN_FLOOR);
  const other = tables.filter((table) => table.bytes < BREAKDOWN_FLOOR).reduce((total, table) => total + table.bytes, 0);
  const breakdown = [...large, { name: 'other', bytes: other }].map((table) => ({ name: table.name, bytes: table.bytes / messages }));
  const fileBytes = statSync(path).size / messages;
  return { messages, fileBytes, jsonBytes, indexBytes: index.bytes / messages, ratio: fileBytes / jsonBytes, breakdown };
}
