/**
 * A page of one segment's messages (message-transactions.ts), its packed part taken from the packs
 * alone (issue 18, resume). Since schema 14 a pack holds its messages' ids, times and runs beside
 * their bodies (message-packs.ts), so a resume of 10,000 settled messages inflates ~79 packs and
 * reads no message row; reading the rows was the largest part of a fresh process's resume
 * (10,000 rows of five values built by better-sqlite3, cold: 15-30 ms of ~100, profiled).
 *
 * Which positions the packs answer for: every message of a segment up to its last packed one is
 * packed (packing goes in position order from the first unpacked row), and the pack holding a
 * position is the last one starting at or below it. A rewind deletes the rows after its cut and the
 * packs starting after it, so the pack it went through keeps dead entries after the cut: those lie
 * after the last packed row, or in the range of a newer pack, and are skipped. The rows after the
 * last packed one (unpacked in `messages`, or in `recent_messages`) are read as rows. A pack from
 * before schema 14 has no ids: a read that meets one reads the rows for the whole range, as before.
 */
import { decodePack, fillPackedCells, PACK_SIZE } from './message-packs.js';
import { SEGMENT_SPAN } from './message-statements.js';
import type { MessageCells } from './rows.js';
import type { Statements } from './statements.js';

type Order = 'asc' | 'desc';

/** The cells of positions `low` to `high` of the segment starting at `base`, in `order`, at most `limit` (-1: all). */
export function readPage(statements: Statements, base: number, low: number, high: number, order: Order, limit: number): MessageCells[] {
  if (limit === 0) return [];
  // A page of at most a pack's messages (`last: 50`) reads its rows, as before schema 14: parsing a
  // pack's header for a few of its messages bought nothing (warm `last: 50` of 10,000, medians of
  // 500, three runs: 455-560 us from the packs, 403-512 from the rows).
  if (limit !== -1 && limit <= PACK_SIZE) return readRows(statements, base, low, high, order, limit);
  const packedEnd = lastPackedPosition(statements, base);
  if (packedEnd === undefined || low > packedEnd) return readRows(statements, base, low, high, order, limit);
  const packedHigh = Math.min(high, packedEnd);
  const rest = (taken: number) => (limit === -1 ? -1 : limit - taken);
  if (order === 'asc') {
    const packed = readPacked(statements, base, low, packedHigh, 'asc', limit);
    if (packed === undefined) return readRows(statements, base, low, high, order, limit);
    if (packedHigh === high || packed.length === limit) return packed;
    return packed.concat(readRows(statements, base, packedHigh + 1, high, 'asc', rest(packed.length)));
  }
  // Newest first: the unpacked rows, then (when the limit leaves room) the packs.
  const newer = packedHigh < high ? readRows(statements, base, packedHigh + 1, high, 'desc', limit) : [];
  if (newer.length === limit) return newer;
  const packed = readPacked(statements, base, low, packedHigh, 'desc', rest(newer.length));
  if (packed === undefined) return readRows(statements, base, low, high, order, limit);
  return newer.concat(packed);
}

/** Both tables' rows of the range, merged by position (recent-messages.ts), packed bodies filled in. */
function readRows(statements: Statements, base: number, low: number, high: number, order: Order, limit: number): MessageCells[] {
  const statement = order === 'desc' ? statements.selectMergedCellsDescending : statements.selectMergedCellsAscending;
  // Read with positions (so both tables' indexes give the order), then made seqs.
  const rows = statement.all({ low, high, limit }) as MessageCells[];
  for (const cells of rows) cells[0] -= base;
  fillPackedCells(statements, base, rows);
  return rows;
}

/**
 * The segment's last packed position: the row before the first unpacked one after the last pack's
 * start, or the last row when none is unpacked; undefined when the segment has no pack.
 */
function lastPackedPosition(statements: Statements, base: number): number | undefined {
  const end = base + SEGMENT_SPAN - 1;
  const lastPack = (statements.selectLastPackStart.get(base, end) as { first: number | null }).first;
  if (lastPack === null) return undefined;
  const frontier = statements.selectPackFrontier.get(lastPack, end) as { position: number } | undefined;
  if (frontier !== undefined) return frontier.position - 1;
  return (statements.selectLastPosition.get(lastPack, end) as { last: number | null }).last ?? undefined;
}

/** The packed positions `low` to `high` from their packs, in `order`, at most `limit`; undefined when a pack predates schema 14. */
function readPacked(statements: Statements, base: number, low: number, high: number, order: Order, limit: number): MessageCells[] | undefined {
  const from = (statements.selectLastPackStart.get(base, low) as { first: number | null }).first ?? low;
  const packs = statements.selectPacksBetween.all(from, high) as Array<{ first_position: number; bodies: Uint8Array }>;
  const cells: MessageCells[] = [];
  for (let step = 0; step < packs.length; step += 1) {
    const index = order === 'asc' ? step : packs.length - 1 - step;
    const pack = decodePack(packs[index]!.first_position, packs[index]!.bodies);
    const header = pack.header;
    if (header === undefined) return undefined;
    // A newer pack (after a rewind) holds the positions from its start on.
    const next = packs[index + 1];
    const lowest = Math.max(low, pack.first);
    const highest = next === undefined ? high : Math.min(high, next.first_position - 1);
    const count = header.ids.length;
    for (let entry = 0; entry < count; entry += 1) {
      const at = order === 'asc' ? entry : count - 1 - entry;
      const position = pack.first + (header.offsets?.[at] ?? at);
      if (position < lowest || position > highest) continue;
      cells.push([position - base, header.ids[at]!, header.times[at]!, header.runs?.[at] ?? null, pack.parts[at + 1]!]);
      if (cells.length === limit) return cells;
    }
  }
  return cells;
}
