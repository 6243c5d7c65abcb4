/**
 * Public types of reading and finding any message: `getMessage` (one message by id, wherever it
 * lives) and `search` (full-text search over message text). Exported from the package root.
 */
import type { StoredMessage } from './types.js';

/**
 * Where a message lives for the session it was read through:
 * - `path`: on the session's path, as `getMessages` reads it;
 * - `compacted`: on the path, but behind a compaction that stands for it (`history` reads it);
 * - `rewound`: taken off the path by a rewind (its tail is in `branches(id).rewoundTails`).
 */
export type MessagePlacement = 'path' | 'compacted' | 'rewound';

export interface MessageLocation {
  placement: MessagePlacement;
  /** Its position along the path it was written on (1 is a conversation's first message). */
  position: number;
  /** The session that wrote it: this one, or for history a fork shares, the session it was forked from. */
  writtenBy: string;
  /** For `compacted`: the compaction message (the summary) that stands for it on the path. */
  compactedBy?: string;
}

/** What `getMessage` returns: the message as written, and where it lives. */
export interface FoundMessage {
  message: StoredMessage;
  location: MessageLocation;
}

export interface SearchOptions {
  /** Only messages of this user's sessions (a scoped store searches only its user's, whatever this says). */
  userId?: string;
  /** Only messages this session can read: its path (compacted parts included) and its rewound tails. */
  sessionId?: string;
  /** Only messages of this agent's sessions. */
  agentId?: string;
  /** Hits per page, 1 to 100 (default 20). */
  limit?: number;
  /** The next page: `nextCursor` of the previous page, with the same query and options. */
  cursor?: string;
}

export interface SearchHit {
  /** The session the message belongs to: the one written to, or `options.sessionId` when given. */
  sessionId: string;
  messageId: string;
  role: StoredMessage['role'];
  createdAt: number;
  /** The text around the first match, on one line, at most about 160 characters (`…` where it was cut). */
  snippet: string;
  /** `[start, end)` ranges of `snippet` that matched the query, for highlighting. */
  highlights: Array<[number, number]>;
  /** Relevance: higher is better. Comparable within one search, not across stores or queries. */
  score: number;
}

export interface SearchResult {
  /** Best first. */
  hits: SearchHit[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
  /**
   * Only on stores searched by scanning (memory, file, Redis, adapters): true when the scan stopped at
   * its bound before reading every message in scope, so later matches may be missing; narrow the
   * search with `userId` or `sessionId`.
   */
  partial?: boolean;
}
