/**
 * The session index: `index/sessions.jsonl`, one line per session write in commit order, so that
 * listing sessions reads one small log (tailed incrementally, like the other index logs) instead
 * of every session file.
 *
 *   {"c":commitId,"s":record}     the session record a commit published
 *   {"c":commitId,"d":sessionId}  a commit deleted the session
 *
 * The last line of an id wins (commits hold the store's lock, so the file is in commit order). The
 * session files stay the truth; this is a cache of them, and session-listing.ts decides when it
 * may be trusted (no commit in flight, checked against the files once per driver) and rebuilds it
 * from the files when it may not. `commitId` is the one the session file carries, so checking an
 * entry against its file is an exact comparison, even across a delete and a re-creation.
 *
 * Unlike the other index logs, which only point at data checked on use, a damaged line here
 * would silently hide a session's latest state: it marks the index `damaged`, and the listing
 * rebuilds it instead of skipping the line.
 *
 * Compaction: the log grows by a line per session write. When it holds more than twice the live
 * entries plus `COMPACT_SLACK` lines, the holder of the commit lock rewrites it with one line per
 * live session, atomically (temporary file + rename): a tailer sees the new inode and reads it
 * again from the start. The slack keeps a one-session store from rewriting on every append while
 * bounding what it keeps (64 lines of a session record each).
 */
import type { SessionQuery, SessionRecord } from '../../driver/driver.js';
import type { SessionOrderBy } from '../../types.js';
import { compareForQuery, isAfterCursor, matchesQuery } from '../../driver/query-match.js';
import { ID_PATTERN } from '../../common/ids.js';
import type { StoredSession } from './session-files.js';
import { TailedFile, type LineSink, type TailState } from './tailed-file.js';

export const COMPACT_SLACK = 64;

export function formatSessionIndexPut(record: SessionRecord, commitId: string): string {
  return `${JSON.stringify({ c: commitId, s: record })}\n`;
}

export function formatSessionIndexDelete(sessionId: string, commitId: string): string {
  return `${JSON.stringify({ c: commitId, d: sessionId })}\n`;
}

/** The whole file for these sessions: what a rebuild or a compaction writes. */
export function formatSessionIndex(sessions: Iterable<StoredSession>): string {
  let text = '';
  for (const { record, commitId } of sessions) text += formatSessionIndexPut(record, commitId);
  return text;
}

export class SessionIndex implements LineSink {
  /** Live sessions by id. Records are shared: callers copy before handing one out. */
  readonly entries = new Map<string, StoredSession>();
  /** A complete line that is not an entry was read: the index cannot be trusted until rebuilt. */
  damaged = false;
  /** Whether this process has read the index (only such a process checks after each commit whether to compact it). */
  loaded = false;
  /** Commits since a process that had not read the index last checked it (it reads it every `COMPACT_SLACK`). */
  commitsUnchecked = 0;
  private readonly tail: TailedFile;
  private state: TailState = { exists: false, size: 0, consumed: 0, lineCount: 0 };
  /** Live records sorted ascending by (orderBy, id), built on demand and dropped on any change. */
  private readonly sorted = new Map<SessionOrderBy, SessionRecord[]>();

  constructor(readonly path: string) {
    this.tail = new TailedFile(path, this);
  }

  /** Reads the lines appended since the last call. */
  async refresh(): Promise<TailState> {
    this.state = await this.tail.refresh();
    this.loaded = true;
    return this.state;
  }

  /** True when the file still is exactly what the last refresh read (one lstat). */
  unchangedSinceRefresh(): boolean {
    return this.tail.unchanged();
  }

  /** Forgets what was read: the next refresh reads the file from the start. */
  invalidate(): void {
    this.tail.invalidate();
  }

  get exists(): boolean {
    return this.state.exists;
  }

  /** True when the log has grown past what compaction allows (as of the last refresh). */
  get needsCompaction(): boolean {
    return this.state.lineCount > 2 * this.entries.size + COMPACT_SLACK;
  }

  line(bytes: Buffer): void {
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch {
      value = undefined;
    }
    const entry = typeof value === 'object' && value !== null ? (value as { c?: unknown; s?: unknown; d?: unknown }) : {};
    const record = entry.s as SessionRecord | undefined;
    if (typeof entry.c === 'string' && typeof record === 'object' && record !== null && typeof record.id === 'string' && ID_PATTERN.test(record.id)) {
      this.entries.set(record.id, { record, commitId: entry.c });
    } else if (typeof entry.c === 'string' && typeof entry.d === 'string') {
      this.entries.delete(entry.d);
    } else {
      this.damaged = true;
    }
    this.sorted.clear();
  }

  reset(): void {
    this.entries.clear();
    this.sorted.clear();
    this.damaged = false;
  }

  /**
   * The query's page from the index, with `overrides` (sessions whose file was read because a commit
   * is in flight on them; undefined: deleted) taking the place of their entries. Without overrides
   * the page is a walk over the sorted records from the cursor: its cost grows with the page, not
   * with the number of sessions (unless a filter rejects most of them).
   */
  select(query: SessionQuery, overrides: Map<string, SessionRecord | undefined>): SessionRecord[] {
    if (overrides.size > 0) {
      const records = [...this.entries.values()].filter(({ record }) => !overrides.has(record.id)).map(({ record }) => record);
      for (const record of overrides.values()) if (record) records.push(record);
      return records
        .filter((record) => matchesQuery(record, query) && isAfterCursor(record, query))
        .sort((left, right) => compareForQuery(left, right, query))
        .slice(0, Math.max(0, query.limit));
    }
    const sorted = this.sortedBy(query.orderBy);
    const page: SessionRecord[] = [];
    const limit = Math.max(0, query.limit);
    const ascending = query.order === 'asc';
    // Ascending walks forward from the first record after the cursor; descending walks back from the last before it.
    let position = query.after === undefined ? (ascending ? 0 : sorted.length - 1) : this.cursorStart(sorted, query);
    while (page.length < limit && position >= 0 && position < sorted.length) {
      const record = sorted[position] as SessionRecord;
      if (matchesQuery(record, query)) page.push(record);
      position += ascending ? 1 : -1;
    }
    return page;
  }

  private sortedBy(orderBy: SessionOrderBy): SessionRecord[] {
    let sorted = this.sorted.get(orderBy);
    if (!sorted) {
      const ascending: SessionQuery = { orderBy, order: 'asc', limit: 0 };
      sorted = [...this.entries.values()].map(({ record }) => record).sort((left, right) => compareForQuery(left, right, ascending));
      this.sorted.set(orderBy, sorted);
    }
    return sorted;
  }

  /** The index of the first record strictly after the cursor in the query's direction (binary search). */
  private cursorStart(sorted: SessionRecord[], query: SessionQuery): number {
    // `isAfterCursor` is monotone along the ascending order: false then true when ascending, true then false when descending.
    let low = 0;
    let high = sorted.length;
    const ascending = query.order === 'asc';
    while (low < high) {
      const middle = (low + high) >>> 1;
      const after = isAfterCursor(sorted[middle] as SessionRecord, query);
      if (ascending ? after : !after) high = middle;
      else low = middle + 1;
    }
    return ascending ? low : low - 1;
  }
}
