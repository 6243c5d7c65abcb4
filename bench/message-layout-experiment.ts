/**
 * Why 16 sessions appending at once reached ~3x one writer's rate on SQLite, not 4x (issue 18), and
 * what another message layout trades for it: the measurement behind schema 13, which adopted the
 * staging layout (src/drivers/sqlite/recent-messages.ts). Raw better-sqlite3 only, no sessionloom
 * code: `npx tsx bench/message-layout-experiment.ts` (about a minute).
 *
 * sessionloom keys a message row by its position, segment number * 2^32 + seq (schema 8), so one
 * session's history is one key range: a resume reads consecutive pages. But when many sessions
 * append at once, each append lands at the end of its own range, in the middle of the b-tree: a
 * full leaf there is split by rebalancing it with its siblings (several pages rewritten and their
 * parent), where an insert at the right edge of a b-tree only starts a new page. Read from the WAL
 * (which table each frame wrote): a group commit of 16 two-message appends wrote ~62 frames, 50 of
 * them message-table pages, about three per append for rows that fill a quarter of one.
 *
 * Layouts compared, each with the same rows (id, created_at, run_id, a ~450-byte body):
 *  - ranges:  schema 8 to 12's (position is the rowid), still where settled messages live;
 *  - staging: appends go to a rowid table in arrival order (always its right edge; position and id
 *             indexed), and every 512 messages one transaction moves them into the ranges table in
 *             position order (each session's rows then land together);
 *  - arrival: rows stored in arrival order for good, position a unique index (what most stores do).
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

type Layout = 'ranges' | 'staging' | 'arrival';

const SEGMENT = 2 ** 32;
const BODY = JSON.stringify({
  role: 'user',
  content: `Turn 5: ${'The build failed on the second step because the cache key changed. '.repeat(6)}`,
});
const MOVE_EVERY = 512;

function openLayout(path: string, layout: Layout) {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  const database = new Database(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  const columns = 'id TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL, run_id TEXT, body TEXT NOT NULL';
  database.exec(
    layout === 'arrival'
      ? `CREATE TABLE messages (position INTEGER NOT NULL UNIQUE, ${columns})`
      : `CREATE TABLE messages (position INTEGER PRIMARY KEY, ${columns})`,
  );
  database.exec(`CREATE TABLE staged (position INTEGER NOT NULL UNIQUE, ${columns})`);
  const insert = database.prepare(
    `INSERT INTO ${layout === 'staging' ? 'staged' : 'messages'} (position, id, created_at, run_id, body) VALUES (?, ?, ?, NULL, ?)`,
  );
  // A staged id must also be unique against the moved rows: one lookup per message.
  const movedId = database.prepare('SELECT 1 FROM messages WHERE id = ?');
  const moveStaged = database.transaction(() => {
    database.prepare('INSERT INTO messages SELECT position, id, created_at, run_id, body FROM staged ORDER BY position').run();
    database.prepare('DELETE FROM staged').run();
  });
  let ids = 0;
  let staged = 0;
  const seqs: number[] = [];
  const appendGroup = database.transaction((writers: number) => {
    for (let writer = 0; writer < writers; writer += 1) {
      for (let message = 0; message < 2; message += 1) {
        const seq = seqs[writer] ?? 0;
        seqs[writer] = seq + 1;
        const id = `msg_01M964J1283YSJ4E${String((ids += 1)).padStart(10, '0')}`;
        if (layout === 'staging') movedId.get(id);
        insert.run((writer + 1) * SEGMENT + seq, id, Date.now(), BODY);
      }
    }
  });
  return {
    database,
    /** One transaction holding one two-message append per writer; the staging move when due. */
    append(writers: number): void {
      appendGroup(writers);
      staged += 2 * writers;
      if (layout === 'staging' && staged >= MOVE_EVERY) {
        moveStaged();
        staged = 0;
      }
    },
    finish(): void {
      if (layout === 'staging') moveStaged();
      database.pragma('wal_checkpoint(TRUNCATE)');
      database.close();
    },
  };
}

function appendCost(layout: Layout, writers: number, groups: number): number {
  const store = openLayout(join(tmpdir(), `sessionloom-layout-${layout}.db`), layout);
  // A newer session (one more writer) with history of its own, so that even a lone writer's range
  // is not the right edge of the table: the usual case in a file holding many sessions.
  for (let group = 0; group < 300; group += 1) store.append(writers + 1);
  const started = performance.now();
  for (let group = 0; group < groups; group += 1) store.append(writers);
  const perAppendUs = ((performance.now() - started) / groups / writers) * 1000;
  store.finish();
  return perAppendUs;
}

/** One session's 10,000 messages, written interleaved with 15 other sessions', read back in a new connection. */
function interleavedResume(layout: Layout): number {
  const path = join(tmpdir(), `sessionloom-layout-read-${layout}.db`);
  const store = openLayout(path, layout);
  for (let group = 0; group < 5000; group += 1) store.append(16);
  store.finish();
  const samples: number[] = [];
  for (let round = 0; round < 5; round += 1) {
    const database = new Database(path, { readonly: true });
    const read = database
      .prepare('SELECT position, id, created_at, run_id, body FROM messages WHERE position BETWEEN ? AND ? ORDER BY position')
      .raw(true);
    const started = performance.now();
    const rows = read.all(5 * SEGMENT, 6 * SEGMENT - 1);
    samples.push(performance.now() - started);
    if (rows.length !== 10_000) throw new Error(`read ${rows.length} rows`);
    database.close();
  }
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  return samples.sort((left, right) => left - right)[2]!;
}

const layouts: Layout[] = ['ranges', 'staging', 'arrival'];
console.log('SQLite cost per two-message append, synchronous=NORMAL (no fsync per commit), median of 3 runs:');
for (const writers of [16, 1]) {
  const line = layouts.map((layout) => {
    const runs = [0, 1, 2].map(() => appendCost(layout, writers, writers === 16 ? 400 : 4000)).sort((a, b) => a - b);
    return `${layout} ${runs[1]!.toFixed(0)} us`;
  });
  console.log(`  ${writers === 16 ? '16 sessions, one transaction per group' : 'one session alone (a newer one exists)'}: ${line.join(', ')}`);
}
console.log('Resume of a session written interleaved with 15 others (10,000 of 160,000 messages), median of 5 new connections:');
console.log(`  ${layouts.map((layout) => `${layout} ${interleavedResume(layout).toFixed(1)} ms`).join(', ')}`);
