/**
 * What settles a SQLite file after appends, off each append's own transaction: the recent
 * messages move into the position-ordered table (recent-messages.ts), the search index catches up
 * (search.ts) and the segments appended to get their settled messages packed (message-packs.ts).
 * All run together, in one write transaction of their own, once a connection
 * has committed SETTLE_BATCH messages since the last time: one lock and one fsync for both, paid
 * by one append in 256 turns rather than a share by every append. A file without the search index
 * settles at the same moments (moving and packing). Closing a connection that appended settles
 * too (the index aside), so a store closed after its appends leaves them moved and packed.
 *
 * Neither moving nor packing is needed for correctness (every reader looks in both tables, and an
 * unpacked message is read as it always was), so a settle that fails (busy, say) is dropped: the
 * messages stay where they are until the next one.
 */
import type { BetterSqliteDatabaseLike, SqliteStatementLike, SqliteTransactionLike } from './database.js';
import { packSegment, type messagePackStatementSources } from './message-packs.js';
import { moveRecentMessages, type recentMessageStatementSources } from './recent-messages.js';
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
  private readonly settle: SqliteTransactionLike<[boolean], void>;

  constructor(database: BetterSqliteDatabaseLike, statements: SettleStatements) {
    this.settle = database.transaction((catchUp: boolean) => {
      if (catchUp) catchUpUnderLock(statements);
      // Every recent message, any connection's, into messages, packed where it completes a pack
      // (recent-messages.ts); then the segments this connection wrote that had none left here.
      const moved = new Set(moveRecentMessages(statements));
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
    this.run(true);
  }

  /** Before the connection closes: its segments packed (the index catches up at the next search, as before). */
  beforeClose(): void {
    if (this.touched.size > 0) this.run(false);
  }

  private run(catchUp: boolean): void {
    try {
      this.settle.immediate(catchUp);
    } catch {
      // Busy or failing: the messages keep waiting, and the next settle (or search) takes them.
    }
  }
}
