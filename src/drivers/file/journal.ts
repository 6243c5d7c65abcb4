/**
 * The commit journal: what makes a commit all-or-nothing across several files, whatever point a
 * crash stops it at. One file, `DIR/journal`, empty when no commit is unfinished. Only the holder
 * of the commit lock reads or writes it.
 *
 * A commit (see commit.ts):
 *  1. writes the journal: the length of every file it will append to, the files it will create,
 *     and the records it will publish (session and run files, written whole), marked `P`repared;
 *  2. appends message lines, index lines, operation lines; creates segment files; writes new
 *     blobs under temporary names (staged), each beside the name it will have;
 *  3. passes its commit point: when it publishes a single record, renaming that record's file into
 *     place (the file carries the commit's id); otherwise, flipping the journal's mark to
 *     `C`ommitted (a one-byte write, which cannot tear);
 *  4. renames staged blobs into place, publishes the remaining records (checkpoints included) and
 *     removes what deleted sessions leave behind;
 *  5. empties the journal.
 *
 * Recovery runs under the lock before every commit: a journal that did not pass its commit point
 * is rolled back (appended files cut back to their recorded length, created and staged files removed); one
 * that did is rolled forward (every record published again, which is idempotent). Lines a crashed
 * commit left beyond a head are therefore gone before anyone appends at those positions again.
 *
 * The journal is written in place and synced before step 2 starts, so a journal torn by a crash
 * while being written means no data was written yet: it is simply discarded.
 */
import { closeSync, fstatSync, ftruncateSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DurableWriter, FILE_MODE, isMissing, openFlags, readTextIfPresent, removeTemporaryFilesIn, writeAll } from './durable-write.js';
import type { StoreLayout } from './layout.js';

export type CommitPoint = { kind: 'put'; path: string } | { kind: 'remove'; path: string } | { kind: 'flip' };

/** What a commit will do, with paths relative to the store directory. */
export interface JournalEntry {
  commitId: string;
  /** Files appended to, with their length before the commit. */
  appended: Array<{ path: string; length: number }>;
  /** Files the commit creates. */
  created: string[];
  /** Record files written whole, published after the appends. */
  puts: Array<{ path: string; content: string }>;
  /** Files removed when publishing (deleted sessions and what belongs to them). */
  removals: string[];
  /**
   * New blobs, written under a temporary name before the commit point and renamed into place after
   * it: so no reader sees a blob of a commit that may still roll back, and a checkpoint is never
   * published before the blobs it uses. Absent in journals written before checkpoints existed.
   */
  blobs?: Array<{ staged: string; path: string }>;
  commitPoint: CommitPoint;
}

const PREPARED = 'P';
const COMMITTED = 'C';

export class CommitJournal {
  constructor(
    private readonly layout: StoreLayout,
    private readonly writer: DurableWriter,
    private readonly warn: (message: string) => void,
  ) {}

