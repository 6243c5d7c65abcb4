/**
 * What settles a SQLite file after appends, off each append's own transaction: the recent
 * messages that complete a pack, or whose segment is idle, move into the position-ordered table
 * (recent-messages.ts), the search index catches up
 * (search.ts) and the segments appended to get their settled messages packed (message-packs.ts).
 * All run together, in one write transaction of their own, once a connection
 * has committed SETTLE_BATCH messages since the last time: one lock and one fsync for both, paid
 * by one append in 256 turns rather than a share by every append. A file without the search index
 * settles at the same moments (moving and packing). Closing a connection that appended settles
 * too (the index aside), moving every recent row, so a store closed after its appends leaves them
 * moved and packed.
 *
 * Neither moving nor packing is needed for correctness (every reader looks in both tables, and an
 * unpacked message is read as it always was), so a settle that fails (busy, say) is dropped: the
 * messages stay where they are until the next one.
 */
import type { BetterSqliteDatabaseLike, SqliteStatementLike, SqliteTransactionLike } from './database.js';
import { packSegment, type messagePackStatementSources } from './message-packs.js';
import { moveRecentMessages, type RecentLeft, type recentMessageStatementSources } from './recent-messages.js';
import { CATCH_UP_BATCH, catchUpUnderLock, type SearchStatements } from './search.js';

/** Messages a connection commits between two settles (the search index's catch-up batch). */
export const SETTLE_BATCH = CATCH_UP_BATCH;

type SettleStatements = SearchStatements &
  Record<keyof typeof messagePackStatementSources | keyof typeof recentMessageStatementSources, SqliteStatementLike>;

export class Settle {
  /** Messages this connection committed since it last settled. */
  private waiting = 0;
  /** Numbers of the segments this connection wrote messages to since it last packed. */
  private readonly touched = new Set<number>();
  /** What the last settle left in the recent table (recent-messages.ts: a segment still there unchanged is idle). */
  private leftInRecent: RecentLeft = new Map();
  private readonly settle: SqliteTransactionLike<[boolean], void>;

  constructor(
    database: BetterSqliteDatabaseLike,
    statements: SettleStatements,
    /** Throws when another process has upgraded the file past this version (schema-guard.ts): the settle is then dropped. */
    guard: { checkWithin(): void },
  ) {
    this.settle = database.transaction((closing: boolean) => {
      guard.checkWithin();
      if (!closing) catchUpUnderLock(statements);
      // Recent messages, any connection's, into messages where they complete a pack or their
      // segment is idle, all of them when closing (recent-messages.ts); then the segments this
      // connection wrote that had none there, packed.
      const { left, segments } = moveRecentMessages(statements, closing ? 'everything' : this.leftInRecent);
      this.leftInRecent = left;
      const moved = new Set(segments);
      for (const number of this.touched) if (!moved.has(number)) packSegment(statements, number);
      this.touched.clear();
    });
  }

  /** A batch wrote messages to segment `number` (noted inside its transaction; a rolled-back note only costs a look). */
  readonly noteSegment = (number: number): void => {
    this.touched.add(number);
  };

  /** After a commit, in a transaction of its own: the commit is durable and final whatever happens here. */
  afterCommit(messages: number): void {
    this.waiting += messages;
    if (this.waiting < SETTLE_BATCH) return;
    this.waiting = 0;
    this.run(false);
  }

  /** Before the connection closes: every recent row moved, its segments packed (the index catches up at the next search, as before). */
  beforeClose(): void {
    if (this.touched.size > 0 || this.leftInRecent.size > 0) this.run(true);
  }

  private run(closing: boolean): void {
    try {
      this.settle.immediate(closing);
    } catch {
      // Busy or failing: the messages keep waiting, and the next settle (or search) takes them.
    }
  }
}
