/**
 * The file storage driver: sessions as plain files in one directory, readable with `cat` and
 * `jq`, shared safely by several processes. See layout.ts for what lives where.
 *
 * Writes: messages are appended as JSONL lines to their segment's file (history is never
 * rewritten on append), and a session's record (its head) is replaced atomically by writing a
 * temporary file and renaming it. Each commit holds the store's lock (lock.ts), checks its
 * conditions on fresh data from disk, and goes through a journal (journal.ts) so that a crash at
 * any point leaves the whole batch or none of it.
 *
 * fsync policy, `durability: 'durable'` (the default): before `commit` returns, every file it
 * wrote is fsynced, and so is the directory of every file it created, renamed or removed; the
 * journal is fsynced before the first data write and at the commit point. A commit that returned
 * survives a power loss. Appends to different sessions waiting at once share one such commit
 * (group-commit.ts). `durability: 'relaxed'`: no fsync; every write has reached the operating
 * system before `commit` returns, so a crash of the process (kill -9) loses nothing, and only a
 * crash of the machine can lose the last commits (never leaving a half-batch readable).
 *
 * Listing sessions reads the session index, a log of session records kept beside the files and
 * checked against them (session-listing.ts), instead of every session file.
 *
 * Reads take no lock: record files are replaced atomically, and lines appended to a segment are
 * only shown up to the head of its owner, so a reader never sees a commit in flight. A segment
 * whose last line was cut short by a crash stays readable (the line is ignored, with a warning);
 * a damaged line elsewhere fails only the sessions that need that file, naming the file and line.
 *
 * Every id is checked against `ID_PATTERN` before a path is built from it, file names use a
 * reversible encoding (file-names.ts), and every path is checked to be inside the directory.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  CheckpointRecord,
  CheckpointStorage,
  MessageRecord,
  OperationRecord,
  RunEventRecord,
  RunRecord,
  SegmentRecord,
  SessionQuery,
  SessionRecord,
  StorageDriver,
  WriteBatch,
} from '../../driver/driver.js';
import { POLLED_CAPABILITIES } from '../../driver/driver.js';
import { collectCheckpointFiles } from './checkpoint-collect.js';
import { checkVersions, commitBatch } from './commit.js';
import type { Durability } from './durable-write.js';
import { assertStorableId } from './file-names.js';
import { GroupCommitter, isPlainAppend } from './group-commit.js';
import { CommitLock, lockStaleTime } from './lock.js';
import { assertBlobHash, STORE_DIRECTORIES, StoreLayout } from './layout.js';
import { copySegment } from './segment-log.js';
import { SessionListing } from './session-listing.js';
import { createStoreParts, findMessage, loadVisible, readSegmentHeader, type StoreParts } from './store-parts.js';
import { validateBatch } from './validate-batch.js';

export interface FileDriverOptions {
  /** The store directory; created if missing. Several processes may use it at once. */
  directory: string;
  /** `durable` (default): on disk before a commit returns, power loss included. `relaxed`: survives a crash of the process, not of the machine. */
  durability?: Durability;
  /** After how long a lock left by a dead process is taken over (default 4,000 ms, at least 2,000). */
  lockStaleMs?: number;
  /** Where warnings go (a crash's leftovers cleaned up, a damaged index line skipped). Default `console.warn`. */
  onWarning?: (message: string) => void;
}

const MARKER = { format: 'sessionloom-file-store', version: 1 } as const;

export class FileDriver implements StorageDriver, CheckpointStorage {
  readonly name = 'file';
  readonly capabilities = POLLED_CAPABILITIES;
  /** The store directory, absolute. */
  readonly directory: string;

  private readonly parts: StoreParts;
  private readonly lock: CommitLock;
  private readonly listing: SessionListing;
  private readonly groups: GroupCommitter;
  private readonly warnedTails = new Set<string>();
  private closed = false;

  constructor(options: FileDriverOptions) {
    if (typeof options?.directory !== 'string' || options.directory.length === 0 || options.directory.includes('\0')) {
      throw new Error('FileDriver: `directory` must be a non-empty path.');
    }
    const durability = options.durability ?? 'durable';
    if (durability !== 'durable' && durability !== 'relaxed') {
      throw new Error(`FileDriver: durability must be 'durable' or 'relaxed', got ${String(durability)}.`);
    }
    const warn = options.onWarning ?? ((message: string) => console.warn(message));
    const layout = new StoreLayout(options.directory);
    this.directory = layout.root;
    prepareDirectory(layout, durability);
    this.parts = createStoreParts(layout, durability, warn);
    this.lock = new CommitLock(layout.root, layout.lockDirectory, lockStaleTime(options.lockStaleMs), warn);
    this.listing = new SessionListing(this.parts, this.lock);
    this.groups = new GroupCommitter(this.parts, this.lock);
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    this.assertOpen();
    assertStorableId(id, 'session id');
    return this.parts.sessions.read(id);
  }