  /** True while a commit is unfinished (running, or interrupted and not yet recovered). */
  async isPending(): Promise<boolean> {
    try {
      const descriptor = openSync(this.layout.journalFile, openFlags.read);
      try {
        return fstatSync(descriptor).size > 0;
      } finally {
        closeSync(descriptor);
      }
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  /** Step 1: the journal, durable before any data is written. */
  async prepare(entry: JournalEntry): Promise<void> {
    const data = Buffer.from(`${PREPARED}\n${JSON.stringify(entry)}\n`);
    const descriptor = openSync(this.layout.journalFile, openFlags.readWrite, FILE_MODE);
    try {
      ftruncateSync(descriptor, 0);
      writeAll(descriptor, data, 0);
      await this.writer.sync(descriptor);
    } finally {
      closeSync(descriptor);
    }
  }

  /** Step 3 for a commit that publishes several records: the one-byte commit point. */
  async markCommitted(): Promise<void> {
    const descriptor = openSync(this.layout.journalFile, openFlags.existingReadWrite);
    try {
      writeAll(descriptor, Buffer.from(COMMITTED), 0);
      await this.writer.sync(descriptor);
    } finally {
      closeSync(descriptor);
    }
  }

  /** Step 4: publish the blobs, records and removals, except the one already published as the commit point. */
  async publish(entry: JournalEntry, alreadyDone?: string): Promise<void> {
    const directories = new Set<string>();
    // Blobs first: a checkpoint published below may use them.
    for (const blob of entry.blobs ?? []) {
      const path = this.layout.fromRelative(blob.path);
      // A staged file already gone was renamed by an earlier attempt at this step.
      if (await this.writer.rename(this.layout.fromRelative(blob.staged), path)) directories.add(dirname(path));
    }
    for (const directory of directories) await this.writer.syncDirectory(directory);
    directories.clear();
    for (const removal of entry.removals) {
      if (removal === alreadyDone) continue;
      const path = this.layout.fromRelative(removal);
      if (await this.writer.remove(path)) directories.add(dirname(path));
    }
    // In parallel: each is a whole-file replace of its own file, and a group commit publishes many.
    // All settle before a failure is reported, so a retry never races a replace still running.
    const results = await Promise.allSettled(
      entry.puts.filter((put) => put.path !== alreadyDone).map((put) => this.writer.replace(this.layout.fromRelative(put.path), Buffer.from(put.content))),
    );
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    for (const directory of directories) await this.writer.syncDirectory(directory);
  }

  /**
   * Step 5. Not synced: if a power loss brings the journal back, recovery finds its commit finished
   * and publishes the same records again, which changes nothing (any later commit would have
   * replaced the journal first).
   */
  async clear(): Promise<void> {
    const descriptor = openSync(this.layout.journalFile, openFlags.readWrite, FILE_MODE);
    try {
      ftruncateSync(descriptor, 0);
    } finally {
      closeSync(descriptor);
    }
  }

  /** Finishes or undoes an interrupted commit. Run under the lock, before anything else. */
  async recover(): Promise<void> {
    const text = readTextIfPresent(this.layout.journalFile);
    if (text === undefined || text.length === 0) return;
    const entry = parseJournal(text);
    if (!entry) {
      this.warn(`FileDriver: discarded a journal torn by a crash while it was written (${this.layout.journalFile}); no data had been written yet.`);
      await this.clear();
      return;
    }
    const committed = text[0] === COMMITTED || (await this.reachedCommitPoint(entry.commitPoint, entry.commitId));
    if (committed) {
      await this.publish(entry);
      this.warn(`FileDriver: finished commit ${entry.commitId}, which was interrupted after its commit point (a process stopped, or a write failed).`);
    } else {
      const undone = await this.rollBack(entry);
      this.warn(
        `FileDriver: rolled back commit ${entry.commitId}, which was interrupted before its commit point (a process stopped, or a write failed)` +
          (undone.length === 0 ? '.' : `; cut back or removed: ${undone.join(', ')}.`),
      );
    }
    this.removeTemporaryFiles();
    await this.clear();
  }

  /**
   * Temporary files of an atomic replace that was interrupted between writing and renaming. They
   * only arise inside a commit, so they are looked for only after one was interrupted.
   */
  private removeTemporaryFiles(): void {
    for (const directory of [this.layout.sessionsDirectory, this.layout.runsDirectory, this.layout.checkpointsDirectory]) removeTemporaryFilesIn(directory);
  }

  private async reachedCommitPoint(point: CommitPoint, commitId: string): Promise<boolean> {
    if (point.kind === 'flip') return false;
    const content = readTextIfPresent(this.layout.fromRelative(point.path));
    if (content === undefined) return point.kind === 'remove';
    if (point.kind === 'remove') return false;
    try {
      return (JSON.parse(content) as { commitId?: unknown }).commitId === commitId;
    } catch {
      return false;
    }
  }

  private async rollBack(entry: JournalEntry): Promise<string[]> {
    const undone: string[] = [];
    for (const { path, length } of entry.appended) {
      if (await this.writer.truncate(this.layout.fromRelative(path), length)) undone.push(`${path} (to ${length} bytes)`);
    }
    const directories = new Set<string>();
    for (const created of [...entry.created, ...(entry.blobs ?? []).map((blob) => blob.staged)]) {
      const path = this.layout.fromRelative(created);
      if (await this.writer.remove(path)) {
        undone.push(created);
        directories.add(dirname(path));
      }
    }
    for (const directory of directories) await this.writer.syncDirectory(directory);
    return undone;
  }
}

/** The journal's entry, or undefined when it is torn (being written, or cut short by a crash while it was). */
export function parseJournal(text: string): JournalEntry | undefined {
  if ((text[0] !== PREPARED && text[0] !== COMMITTED) || text[1] !== '\n' || !text.endsWith('\n')) return undefined;
  try {
    const entry = JSON.parse(text.slice(2)) as JournalEntry;
    const valid =
      typeof entry.commitId === 'string' &&
      Array.isArray(entry.appended) &&
      Array.isArray(entry.created) &&
      Array.isArray(entry.puts) &&
      Array.isArray(entry.removals) &&
      (entry.blobs === undefined || Array.isArray(entry.blobs)) &&
      typeof entry.commitPoint === 'object' &&
      entry.commitPoint !== null;
    return valid ? entry : undefined;
  } catch {
    return undefined;
  }
}
