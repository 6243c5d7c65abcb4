/**
 * SQLite pages read from packs (pack-reads.ts, schema 14): a pack holds its messages' ids, times and
 * runs, and a page takes its packed part from the packs alone. Every page must be what the messages
 * written make it, whatever the packs look like: gaps in the seqs (a pack with offsets), messages of
 * runs, a cut through a pack with new messages written and packed after it (dead entries in the old
 * pack), rows still unpacked or still in the recent table, limits that stop inside a pack, both
 * orders. Each check compares every page of a battery with a model kept by the test, on the file as
 * written and on a copy whose packs carry schema 13's headers (read through the rows, as before).
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { MessageRecord } from '../src/driver/driver.js';
import { SqliteDriver } from '../src/drivers/sqlite/driver.js';
import { decodePack, type PackHeader } from '../src/drivers/sqlite/message-packs.js';
import { latestSchemaVersion } from '../src/drivers/sqlite/migrations.js';
import { SessionStore } from '../src/index.js';
import { packBlob, writeSchema13PackHeaders } from './fixtures/sqlite-pack-headers.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-pack-reads-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let files = 0;
const newPath = (name: string): string => join(directory, `${name}-${(files += 1)}.db`);

/** What the test wrote to one segment, by seq: the truth every page is checked against. */
type Model = Map<number, MessageRecord>;

function message(segmentId: string, seq: number, tag: string): MessageRecord {
  const record: MessageRecord = {
    id: `msg_${tag}_${seq}`,
    segmentId,
    seq,
    // Fractional times must come back exactly.
    createdAt: 1_700_000_000_000 + seq * 1.5,
    body: JSON.stringify({ role: 'user', content: `${tag} message ${seq} ${'words '.repeat(seq % 7)}` }),
  };
  if (seq % 7 === 0) record.runId = `run_${tag}_${seq % 3}`;
  return record;
}

async function write(driver: SqliteDriver, model: Model, records: MessageRecord[]): Promise<void> {
  for (let start = 0; start < records.length; start += 25) await driver.commit({ messages: records.slice(start, start + 25) });
  for (const record of records) model.set(record.seq, record);
}

/** The pages checked: whole, windows across pack boundaries and the cut, and limits stopping inside packs. */
const RANGES: Array<[number, number]> = [[0, 1e6], [1, 128], [100, 300], [127, 131], [165, 175], [171, 171], [250, 420], [400, 1e6], [2000, 3000]];
const LIMITS = [undefined, 1, 3, 50, 128, 129, 250];

async function expectPagesAsModel(path: string, segmentId: string, model: Model): Promise<void> {
  const driver = new SqliteDriver({ path });
  try {
    for (const [fromSeq, toSeq] of RANGES) {
      for (const order of ['asc', 'desc'] as const) {
        for (const limit of LIMITS) {
          const inRange = [...model.values()].filter((record) => record.seq >= fromSeq && record.seq <= toSeq).sort((a, b) => a.seq - b.seq);
          if (order === 'desc') inRange.reverse();
          const expected = inRange.slice(0, limit ?? inRange.length);
          const page = await driver.readMessages(segmentId, { fromSeq, toSeq, order, ...(limit === undefined ? {} : { limit }) });
          expect(page, `${order} ${fromSeq}..${toSeq} limit ${limit}`).toEqual(expected);
        }
      }
    }
  } finally {
    await driver.close();
  }
}

/** The same checks on the file and on a copy whose packs are as schema 13 wrote them. */
async function expectBothWays(path: string, segmentId: string, model: Model): Promise<void> {
  await expectPagesAsModel(path, segmentId, model);
  const old = `${path}.schema13.db`;
  copyFileSync(path, old);
  const raw = new Database(old);
  try {
    writeSchema13PackHeaders(raw);
  } finally {
    raw.close();
  }
  await expectPagesAsModel(old, segmentId, model);
}

/** Each pack's count of entries, and whether it carries schema 14's header. */
function packs(path: string): Array<{ first: number; entries: number; header: boolean; offsets: boolean }> {
  const raw = new Database(path, { readonly: true });
  try {
    const rows = raw.prepare('SELECT first_position, bodies FROM message_packs ORDER BY first_position').all() as Array<{ first_position: number; bodies: Buffer }>;
    return rows.map((row) => {
      const decoded = decodePack(row.first_position, row.bodies);
      return { first: row.first_position % 2 ** 32, entries: decoded.parts.length - 1, header: decoded.header !== undefined, offsets: decoded.offsets !== undefined };
    });
  } finally {
    raw.close();
  }
}

/** A new session's segment, to which the test writes at driver level. */
async function newSegment(path: string): Promise<string> {
  const store = SessionStore.sqlite(path);
  const session = await store.create();
  await store.close();
  const driver = new SqliteDriver({ path });
  try {
    return (await driver.getSession(session.id))!.headSegmentId;
  } finally {
    await driver.close();
  }
}