  async listSessions(query: SessionQuery): Promise<SessionRecord[]> {
    this.assertOpen();
    return this.listing.list(query);
  }

  async getSegment(id: string): Promise<SegmentRecord | undefined> {
    this.assertOpen();
    assertStorableId(id, 'segment id');
    const header = await readSegmentHeader(this.parts, id);
    return header && copySegment(header);
  }

  async listSegments(where: { sessionId: string } | { parentId: string }): Promise<SegmentRecord[]> {
    this.assertOpen();
    assertStorableId('sessionId' in where ? where.sessionId : where.parentId, 'sessionId' in where ? 'session id' : 'segment id');
    const ids = await this.parts.segmentIndex.segmentIds(where);
    const segments: SegmentRecord[] = [];
    for (const id of ids) {
      const segment = await this.getSegment(id);
      if (segment) segments.push(segment);
    }
    // The index is in commit order; creation order is createdAt's (an imported history is committed
    // in another order). The sort is stable: segments of one millisecond keep their commit order.
    return segments.sort((left, right) => left.createdAt - right.createdAt);
  }

  async readMessages(
    segmentId: string,
    range: { fromSeq: number; toSeq: number; order: 'asc' | 'desc'; limit?: number },
  ): Promise<MessageRecord[]> {
    this.assertOpen();
    assertStorableId(segmentId, 'segment id');
    const { segment, visibleUpTo } = await loadVisible(this.parts, segmentId);
    if (!segment.present) return [];
    await this.warnAboutPartialTail(segment.path, segment.partialTailBytes, segment.state.size);
    return segment.readRange({ ...range, toSeq: Math.min(range.toSeq, visibleUpTo) });
  }

  async locateMessage(messageId: string): Promise<{ segmentId: string; seq: number } | undefined> {
    this.assertOpen();
    assertStorableId(messageId, 'message id');
    return findMessage(this.parts, messageId, true);
  }

  async listOperations(sessionId: string): Promise<OperationRecord[]> {
    this.assertOpen();
    assertStorableId(sessionId, 'session id');
    const session = await this.parts.sessions.read(sessionId);
    if (!session) return [];
    return this.parts.operations.list(sessionId, session.version);
  }

  async getOperation(sessionId: string, operationId: string): Promise<OperationRecord | undefined> {
    this.assertOpen();
    assertStorableId(sessionId, 'session id');
    assertStorableId(operationId, 'operation id');
    const session = await this.parts.sessions.read(sessionId);
    if (!session) return undefined;
    return this.parts.operations.find(sessionId, operationId, session.version);
  }

  async commit(batch: WriteBatch): Promise<void> {
    this.assertOpen();
    validateBatch(batch);
    // A version already stale is a conflict whatever happens next (versions only grow), so a
    // writer that lost a race learns it without queueing for the lock.
    await checkVersions(this.parts, batch);
    if (isPlainAppend(batch)) return this.groups.submit(batch);
    await this.lock.run((held) => commitBatch(this.parts, batch, held));
  }

  async deleteMessagesAfter(segmentId: string, afterSeq: number): Promise<number> {
    this.assertOpen();
    assertStorableId(segmentId, 'segment id');
    return this.lock.run(async () => {
      await this.parts.journal.recover();
      const segment = await this.parts.segments.load(segmentId);
      if (!segment.present) return 0;
      const first = segment.lowerBound(Math.floor(afterSeq) + 1);
      const removed = segment.seqs.length - first;
      if (removed === 0) return 0;
      await this.parts.writer.truncate(segment.path, segment.offsets[first] as number);
      return removed;
    });
  }

  async deleteSegment(segmentId: string): Promise<number> {
    this.assertOpen();
    assertStorableId(segmentId, 'segment id');
    return this.lock.run(async () => {
      await this.parts.journal.recover();
      const segment = await this.parts.segments.load(segmentId);
      if (!segment.state.exists) return 0;
      const removed = segment.seqs.length;
      if (await this.parts.writer.remove(segment.path)) await this.parts.writer.syncDirectory(this.parts.layout.segmentsDirectory);
      this.parts.segments.forget(segmentId);
      return removed;
    });
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    this.assertOpen();
    assertStorableId(id, 'run id');
    return this.parts.runs.read(id);
  }

