/**
 * Settled message bodies, packed and deflated (schema: migration 12; issue 18, bytes).
 *
 * A message is immutable once appended (a rewind deletes, never edits), and a body alone compresses
 * poorly, while a run of a conversation's bodies compresses well. So a segment's settled messages
 * are packed PACK_SIZE at a time: their bodies move into one `message_packs` row (keyed by the
 * first position, holding the last, and one deflated blob), and each message row keeps its id,
 * time and run with the body '' (a marker: a body is always JSON, never empty; SQLite cannot drop
 * the NOT NULL of an existing column without rebuilding the table). The rows stay the truth of
 * which messages exist: the id index, ordering, the search trigger, rewinds and fork ranges read
 * them as before, and readers fill a '' body from the pack covering its position.
 *
 * Which pack covers a position: the segment's pack with the greatest first position at or below
 * it. That stays true because packs are made in position order from the segment's first unpacked
 * row (`packFrontier`), and a rewind deletes the packs that start after its cut: a pack the cut
 * goes through stays (its dead bodies are just bytes), and the messages appended after the cut
 * are packed later into a pack that starts after the old one and so covers them.
 *
 * PACK_SIZE = 128, measured: on varied prose (~410 B of JSON a message) a pack of 64 deflates to
 * 158 B a message, of 128 to 149, of 256 to 144; and a resume inflates one pack at a time, each
 * through a new zlib stream object, so fewer, larger packs cost less (10,000 messages filled in a
 * fresh process: ~33 ms with packs of 64, ~27 with 128). A `last: 50` read inflates at most two
 * packs of ~58 KB, and a session's newest messages (up to 127) are not packed yet.
 *
 * Blob layout (decoded with one inflate, one UTF-8 decode and one split): u32 size once inflated,
 * then raw deflate of the text: a header, then each body, all separated by U+001E. Since schema 14
 * the header is JSON (`PackHeader`): the messages' ids, times and runs, and their position offsets
 * from the first when they are not 0, 1, 2... (consecutive seqs), so a page read takes the packed
 * part of a history from the packs alone and reads no message row (pack-reads.ts). Before, the
 * header was the offsets alone ('' when consecutive); such packs are still read (their rows give
 * the rest).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { arg, sql } from '../sql/sql.js';
import type { SqliteStatementLike } from './database.js';
import { SEGMENT_SPAN } from './message-statements.js';

/** Bodies per pack (see above for why 64). */
export const PACK_SIZE = 128;
/**
 * deflate level 4, measured on 10,000 messages: on varied prose it deflates in 7.6 µs a message
 * against 12.7 at the default level 6 (153 against 150 B), and inflates as fast; levels 1 to 3
 * deflate faster still, but without lazy matching their matches are shorter, and inflating the
 * bench's repeated turn took 4-5 times as long (4.9 against 1.0 ms), which a resume pays.
 */
const PACK_LEVEL = 4;
/** The body a packed message's row keeps. */
export const PACKED = '';

const LAST_SEQ = SEGMENT_SPAN - 1;

/** The segment named by argument 1, as `segment.base` (its first position). */
const segmentRange = sql`(SELECT number * 4294967296 AS base FROM segments WHERE id = ${arg(1, 'text')}) AS segment`;

