/**
 * Which segments each session owns and which segments continue each segment, for `listSegments`:
 * `index/segments.jsonl`, one line `{"g":segment,"s":owner,"p":parent}` per segment, in commit
 * order (which is creation order, since commits hold the store's lock). Entries are checked against
 * the segment files by the caller, so a deleted segment simply stops being listed.
 */
import type { SegmentRecord } from '../../driver/driver.js';
import { ID_PATTERN } from '../../common/ids.js';
import { IndexLog } from './index-log.js';
import type { StoreLayout } from './layout.js';

interface Entry {
  segmentId: string;
  sessionId: string;
  parentId?: string;
}

export function formatSegmentIndexLine(segment: SegmentRecord): string {
  return `${JSON.stringify({ g: segment.id, s: segment.sessionId, ...(segment.parentId === undefined ? {} : { p: segment.parentId }) })}\n`;
}

export class SegmentIndex {
  private readonly bySession = new Map<string, string[]>();
  private readonly byParent = new Map<string, string[]>();
  private readonly seen = new Set<string>();
  private readonly log: IndexLog<Entry>;

  constructor(layout: StoreLayout, warn: (message: string) => void) {
    this.log = new IndexLog<Entry>(
      layout.segmentIndexFile,
      {
        parse: (value) => {
          const { g, s, p } = value;
          if (typeof g !== 'string' || typeof s !== 'string' || !ID_PATTERN.test(g) || !ID_PATTERN.test(s)) return undefined;
          if (p !== undefined && (typeof p !== 'string' || !ID_PATTERN.test(p))) return undefined;
          return { segmentId: g, sessionId: s, ...(p === undefined ? {} : { parentId: p }) };
        },
        apply: (entry) => this.add(entry),
        reset: () => {
          this.bySession.clear();
          this.byParent.clear();
          this.seen.clear();
        },
      },
      warn,
    );
  }

  /** Ids of the segments recorded for the owner or parent, oldest first. */
  async segmentIds(where: { sessionId: string } | { parentId: string }): Promise<string[]> {
    await this.log.refresh();
    const ids = 'sessionId' in where ? this.bySession.get(where.sessionId) : this.byParent.get(where.parentId);
    return [...(ids ?? [])];
  }

  private add(entry: Entry): void {
    if (this.seen.has(entry.segmentId)) return;
    this.seen.add(entry.segmentId);
    push(this.bySession, entry.sessionId, entry.segmentId);
    if (entry.parentId !== undefined) push(this.byParent, entry.parentId, entry.segmentId);
  }
}

function push(index: Map<string, string[]>, key: string, value: string): void {
  const values = index.get(key);
  if (values) values.push(value);
  else index.set(key, [value]);
}
