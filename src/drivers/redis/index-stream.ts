/**
 * Reading sorted-set indexes in (score, id) order, page by page from a keyset position (never by
 * offset, so a page costs its size wherever it is), and merging several of them into one order.
 *
 * Redis orders members of equal score by their bytes, ascending, and ZRANGE in reverse reverses
 * that: the same as `compareForQuery` (ids are ASCII, so bytes and UTF-16 units agree).
 */
import { asStringArray, type RedisConnection } from './connection.js';
import type { Position } from './query-plan.js';
import { PAGE_SCRIPT } from './scripts.js';

export interface IndexEntry {
  id: string;
  score: number;
  /** The index it came from (for removing it if its record is gone). */
  key: string;
}

const MAX_PAGE = 1024;

export class IndexStream {
  private buffer: IndexEntry[] = [];
  private position: Position | undefined;
  private exhausted = false;
  private pageSize: number;
  private readonly stopAtOrAbove: number | undefined;

  constructor(
    private readonly connection: RedisConnection,
    private readonly key: string,
    private readonly order: 'asc' | 'desc',
    options: { start?: Position; stopAtOrAbove?: number; pageSize: number },
  ) {
    this.position = options.start;
    this.stopAtOrAbove = options.stopAtOrAbove;
    this.pageSize = Math.max(1, Math.min(options.pageSize, MAX_PAGE));
  }

  /** The next entry without taking it, or undefined at the end. */
  async peek(): Promise<IndexEntry | undefined> {
    if (this.buffer.length === 0 && !this.exhausted) await this.fetch();
    return this.buffer[0];
  }

  take(): IndexEntry | undefined {
    return this.buffer.shift();
  }

  private async fetch(): Promise<void> {
    const reply = asStringArray(
      await this.connection.evaluate(
        PAGE_SCRIPT,
        [this.key],
        [this.order, this.pageSize, this.position?.score ?? '', this.position?.member ?? ''],
      ),
    );
    const pairs = reply.length / 2;
    if (pairs < this.pageSize) this.exhausted = true;
    for (let index = 0; index < reply.length; index += 2) {
      const id = reply[index];
      const scoreText = reply[index + 1];
      if (id === undefined || scoreText === undefined) throw new Error(`RedisDriver: the index "${this.key}" returned a malformed page.`);
      const score = Number(scoreText);
      // The exact text Redis printed is the next cursor: no rounding through a JavaScript number.
      this.position = { score: scoreText, member: id };
      if (this.stopAtOrAbove !== undefined && score >= this.stopAtOrAbove) {
        this.exhausted = true;
        break;
      }
      this.buffer.push({ id, score, key: this.key });
    }
    // Each further page is larger: a selective filter should not cost a round trip per few entries.
    this.pageSize = Math.min(this.pageSize * 2, MAX_PAGE);
  }
}

/** The entries of several streams, merged in (score, id) order for the direction. */
export async function* mergeStreams(streams: IndexStream[], order: 'asc' | 'desc'): AsyncGenerator<IndexEntry> {
  const direction = order === 'asc' ? 1 : -1;
  for (;;) {
    let best: { stream: IndexStream; entry: IndexEntry } | undefined;
    for (const stream of streams) {
      const entry = await stream.peek();
      if (entry === undefined) continue;
      if (best === undefined || compareEntries(entry, best.entry) * direction < 0) best = { stream, entry };
    }
    if (best === undefined) return;
    best.stream.take();
    yield best.entry;
  }
}

function compareEntries(left: IndexEntry, right: IndexEntry): number {
  if (left.score !== right.score) return left.score < right.score ? -1 : 1;
  return left.id < right.id ? -1 : left.id > right.id ? 1 : 0;
}