export const messagePackStatementSources = {
  // The packs a read needs: from the one covering its lowest packed position (selectLastPackStart
  // at or below it, within the segment) to its highest.
  selectPacksBetween: sql`
    SELECT first_position, bodies FROM message_packs WHERE first_position BETWEEN ${arg(1, 'integer')} AND ${arg(2, 'integer')}
    ORDER BY first_position`,
  selectLastPackStart: sql`SELECT max(first_position) AS first FROM message_packs WHERE first_position BETWEEN ${arg(1, 'integer')} AND ${arg(2, 'integer')}`,
  // The first unpacked row at or after arg 1 (within the segment ending at arg 2): rows of the last
  // pack are small once packed, so this scans at most one pack's rows.
  selectPackFrontier: sql`
    SELECT position FROM messages WHERE position BETWEEN ${arg(1, 'integer')} AND ${arg(2, 'integer')} AND body <> ''
    ORDER BY position LIMIT 1`,
  selectLastPosition: sql`SELECT max(position) AS last FROM messages WHERE position BETWEEN ${arg(1, 'integer')} AND ${arg(2, 'integer')}`,
  selectRowsToPack: sql`
    SELECT position, id, created_at, run_id, body FROM messages WHERE position BETWEEN ${arg(1, 'integer')} AND ${arg(2, 'integer')}
    ORDER BY position LIMIT ${arg(3, 'integer')}`,
  insertPack: sql`
    INSERT INTO message_packs (first_position, last_position, bodies)
    VALUES (${arg(1, 'integer')}, ${arg(2, 'integer')}, ${arg(3, 'bytes')})`,
  // The rows packed, deleted and inserted again with the body '' (migration 12 says why not an
  // UPDATE), with the range noted in message_repacking meanwhile so their search entries stay.
  noteRepacking: sql`INSERT INTO message_repacking (first_position, last_position) VALUES (${arg(1, 'integer')}, ${arg(2, 'integer')})`,
  deleteRowsToRepack: sql`DELETE FROM messages WHERE position BETWEEN ${arg(1, 'integer')} AND ${arg(2, 'integer')}`,
  insertUnpackedRow: sql`
    INSERT INTO messages (position, id, created_at, run_id, body)
    VALUES (${arg(1, 'integer')}, ${arg(2, 'text')}, ${arg(3, 'real')}, ${arg(4, 'text')}, ${arg(5, 'text')})`,
  insertPackedRow: sql`
    INSERT INTO messages (position, id, created_at, run_id, body)
    VALUES (${arg(1, 'integer')}, ${arg(2, 'text')}, ${arg(3, 'real')}, ${arg(4, 'text')}, '')`,
  forgetRepacking: sql`DELETE FROM message_repacking WHERE first_position = ${arg(1, 'integer')}`,
  // A rewind: packs starting after the cut hold no live message (the one it goes through stays).
  // Arguments as deleteMessagesAfter's (segment id, seq): the packs starting after the cut.
  deletePacksAfter: sql`
    DELETE FROM message_packs WHERE first_position IN (
      SELECT pack.first_position FROM ${segmentRange} CROSS JOIN message_packs AS pack
      WHERE pack.first_position BETWEEN segment.base + max(${arg(2, 'integer')} + 1, 0) AND segment.base + 4294967295)`,
  deleteSegmentPacks: sql`
    DELETE FROM message_packs WHERE first_position IN (
      SELECT pack.first_position FROM ${segmentRange} CROSS JOIN message_packs AS pack
      WHERE pack.first_position BETWEEN segment.base AND segment.base + 4294967295)`,
};

type PackStatements = Record<keyof typeof messagePackStatementSources, SqliteStatementLike>;

/** The first position of segment `number`'s key range. */
export const segmentBase = (number: number): number => number * SEGMENT_SPAN;
const segmentOf = (position: number): number => Math.floor(position / SEGMENT_SPAN);

/**
 * Between bodies: a control character, which JSON text never holds raw (JSON.stringify escapes it,
 * and it is not JSON whitespace), so one native split of the inflated text cuts the bodies apart.
 * Measured in a fresh process (a resume), a length table read with readUInt32LE cost 20-40 ms of
 * cold code for 10,000 messages; the split costs under 2.
 */
const SEPARATOR = '\u001e';

/** Whether these rows can share a pack: none holds the separator (a body written by sessionloom never does). */
export const packable = (rows: ReadonlyArray<{ body: string }>): boolean => rows.every((row) => row.body !== PACKED && !row.body.includes(SEPARATOR));

