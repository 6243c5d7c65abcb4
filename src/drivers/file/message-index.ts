/**
 * Where each message lives, for `locateMessage` and the duplicate-id check: `index/messages/<xx>.jsonl`,
 * 256 shards chosen by a hash of the message id, one line `id segment seq offset` per message (offset:
 * where its line starts in the segment file, so finding it reads that line only). Ids never hold a
 * space (ID_PATTERN), so the fields need no quoting. Stores written before this form hold JSON lines
 * `{"m":id,"g":segment,"q":seq,"o":offset}`, which are still read; the compact form is a quarter of
 * the bytes the store keeps per message less (issue 18's bytes target: a line per message adds up).
 * A process loads only the shards it is asked about, and then only what was appended since it last
 * looked. Entries are hints checked against the segment file (see IndexLog), so the newest
 * entry for an id wins: an id may be used again once retention deleted its first message.
 */
import type { MessageRecord } from '../../driver/driver.js';
import { ID_PATTERN } from '../../common/ids.js';
import { IndexLog } from './index-log.js';
import type { StoreLayout } from './layout.js';

export interface MessageLocation {
  segmentId: string;
  seq: number;
  /** Where the message's line starts in its segment file, when the entry recorded it (a hint, checked on use). */
  offset?: number;
}

interface Shard {
  log: IndexLog<{ messageId: string; location: MessageLocation }>;
  locations: Map<string, MessageLocation>;
}

export function formatMessageIndexLine(message: MessageRecord, offset: number | undefined): string {
  return `${message.id} ${message.segmentId} ${message.seq}${offset === undefined ? '' : ` ${offset}`}\n`;
}

/** An entry from its fields, or undefined when they are not one (a damaged line). */
function entryOf(m: unknown, g: unknown, q: unknown, o: unknown): { messageId: string; location: MessageLocation } | undefined {
  if (typeof m !== 'string' || typeof g !== 'string' || !ID_PATTERN.test(m) || !ID_PATTERN.test(g)) return undefined;
  if (!Number.isSafeInteger(q) || (q as number) < 1) return undefined;
  // Entries written before offsets were recorded have none: they are found the long way.
  const offset = Number.isSafeInteger(o) && (o as number) > 0 ? { offset: o as number } : {};
  return { messageId: m, location: { segmentId: g, seq: q as number, ...offset } };
}

/** A decimal field of a compact line; NaN (refused by entryOf) for anything else. */
function decimal(field: string | undefined): number | undefined {
  if (field === undefined) return undefined;
  return /^[0-9]{1,16}$/.test(field) ? Number(field) : Number.NaN;
}

export class MessageIndex {
  private readonly shards = new Map<string, Shard>();

  constructor(
    private readonly layout: StoreLayout,
    private readonly warn: (message: string) => void,
  ) {}

  /** The file holding `messageId`'s entry. */
  shardFile(messageId: string): string {
    return this.layout.messageIndexFile(messageId);
  }

  /** The newest recorded location of the id (unchecked: the caller verifies it against the segment). */
  async lookup(messageId: string): Promise<MessageLocation | undefined> {
    const shard = this.shard(this.shardFile(messageId));
    await shard.log.refresh();
    const location = shard.locations.get(messageId);
    return location && { ...location };
  }

  clear(): void {
    this.shards.clear();
  }

  private shard(path: string): Shard {
    let shard = this.shards.get(path);
    if (!shard) {
      const locations = new Map<string, MessageLocation>();
      const log = new IndexLog<{ messageId: string; location: MessageLocation }>(
        path,
        {
          parse: (value) => entryOf(value.m, value.g, value.q, value.o),
          parseCompact: (text) => {
            const fields = text.split(' ');
            if (fields.length < 3 || fields.length > 4) return undefined;
            return entryOf(fields[0], fields[1], decimal(fields[2]), decimal(fields[3]));
          },
          apply: (entry) => locations.set(entry.messageId, entry.location),
          reset: () => locations.clear(),
        },
        this.warn,
      );
      shard = { log, locations };
      this.shards.set(path, shard);
    }
    return shard;
  }
}
