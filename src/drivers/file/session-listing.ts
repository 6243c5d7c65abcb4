/**
 * `listSessions` for the file store: from the session index (session-index.ts) when it can be
 * trusted, from the session files (the truth) when it cannot, and rebuilding the index then.
 *
 * Why the index matches the files, and when it does not:
 *
 *  - A commit appends its index lines in the same journaled step as its other lines, before its
 *    commit point (commit.ts). A commit that rolls back (its own failure, or recovery after a
 *    crash) cuts them off again with the rest; one that passed its commit point keeps them. So
 *    whenever the journal is empty, the index says exactly what the session files say.
 *  - While the journal is not empty, a commit is in flight (or a crash interrupted it and no
 *    commit has recovered it yet): its lines may be in the index before its session files are
 *    published, or stay there although it will be rolled back. The journal names every session
 *    file that commit writes or removes, so a listing reads those few files (the truth at that
 *    moment) in place of their index entries. A journal torn while being written means its commit
 *    has not written anything yet (the journal is synced before any data write): nothing to replace.
 *  - The order of reads closes the race with commits starting, finishing or rolling back meanwhile:
 *    tail the index, read the journal, then check (one lstat) that the index has not changed since
 *    it was tailed. Any line read belongs to a commit that is either named by the journal read
 *    after it, or finished; a rollback cuts the file, which the lstat catches (then try again).
 *  - The index lines are not fsynced (the journal and session files are, as before): after a power
 *    loss, or a store an older version wrote to, the index may lag the files. So each driver checks
 *    the whole index against the session files once, on its first listing (every commit id equal;
 *    what a listing cost before the index existed), and rebuilds it under the lock when they differ,
 *    when it is missing (a store from an older version) or when a line of it is damaged. A torn
 *    last line is never read (tailed files stop at the last newline) and the next commit removes it.
 *
 * Known limit: a process of an older version writing to the store while this one runs does not
 * append to the index; its writes are seen by the next driver opened (or a damaged/missing index).
 */
import { dirname } from 'node:path';
import type { SessionQuery, SessionRecord } from '../../driver/driver.js';
import { compareForQuery, isAfterCursor, matchesQuery } from '../../driver/query-match.js';
import { FileCorruptionError } from './corruption.js';
import { readTextIfPresent, removeTemporaryFilesIn } from './durable-write.js';
import { parseJournal } from './journal.js';
import type { CommitLock } from './lock.js';
import { COMPACT_SLACK, formatSessionIndex } from './session-index.js';
import type { StoredSession } from './session-files.js';
import type { StoreParts } from './store-parts.js';

/** Attempts at a consistent read of index and journal before falling back to reading every file. */
const ATTEMPTS = 3;
/** After a failed rebuild, listings read every file for this long before trying again (not every listing pays for a lock attempt). */
const REBUILD_RETRY_MS = 60_000;