/** What a pack says of its messages besides their bodies (schema 14), each list in position order. */
export interface PackHeader {
  ids: string[];
  times: number[];
  /** Absent when no message of the pack belongs to a run. */
  runs?: Array<string | null>;
  /** Absent when the positions are consecutive (almost always). */
  offsets?: number[];
}

export function encodePack(rows: readonly RowToPack[]): Buffer {
  const first = rows[0]!.position;
  const offsets = rows.map((row) => row.position - first);
  const header: PackHeader = { ids: rows.map((row) => row.id), times: rows.map((row) => row.created_at) };
  if (rows.some((row) => row.run_id !== null)) header.runs = rows.map((row) => row.run_id);
  if (!offsets.every((offset, index) => offset === index)) header.offsets = offsets;
  // JSON escapes control characters, so the header never holds the separator.
  const text = [JSON.stringify(header), ...rows.map((row) => row.body)].join(SEPARATOR);
  const raw = Buffer.from(text, 'utf8');
  const size = Buffer.alloc(4);
  size.writeUInt32LE(raw.length, 0);
  return Buffer.concat([size, deflateRawSync(raw, { level: PACK_LEVEL })]);
}

/** A pack decoded: its bodies, their position offsets when not simply 0, 1, 2..., and (since schema 14) the rest of its messages. */
export interface DecodedPack {
  first: number;
  offsets: number[] | undefined;
  /** Element 0 is the header's text; body i is element i + 1. */
  parts: string[];
  /** Undefined for a pack written before schema 14 (its header was the offsets alone). */
  header: PackHeader | undefined;
}

export function decodePack(first: number, blob: Uint8Array): DecodedPack {
  const stored = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  // Inflated into one buffer a byte larger than the known size (exactly full, zlib asks for one more
  // chunk): its default 16 KB chunks cost a third more (measured).
  const bytes = inflateRawSync(stored.subarray(4), { chunkSize: Math.max(64, stored.readUInt32LE(0) + 1) });
  const parts = bytes.toString('utf8').split(SEPARATOR);
  const bodies = parts.length - 1;
  const damaged = (what: string) => new Error(`SqliteDriver: the message pack at position ${first} is damaged (${what} for ${bodies} bodies).`);
  if (parts[0]!.startsWith('{')) {
    const header = parseHeader(parts[0]!);
    if (header === undefined) throw damaged('an unreadable header');
    const lists: Array<[string, unknown]> = [['ids', header.ids], ['times', header.times]];
    if (header.runs !== undefined) lists.push(['runs', header.runs]);
    if (header.offsets !== undefined) lists.push(['offsets', header.offsets]);
    for (const [name, list] of lists) {
      if (!Array.isArray(list) || list.length !== bodies) throw damaged(`${Array.isArray(list) ? list.length : 'no'} ${name}`);
    }
    return { first, offsets: header.offsets, parts, header };
  }
  const offsets = parts[0] === '' ? undefined : parts[0]!.split(',').map(Number);
  if (offsets !== undefined && offsets.length !== bodies) throw damaged(`${offsets.length} offsets`);
  return { first, offsets, parts, header: undefined };
}

function parseHeader(text: string): PackHeader | undefined {
  try {
    return JSON.parse(text) as PackHeader;
  } catch {
    return undefined;
  }
}

/** The body at `position` in `pack`, or undefined when the pack does not hold it. */
function bodyIn(pack: DecodedPack, position: number): string | undefined {
  const offset = position - pack.first;
  const index = pack.offsets === undefined ? offset : pack.offsets.indexOf(offset);
  return index < 0 ? undefined : pack.parts[index + 1];
}

/**
 * Fills the packed bodies of `rows` (any order, any segments) from their packs: one statement per
 * segment for the range read, each pack inflated once. Run it in the transaction (or snapshot) that
 * read the rows, so the packs are the ones those rows were packed into.
 */
