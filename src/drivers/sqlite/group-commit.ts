/**
 * Group commit for the SQLite driver: when several sessions of one process write at once (a server
 * with many chats), their batches share one transaction and one fsync instead of taking one each.
 *
 * better-sqlite3 is synchronous, so nothing can join a commit while it runs: a group forms only if
 * a commit waits for the others. It waits only when others are on their way, which the driver can
 * see: every write to a session is planned from a `getSession` read of it, so a session read and
 * not yet committed in this turn of the event loop is a writer likely to commit in a moment. A
 * commit with no such writer about (one writer appending turn after turn) runs at once, as before.
 * A commit that has company waits until the last of them commits, or until the event loop turns
 * (`setImmediate`: a read that was not for a write delays a commit by one turn at most).
 *
 * Each batch runs in a savepoint of the group's transaction, so one that fails (a version conflict,
 * a duplicate id) rolls back alone and fails only its own commit; the others are acknowledged once
 * the group's COMMIT, and with it the fsync, has returned. Should the COMMIT itself fail, every
 * batch of the group fails with it, and none was acknowledged.
 */
import type { WriteBatch } from '../../driver/driver.js';

interface Waiting {
  batch: WriteBatch;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Runs the batches in one transaction; answers, for each, the error that rolled it back, or undefined. */
export type CommitGroup = (batches: WriteBatch[]) => Array<unknown>;

export class GroupCommit {
  /** Sessions read in this turn of the event loop and not committed since. */
  private readonly aboutToWrite = new Set<string>();
  private waiting: Waiting[] = [];
  private turnEndScheduled = false;

  constructor(
    private readonly commitAlone: (batch: WriteBatch) => void,
    private readonly commitGroup: CommitGroup,
    /** Hears each batch that was committed (the driver counts messages for the search index). */
    private readonly committed: (batch: WriteBatch) => void,
  ) {}

  /** A session was read: a commit to it may follow. */
  noteRead(sessionId: string): void {
    this.aboutToWrite.add(sessionId);
    this.scheduleTurnEnd();
  }

  commit(batch: WriteBatch): Promise<void> | undefined {
    for (const write of batch.sessions ?? []) this.aboutToWrite.delete(write.record.id);
    if (this.waiting.length === 0 && this.aboutToWrite.size === 0) {
      this.commitAlone(batch);
      this.committed(batch);
      return undefined;
    }
    const done = new Promise<void>((resolve, reject) => this.waiting.push({ batch, resolve, reject }));
    // The last writer expected has arrived: no reason to wait for the turn to end.
    if (this.aboutToWrite.size === 0) this.flush();
    else this.scheduleTurnEnd();
    return done;
  }

  /** Commits whatever waits (the driver calls it before closing). */
  flush(): void {
    const group = this.waiting;
    if (group.length === 0) return;
    this.waiting = [];
    let outcomes: unknown[];
    try {
      outcomes = group.length === 1 ? [this.alone(group[0]!.batch)] : this.commitGroup(group.map((entry) => entry.batch));
    } catch (error) {
      for (const entry of group) entry.reject(error);
      return;
    }
    group.forEach((entry, index) => {
      const error = outcomes[index];
      if (error === undefined) {
        this.committed(entry.batch);
        entry.resolve();
      } else entry.reject(error);
    });
  }

  private alone(batch: WriteBatch): unknown {
    try {
      this.commitAlone(batch);
      return undefined;
    } catch (error) {
      return error;
    }
  }

  private scheduleTurnEnd(): void {
    if (this.turnEndScheduled) return;
    this.turnEndScheduled = true;
    setImmediate(() => {
      this.turnEndScheduled = false;
      this.aboutToWrite.clear();
      this.flush();
    });
  }
}