describe('SQLite pages read from packs', () => {
  it('reads every page as written: gaps, runs, a cut through a pack, new packs after it, unpacked and recent rows', async () => {
    const path = newPath('pages');
    const segmentId = await newSegment(path);
    const model: Model = new Map();
    // Seqs 1..330 with two gaps (the first and second packs then need offsets), closed: packed.
    let driver = new SqliteDriver({ path });
    const seqs = Array.from({ length: 330 }, (_, index) => index + 1).filter((seq) => seq !== 50 && seq !== 51 && seq !== 200);
    await write(driver, model, seqs.map((seq) => message(segmentId, seq, 'first')));
    await driver.close();
    expect(packs(path)).toEqual([
      { first: 1, entries: 128, header: true, offsets: true },
      { first: 131, entries: 128, header: true, offsets: true },
    ]);
    await expectBothWays(path, segmentId, model);

    // A cut through the second pack (its entries after seq 170 dead), then new messages from 171 on,
    // left in the recent table (not closed) and then moved and packed from the first unpacked row.
    driver = new SqliteDriver({ path });
    expect(await driver.deleteMessagesAfter(segmentId, 170)).toBe(330 - 3 - 168);
    for (const seq of [...model.keys()]) if (seq > 170) model.delete(seq);
    await write(driver, model, Array.from({ length: 60 }, (_, offset) => message(segmentId, 171 + offset, 'second')));
    await expectPagesAsModel(path, segmentId, model);
    await write(driver, model, Array.from({ length: 240 }, (_, offset) => message(segmentId, 231 + offset, 'second')));
    await driver.close();
    expect(packs(path).map((pack) => pack.first)).toEqual([1, 131, 171, 299]);
    await expectBothWays(path, segmentId, model);

    // A cut exactly before a pack's start takes that pack; rows left whole after the last pack.
    driver = new SqliteDriver({ path });
    await driver.deleteMessagesAfter(segmentId, 298);
    for (const seq of [...model.keys()]) if (seq > 298) model.delete(seq);
    await write(driver, model, Array.from({ length: 20 }, (_, offset) => message(segmentId, 299 + offset, 'third')));
    await driver.close();
    expect(packs(path).map((pack) => pack.first)).toEqual([1, 131, 171]);
    await expectBothWays(path, segmentId, model);
  });

  it('reads a file whose packs are schema 13\'s, and packs written after its upgrade, alike', async () => {
    const path = newPath('upgrade');
    const segmentId = await newSegment(path);
    const model: Model = new Map();
    let driver = new SqliteDriver({ path });
    await write(driver, model, Array.from({ length: 300 }, (_, index) => message(segmentId, index + 1, 'old')));
    await driver.close();
    const raw = new Database(path);
    try {
      writeSchema13PackHeaders(raw);
      expect(raw.prepare('SELECT max(version) AS version FROM schema_migrations').get()).toEqual({ version: 13 });
      expect(raw.pragma('user_version', { simple: true })).toBe(0);
    } finally {
      raw.close();
    }
    expect(packs(path).map((pack) => pack.header)).toEqual([false, false]);
    await expectPagesAsModel(path, segmentId, model);

    // Upgraded on open; the next packs carry the header, the old ones stay as they were.
    driver = new SqliteDriver({ path });
    await write(driver, model, Array.from({ length: 300 }, (_, index) => message(segmentId, 301 + index, 'new')));
    await driver.close();
    expect(packs(path).map((pack) => pack.header)).toEqual([false, false, true, true]);
    const check = new Database(path, { readonly: true });
    try {
      expect(check.prepare('SELECT max(version) AS version FROM schema_migrations').get()).toEqual({ version: latestSchemaVersion() });
      expect(check.pragma('user_version', { simple: true })).toBe(latestSchemaVersion());
    } finally {
      check.close();
    }
    await expectPagesAsModel(path, segmentId, model);
  });

  it('refuses a pack whose header does not match its bodies, or cannot be read', async () => {
    const path = newPath('damaged');
    const segmentId = await newSegment(path);
    const driver = new SqliteDriver({ path });
    await write(driver, new Map(), Array.from({ length: 130 }, (_, index) => message(segmentId, index + 1, 'only')));
    await driver.close();
    const raw = new Database(path);
    const pack = raw.prepare('SELECT first_position, bodies FROM message_packs').get() as { first_position: number; bodies: Buffer };
    const decoded = decodePack(pack.first_position, pack.bodies);
    /** The file's one pack, its header text replaced by what `change` makes of the one it was written with. */
    const rewriteHeader = (change: (header: PackHeader) => string): void => {
      raw.prepare('UPDATE message_packs SET bodies = ? WHERE first_position = ?').run(packBlob(change(decoded.header!), decoded.parts.slice(1)), pack.first_position);
    };
    const expectRefusal = async (reason: RegExp): Promise<void> => {
      const reader = new SqliteDriver({ path });
      try {
        await expect(reader.readMessages(segmentId, { fromSeq: 0, toSeq: 1e6, order: 'asc' })).rejects.toThrow(reason);
      } finally {
        await reader.close();
      }
    };
    // One id short of the bodies: refused with what is wrong, not read shifted by one.
    rewriteHeader((header) => JSON.stringify({ ...header, ids: header.ids.slice(1) }));
    await expectRefusal(/damaged \(127 ids for 128 bodies\)/);
    rewriteHeader((header) => JSON.stringify(header).slice(0, 40));
    await expectRefusal(/damaged \(an unreadable header for 128 bodies\)/);
    raw.close();
  });
});