export function fillPackedBodies<Row>(
  statements: PackStatements,
  rows: readonly Row[],
  positionOf: (row: Row) => number,
  bodyOf: (row: Row) => string,
  setBody: (row: Row, body: string) => void,
): void {
  const bySegment = new Map<number, { rows: Row[]; low: number; high: number }>();
  for (const row of rows) {
    if (bodyOf(row) !== PACKED) continue;
    const position = positionOf(row);
    const segment = segmentOf(position);
    const found = bySegment.get(segment);
    if (found === undefined) bySegment.set(segment, { rows: [row], low: position, high: position });
    else {
      found.rows.push(row);
      if (position < found.low) found.low = position;
      if (position > found.high) found.high = position;
    }
  }
  for (const [segment, { rows: packed, low, high }] of bySegment) {
    const from = (statements.selectLastPackStart.get(segmentBase(segment), low) as { first: number | null }).first ?? low;
    const packs = (statements.selectPacksBetween.all(from, high) as Array<{ first_position: number; bodies: Uint8Array }>).map((pack) => ({
      first: pack.first_position,
      blob: pack.bodies,
      decoded: undefined as DecodedPack | undefined,
    }));
    for (const row of packed) {
      const position = positionOf(row);
      const pack = packs[coveringPack(packs, position)];
      const body = pack === undefined ? undefined : bodyIn((pack.decoded ??= decodePack(pack.first, pack.blob)), position);
      if (body === undefined) throw missingBody(position);
      setBody(row, body);
    }
  }
}