export class SessionListing {
  private verified = false;
  private warnedRebuild = false;
  private rebuildFailedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly parts: StoreParts,
    private readonly lock: CommitLock,
  ) {}

  async list(query: SessionQuery): Promise<SessionRecord[]> {
    const index = this.parts.sessionIndex;
    if (!this.verified && Date.now() - this.rebuildFailedAt >= REBUILD_RETRY_MS) await this.verify();
    if (this.verified) {
      for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
        await index.refresh();
        if (index.damaged || !index.exists) {
          this.verified = false; // changed behind our back: checked and rebuilt by the next listing
          break;
        }
        const overrides = await this.inFlight();
        if (!index.unchangedSinceRefresh()) continue;
        return index.select(query, overrides).map((record) => structuredClone(record));
      }
    }
    return this.scan(query);
  }

  /** Checks the index against every session file; rebuilds it when they differ. */
  private async verify(): Promise<void> {
    const index = this.parts.sessionIndex;
    await index.refresh();
    const stored = await this.parts.sessions.listStored();
    await index.refresh();
    if (index.exists && !index.damaged && sameSessions(index.entries, stored)) {
      this.verified = true;
      return;
    }
    try {
      await this.lock.run(async (held) => {
        await this.parts.journal.recover();
        const sessions = await this.parts.sessions.listStored();
        // Compared again with no commit running: a mismatch above may only have been a commit finishing meanwhile.
        await index.refresh();
        if (index.exists && !index.damaged && sameSessions(index.entries, sessions)) return;
        held.assertStillHeld();
        await writeSessionIndex(this.parts, sessions);
        index.invalidate();
      });
      this.verified = true;
    } catch (error) {
      // A store this process may not write to (read-only, say): list from the files, as before the index.
      if (!this.warnedRebuild) this.parts.warn(`FileDriver: could not rebuild ${index.path} (${(error as Error).message}); listing reads every session file.`);
      this.warnedRebuild = true;
      this.rebuildFailedAt = Date.now();
    }
  }

  /** The sessions an unfinished commit writes or removes, read from their files (undefined: no session now). */
  private async inFlight(): Promise<Map<string, SessionRecord | undefined>> {
    const overrides = new Map<string, SessionRecord | undefined>();
    const text = readTextIfPresent(this.parts.layout.journalFile);
    if (text === undefined || text.length === 0) return overrides;
    const entry = parseJournal(text);
    if (!entry) return overrides; // torn while written: its commit has written nothing yet
    for (const path of [...entry.puts.map((put) => put.path), ...entry.removals]) {
      const sessionId = this.parts.layout.sessionIdOfRelative(path);
      if (sessionId === undefined || overrides.has(sessionId)) continue;
      try {
        overrides.set(sessionId, await this.parts.sessions.read(sessionId));
      } catch (error) {
        if (!(error instanceof FileCorruptionError)) throw error;
        overrides.set(sessionId, undefined); // left out of listings, as a scan leaves it out
      }
    }
    return overrides;
  }

  /** Every session file read: what listing cost before the index, and still the answer when it cannot be trusted. */
  private async scan(query: SessionQuery): Promise<SessionRecord[]> {
    const records = await this.parts.sessions.list();
    return records
      .filter((record) => matchesQuery(record, query) && isAfterCursor(record, query))
      .sort((left, right) => compareForQuery(left, right, query))
      .slice(0, Math.max(0, query.limit))
      .map((record) => structuredClone(record));
  }
}

/**
 * Run by the holder of the commit lock after a commit: rewrites the index with one line per live
 * session once it has grown past twice that (see session-index.ts). From the index itself, which
 * under the lock with the journal empty says exactly what the files say; from the files when a
 * damaged line makes the index unreliable.
 */
export async function compactSessionIndex(parts: StoreParts): Promise<void> {
  const index = parts.sessionIndex;
  // A process that never listed has not read the index; reading all of it on its first commit would
  // make a one-commit process (a CLI call) pay for every session, so it looks every so many commits.
  if (!index.loaded && (index.commitsUnchecked += 1) % COMPACT_SLACK !== 0) return;
  await index.refresh();
  if (!index.needsCompaction && !index.damaged) return;
  const sessions = index.damaged ? await parts.sessions.listStored() : [...index.entries.values()];
  await writeSessionIndex(parts, sessions);
  index.invalidate();
}

/** Replaces the index atomically with these sessions. Under the lock: no commit appends meanwhile. */
async function writeSessionIndex(parts: StoreParts, sessions: Iterable<StoredSession>): Promise<void> {
  // A rewrite a crash interrupted leaves its temporary file; only rewrites (under the lock) make them here.
  removeTemporaryFilesIn(dirname(parts.layout.sessionIndexFile));
  await parts.writer.replace(parts.layout.sessionIndexFile, Buffer.from(formatSessionIndex(sessions)));
}

function sameSessions(entries: Map<string, StoredSession>, stored: StoredSession[]): boolean {
  if (entries.size !== stored.length) return false;
  return stored.every(({ record, commitId }) => entries.get(record.id)?.commitId === commitId);
}