  async listRuns(sessionId: string): Promise<RunRecord[]> {
    this.assertOpen();
    assertStorableId(sessionId, 'session id');
    const runs: RunRecord[] = [];
    for (const runId of await this.parts.runs.runIds(sessionId)) {
      const run = await this.parts.runs.read(runId);
      if (run?.sessionId === sessionId) runs.push(run);
    }
    return runs.sort((left, right) => left.startedAt - right.startedAt || (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
  }

  async readRunEvents(runId: string, range: { afterSeq: number; limit?: number }): Promise<RunEventRecord[]> {
    this.assertOpen();
    assertStorableId(runId, 'run id');
    // The run record first: events beyond its count belong to a commit not yet published.
    const run = await this.parts.runs.read(runId);
    if (!run) return [];
    return this.parts.runs.readEvents(runId, { afterSeq: range.afterSeq, visibleUpTo: run.eventCount, ...(range.limit === undefined ? {} : { limit: range.limit }) });
  }

  async getBlob(hash: string): Promise<Uint8Array | undefined> {
    this.assertOpen();
    assertBlobHash(hash);
    return this.parts.checkpoints.readBlob(hash);
  }

  async missingBlobs(hashes: string[]): Promise<string[]> {
    this.assertOpen();
    for (const hash of hashes) assertBlobHash(hash);
    return [...new Set(hashes)].filter((hash) => !this.parts.checkpoints.hasBlob(hash));
  }

  async getCheckpoint(messageId: string): Promise<CheckpointRecord | undefined> {
    this.assertOpen();
    assertStorableId(messageId, 'message id');
    return this.parts.checkpoints.read(messageId);
  }

  async listCheckpoints(sessionId: string): Promise<CheckpointRecord[]> {
    this.assertOpen();
    assertStorableId(sessionId, 'session id');
    const checkpoints: CheckpointRecord[] = [];
    for (const messageId of await this.parts.checkpoints.messageIds(sessionId)) {
      const checkpoint = await this.parts.checkpoints.read(messageId);
      // The index only points: the checkpoint may since have been collected, or rewritten by another session.
      if (checkpoint?.sessionId === sessionId) checkpoints.push(checkpoint);
    }
    return checkpoints.sort(
      (left, right) => left.createdAt - right.createdAt || (left.messageId < right.messageId ? -1 : left.messageId > right.messageId ? 1 : 0),
    );
  }

  async collectCheckpoints(): Promise<{ checkpoints: number; blobs: number }> {
    this.assertOpen();
    return this.lock.run(() => collectCheckpointFiles(this.parts));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.parts.segments.clear();
    this.parts.messageIndex.clear();
    this.parts.operations.clear();
    this.parts.runs.clear();
    this.parts.sessionIndex.invalidate();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`FileDriver: the store ${this.directory} is closed.`);
  }

  /**
   * A segment whose last line has no newline: a write in progress, or one a crash cut short. Only
   * the second deserves a warning, and it is the case when no commit is running or pending.
   */
  private async warnAboutPartialTail(path: string, partialBytes: number, size: number): Promise<void> {
    if (partialBytes === 0) return;
    const key = `${path}\u0000${size}`;
    if (this.warnedTails.has(key) || (await this.parts.journal.isPending())) return;
    this.warnedTails.add(key);
    this.parts.warn(`FileDriver: ${path} ends with an incomplete line (a write cut short by a crash); its ${partialBytes} bytes are ignored and will be removed by the next append.`);
  }
}

/** Creates the directory tree and the marker, or checks that an existing directory is a store. */
function prepareDirectory(layout: StoreLayout, durability: Durability): void {
  const creating = !existsSync(layout.markerFile);
  if (!creating) {
    let marker: unknown;
    try {
      marker = JSON.parse(readFileSync(layout.markerFile, 'utf8'));
    } catch {
      marker = undefined;
    }
    const format = (marker as { format?: unknown; version?: unknown } | undefined) ?? {};
    if (format.format !== MARKER.format || format.version !== MARKER.version) {
      throw new Error(`FileDriver: ${layout.markerFile} does not describe a sessionloom file store of version ${MARKER.version}.`);
    }
  }
  mkdirSync(layout.root, { recursive: true });
  for (const directory of STORE_DIRECTORIES) mkdirSync(join(layout.root, directory), { recursive: true });
  if (creating) {
    try {
      writeFileSync(layout.markerFile, `${JSON.stringify(MARKER)}\n`, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // another process created it first
    }
    if (durability === 'durable') syncDirectorySync(layout.root);
  }
}

function syncDirectorySync(directory: string): void {
  if (process.platform === 'win32') return;
  const descriptor = openSync(directory, 'r');
  try {
    fsyncSync(descriptor);
  } catch {
    // Some file systems refuse fsync on directories; nothing more can be done there.
  } finally {
    closeSync(descriptor);
  }
}