/** The index of the pack covering `position`: the last one starting at or below it (-1: none). */
function coveringPack(packs: ReadonlyArray<{ first: number }>, position: number): number {
  let chosen = -1;
  for (let low = 0, high = packs.length - 1; low <= high; ) {
    const middle = (low + high) >> 1;
    if (packs[middle]!.first <= position) {
      chosen = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return chosen;
}

export interface RowToPack {
  position: number;
  id: string;
  created_at: number;
  run_id: string | null;
  body: string;
}

/**
 * Packs segment `number`'s settled messages, PACK_SIZE at a time, from its first unpacked one, and
 * takes in `incoming`: the segment's rows from `recent_messages` (recent-messages.ts), in position
 * order, all after its rows here. A pack may hold both: rows already in `messages` are deleted and
 * inserted again small, incoming ones are inserted small at once (so they are written into
 * `messages` once). Incoming rows left over, too few to complete a pack, are inserted whole, or with
 * `keepLeftover` left where they are. Run inside a write transaction. Returns how many incoming rows
 * it took (from the first on).
 */
export function packSegment(
  statements: PackStatements,
  number: number,
  incoming: readonly RowToPack[] = [],
  options: { keepLeftover?: boolean } = {},
): number {
  const leftover = (rows: readonly RowToPack[], taken: number): number =>
    options.keepLeftover === true ? taken : taken + insertWhole(statements, rows);
  const base = segmentBase(number);
  const end = base + LAST_SEQ;
  const lastPack = (statements.selectLastPackStart.get(base, end) as { first: number | null }).first;
  let frontier = (statements.selectPackFrontier.get(lastPack ?? base, end) as { position: number } | undefined)?.position;
  // The unpacked rows here are at most the span from the frontier to the last row (seqs leave no
  // gaps but nothing depends on that): when even that cannot complete a pack, none are read.
  if (frontier !== undefined) {
    const { last } = statements.selectLastPosition.get(frontier, end) as { last: number };
    if (last - frontier + 1 + incoming.length < PACK_SIZE) frontier = undefined;
  }
  if (frontier === undefined && incoming.length < PACK_SIZE) return leftover(incoming, 0);
  /** The unpacked rows here after the last whole pack of them, fewer than PACK_SIZE. */
  let tail: RowToPack[] = [];
  while (frontier !== undefined) {
    const rows = statements.selectRowsToPack.all(frontier, end, PACK_SIZE) as RowToPack[];
    // Every row from the frontier on is unpacked (see above), and a body is JSON: a row that is
    // neither means a file changed by hand, and the segment's rows are left as they are.
    if (!packable(rows)) return insertWhole(statements, incoming);
    if (rows.length < PACK_SIZE) {
      tail = rows;
      break;
    }
    writePack(statements, rows, []);
    frontier = rows[rows.length - 1]!.position + 1;
  }
  // Incoming rows follow the rows here (a trim deletes from both tables) and are packable; if not, they are moved whole.
  if (!packable(incoming) || (incoming.length > 0 && tail.length > 0 && incoming[0]!.position <= tail[tail.length - 1]!.position)) {
    return insertWhole(statements, incoming);
  }
  let taken = 0;
  while (tail.length + incoming.length - taken >= PACK_SIZE) {
    const joining = incoming.slice(taken, taken + PACK_SIZE - tail.length);
    writePack(statements, tail, joining);
    taken += joining.length;
    tail = [];
  }
  return leftover(incoming.slice(taken), taken);
}

/** One pack of `here` (unpacked rows of `messages`, repacked) followed by `joining` (recent rows, inserted small). */
function writePack(statements: PackStatements, here: readonly RowToPack[], joining: readonly RowToPack[]): void {
  const rows = [...here, ...joining];
  statements.insertPack.run(rows[0]!.position, rows[rows.length - 1]!.position, encodePack(rows));
  if (here.length > 0) {
    const first = here[0]!.position;
    statements.noteRepacking.run(first, here[here.length - 1]!.position);
    statements.deleteRowsToRepack.run(first, here[here.length - 1]!.position);
    for (const row of here) statements.insertPackedRow.run(row.position, row.id, row.created_at, row.run_id);
    statements.forgetRepacking.run(first);
  }
  for (const row of joining) statements.insertPackedRow.run(row.position, row.id, row.created_at, row.run_id);
}

/** Recent rows into `messages` as they are (body kept); returns how many. */
function insertWhole(statements: PackStatements, rows: readonly RowToPack[]): number {
  for (const row of rows) statements.insertUnpackedRow.run(row.position, row.id, row.created_at, row.run_id, row.body);
  return rows.length;
}

/**
 * Fills the packed bodies of one segment's rows as a page read gives them (seq, id,
 * created_at, run_id, body), in seq order either way. This is a resume's path (10,000 rows in a
 * fresh process, so code that runs cold): one loop, no callbacks, the covering pack followed by
 * moving an index rather than searched for each row (profiled: the generic fill's callbacks and
 * search cost ~15 ms of a 10,000-message resume).
 */
export function fillPackedCells(
  statements: PackStatements,
  /** The segment's first position (its number * 2^32): the caller has read it. */
  base: number,
  rows: ReadonlyArray<[number, string, number, string | null, string]>,
): void {
  let low = Infinity;
  let high = -Infinity;
  for (const cells of rows) {
    if (cells[4] !== PACKED) continue;
    if (cells[0] < low) low = cells[0];
    if (cells[0] > high) high = cells[0];
  }
  if (low === Infinity) return;
  const from = (statements.selectLastPackStart.get(base, base + low) as { first: number | null }).first ?? base + low;
  const packs = statements.selectPacksBetween.all(from, base + high) as Array<{ first_position: number; bodies: Uint8Array }>;
  const decoded: Array<DecodedPack | undefined> = [];
  let index = -1;
  for (const cells of rows) {
    if (cells[4] !== PACKED) continue;
    const position = base + cells[0];
    while (index + 1 < packs.length && packs[index + 1]!.first_position <= position) index += 1;
    while (index >= 0 && packs[index]!.first_position > position) index -= 1;
    const pack = packs[index];
    const body = pack === undefined ? undefined : bodyIn((decoded[index] ??= decodePack(pack.first_position, pack.bodies)), position);
    if (body === undefined) throw missingBody(position);
    cells[4] = body;
  }
}

const missingBody = (position: number): Error =>
  new Error(`SqliteDriver: the message at position ${position} is packed, but no pack holds its body; the file was changed outside sessionloom.`);
