/**
 * `commit` for the file store: all-or-nothing, across processes. Runs holding the commit lock:
 *
 *  1. recover: finish or undo a commit a stopped process left behind (journal.ts);
 *  2. check every condition on fresh data from disk: versions first, then duplicate message and
 *     operation ids; a failed condition throws `WriteConflict` before anything is written;
 *  3. plan the writes: lines appended to segment files, index logs and operation logs, new
 *     segment files, new blobs (staged until the commit point), and whole record files
 *     (sessions, runs, checkpoints) to publish;
 *  4. journal the plan, write it, pass the commit point, publish, clear the journal.
 *
 * Appended lines are invisible until the head that covers them is published (see loadVisible and
 * OperationLog), and the journal cuts off whatever a crash left beyond a head before anyone writes
 * at those positions again: so a reader sees every line of a batch or none, and the next append at
 * a position always wins.
 */
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import {
  WriteConflict,
  type MessageRecord,
  type RunRecord,
  type SegmentRecord,
  type SessionRecord,
  type WriteBatch,
} from '../../driver/driver.js';
import { planCheckpoints, prepareBlobShards, type PlannedBlob } from './checkpoint-plan.js';
import { cleanTail } from './clean-tail.js';
import type { CommitPoint, JournalEntry } from './journal.js';
import type { HeldLock } from './lock.js';
import { formatMessageIndexLine } from './message-index.js';
import { formatOperationLine } from './operation-log.js';
import { formatRunEventLine, formatRunFile, formatRunIndexLine } from './run-files.js';
import { formatMessageLine, formatSegmentHeader } from './segment-log.js';
import { formatSegmentIndexLine } from './segment-index.js';
import { formatSessionIndexDelete, formatSessionIndexPut } from './session-index.js';
import { compactSessionIndex } from './session-listing.js';
import type { SegmentFile } from './segment-log.js';
import { findMessage, type StoreParts } from './store-parts.js';

interface PlannedAppend {
  path: string;
  lines: string[];
}

export interface Plan {
  appends: Map<string, PlannedAppend>;
  creates: Array<{ path: string; data: string }>;
  puts: Array<{ path: string; content: string }>;
  /** New blobs, staged before the commit point and renamed into place after it. */
  blobs: PlannedBlob[];
  /** Removals that are the commit itself (a deleted session's record). */
  primaryRemovals: string[];
  /** Removals that follow from it (the deleted session's operations and runs). */
  cleanupRemovals: string[];
}

export async function commitBatch(parts: StoreParts, batch: WriteBatch, held: HeldLock): Promise<void> {
  await parts.journal.recover();
  const sessions = await checkVersions(parts, batch);
  await checkDuplicates(parts, batch, sessions);
  const commitId = randomUUID();
  const plan = await planWrites(parts, batch, commitId);
  await write(parts, plan, commitId, held);
  await compactAfterCommit(parts);
}

/** After a commit, still holding the lock: compacts the session index when it has grown enough. */
export async function compactAfterCommit(parts: StoreParts): Promise<void> {
  try {
    await compactSessionIndex(parts);
  } catch (error) {
    // The commit is done; an index that stays long is only slower to read, and the next commit tries again.
    parts.warn(`FileDriver: could not compact ${parts.layout.sessionIndexFile}: ${(error as Error).message}`);
  }
}

/** Reads every session the batch conditions on, fresh from disk, and checks its version. */
export async function checkVersions(parts: StoreParts, batch: WriteBatch): Promise<Map<string, SessionRecord | undefined>> {
  const current = new Map<string, SessionRecord | undefined>();
  const expectations = [
    ...(batch.checks ?? []).map((check) => ({ id: check.id, expected: check.version })),
    ...(batch.sessions ?? []).map((write) => ({ id: write.record.id, expected: write.expectedVersion })),
    ...(batch.deleteSessions ?? []).map((removal) => ({ id: removal.id, expected: removal.expectedVersion })),
  ];
  for (const { id, expected } of expectations) {
    if (!current.has(id)) current.set(id, await parts.sessions.read(id));
    const actual = current.get(id)?.version;
    const matches = expected === 0 ? actual === undefined : actual === expected;
    if (!matches) throw new WriteConflict({ kind: 'version', sessionId: id, actualVersion: actual });
  }
  return current;
}

export async function checkDuplicates(parts: StoreParts, batch: WriteBatch, sessions: Map<string, SessionRecord | undefined>): Promise<void> {
  const newMessageIds = new Set<string>();
  for (const message of batch.messages ?? []) {
    // Bounded by heads: a line beyond its owner's head was never committed, so its id is free.
    if (newMessageIds.has(message.id) || (await findMessage(parts, message.id, true)) !== undefined) {
      throw new WriteConflict({ kind: 'duplicate-message', messageId: message.id });
    }
    newMessageIds.add(message.id);
  }
  const newOperations = new Set<string>();
  for (const { sessionId, operationId } of batch.operations ?? []) {
    const key = `${sessionId}\u0000${operationId}`;
    const version = sessions.has(sessionId) ? sessions.get(sessionId)?.version : (await parts.sessions.read(sessionId))?.version;
    if (newOperations.has(key) || (await parts.operations.find(sessionId, operationId, version ?? 0)) !== undefined) {
      throw new WriteConflict({ kind: 'duplicate-operation', sessionId, operationId });
    }
    newOperations.add(key);
  }
}

export async function planWrites(parts: StoreParts, batch: WriteBatch, commitId: string): Promise<Plan> {
  const plan: Plan = { appends: new Map(), creates: [], puts: [], blobs: [], primaryRemovals: [], cleanupRemovals: [] };
  const append = (path: string, line: string) => {
    const planned = plan.appends.get(path);
    if (planned) planned.lines.push(line);
    else plan.appends.set(path, { path, lines: [line] });
  };

  const newSegments = new Map<string, SegmentRecord>();
  for (const segment of batch.segments ?? []) {
    if (newSegments.has(segment.id) || (await parts.segments.load(segment.id)).state.exists) {
      throw new Error(`FileDriver: segment "${segment.id}" already exists (segment ids must be new).`);
    }
    newSegments.set(segment.id, segment);
  }

  // Messages, grouped by segment and in seq order; each must come after what the segment holds.
  const bySegment = new Map<string, MessageRecord[]>();
  for (const message of batch.messages ?? []) {
    const list = bySegment.get(message.segmentId);
    if (list) list.push(message);
    else bySegment.set(message.segmentId, [message]);
  }
  // Where each message's line will start, recorded in the message index so finding a message later
  // reads that line, not the whole segment. Only a hint: it is checked against the file on use.
  const offsets = new Map<MessageRecord, number>();
  const lineAt = (message: MessageRecord, offset: number) => {
    const line = formatMessageLine(message);
    offsets.set(message, offset);
    return { line, end: offset + Buffer.byteLength(line) };
  };
  for (const segment of newSegments.values()) {
    const messages = sortedBySeq(bySegment.get(segment.id) ?? []);
    assertIncreasing(segment.id, messages, segment.baseSeq);
    let data = formatSegmentHeader(segment);
    let end = Buffer.byteLength(data);
    for (const message of messages) {
      const placed = lineAt(message, end);
      data += placed.line;
      end = placed.end;
    }
    plan.creates.push({ path: parts.layout.segmentFile(segment.id), data });
    append(parts.layout.segmentIndexFile, formatSegmentIndexLine(segment));
  }
  for (const [segmentId, unsorted] of bySegment) {
    if (newSegments.has(segmentId)) continue;
    const segment = await cutUncommittedLines(parts, await parts.segments.load(segmentId));
    if (!segment.present) throw new Error(`FileDriver: messages for segment "${segmentId}", which does not exist.`);
    const messages = sortedBySeq(unsorted);
    assertIncreasing(segmentId, messages, segment.lastSeq);
    // The write starts where the last complete line ends (cleanTail drops any partial tail first).
    let end = segment.state.consumed;
    for (const message of messages) {
      const placed = lineAt(message, end);
      append(segment.path, placed.line);
      end = placed.end;
    }
  }
  for (const message of batch.messages ?? []) append(parts.messageIndex.shardFile(message.id), formatMessageIndexLine(message, offsets.get(message)));

  const newVersions = new Map((batch.sessions ?? []).map((write) => [write.record.id, write.record.version]));
  for (const sessionId of new Set((batch.operations ?? []).map((operation) => operation.sessionId))) {
    const current = (await parts.sessions.read(sessionId))?.version ?? 0;
    await parts.operations.cutUncommitted(sessionId, current, parts.writer, parts.warn);
  }
  for (const operation of batch.operations ?? []) {
    // Visible once the session reaches the version this batch gives it (0: at once).
    append(parts.layout.operationsFile(operation.sessionId), formatOperationLine(operation, newVersions.get(operation.sessionId) ?? 0));
  }

  await planRuns(parts, batch, commitId, plan, append);
  await planCheckpoints(parts, batch, commitId, plan, append);

  const deleted = new Set((batch.deleteSessions ?? []).map((removal) => removal.id));
  for (const sessionId of deleted) {
    if ((batch.operations ?? []).some((operation) => operation.sessionId === sessionId)) {
      throw new Error(`FileDriver: a batch cannot both delete session "${sessionId}" and record operations for it.`);
    }
    plan.primaryRemovals.push(parts.layout.sessionFile(sessionId));
    append(parts.layout.sessionIndexFile, formatSessionIndexDelete(sessionId, commitId));
    plan.cleanupRemovals.push(parts.layout.operationsFile(sessionId));
    for (const runId of await parts.runs.runIds(sessionId)) {
      const run = await parts.runs.read(runId);
      if (run?.sessionId !== sessionId) continue;
      plan.cleanupRemovals.push(parts.layout.runFile(runId), parts.layout.runEventsFile(runId));
    }
  }
  for (const { record } of batch.sessions ?? []) {
    plan.puts.push({ path: parts.layout.sessionFile(record.id), content: parts.sessions.serialize(record, commitId) });
    // In the same journaled step as the rest, so a rollback cuts it off too (see session-listing.ts).
    append(parts.layout.sessionIndexFile, formatSessionIndexPut(record, commitId));
  }
  return plan;
}

async function planRuns(
  parts: StoreParts,
  batch: WriteBatch,
  commitId: string,
  plan: Plan,
  append: (path: string, line: string) => void,
): Promise<void> {
  const runs = new Map<string, RunRecord>();
  for (const run of batch.runs ?? []) runs.set(run.id, run); // the last put of an id wins, as in a table
  for (const run of runs.values()) {
    const existing = await parts.runs.read(run.id);
    if (existing === undefined || existing.sessionId !== run.sessionId) append(parts.layout.runIndexFile, formatRunIndexLine(run));
    plan.puts.push({ path: parts.layout.runFile(run.id), content: formatRunFile(run, commitId) });
  }
  for (const event of batch.runEvents ?? []) append(parts.layout.runEventsFile(event.runId), formatRunEventLine(event));
}

export async function write(parts: StoreParts, plan: Plan, commitId: string, held: HeldLock): Promise<void> {
  const { layout, writer, journal } = parts;
  // Each appended file must end at a line boundary; its length then is what an undo returns to.
  const appended: JournalEntry['appended'] = [];
  const newDirectoryEntries = new Set<string>();
  for (const { path } of plan.appends.values()) {
    const tail = await cleanTail(path, writer, parts.warn);
    if (!tail.existed) newDirectoryEntries.add(dirname(path));
    appended.push({ path: layout.toRelative(path), length: tail.length });
  }
  for (const create of plan.creates) newDirectoryEntries.add(dirname(create.path));
  for (const directory of prepareBlobShards(parts, plan.blobs)) newDirectoryEntries.add(directory);
  for (const blob of plan.blobs) newDirectoryEntries.add(dirname(blob.staged));

  const primaries = [
    ...plan.puts.map((put) => ({ kind: 'put' as const, path: layout.toRelative(put.path) })),
    ...plan.primaryRemovals.map((path) => ({ kind: 'remove' as const, path: layout.toRelative(path) })),
  ];
  // Staged blobs are renamed into place when publishing: a single record as commit point would be
  // visible before them, so a commit with blobs always flips the journal.
  const commitPoint: CommitPoint = primaries.length === 1 && plan.blobs.length === 0 ? (primaries[0] as CommitPoint) : { kind: 'flip' };
  const entry: JournalEntry = {
    commitId,
    appended,
    created: plan.creates.map((create) => layout.toRelative(create.path)),
    puts: plan.puts.map((put) => ({ path: layout.toRelative(put.path), content: put.content })),
    removals: [...plan.primaryRemovals, ...plan.cleanupRemovals].map((path) => layout.toRelative(path)),
    ...(plan.blobs.length === 0 ? {} : { blobs: plan.blobs.map((blob) => ({ staged: layout.toRelative(blob.staged), path: layout.toRelative(blob.path) })) }),
    commitPoint,
  };

  held.assertStillHeld();
  await journal.prepare(entry);
  let committed = false;
  try {
    await Promise.all([
      ...plan.creates.map((create) => writer.create(create.path, Buffer.from(create.data))),
      ...plan.blobs.map((blob) => writer.create(blob.staged, Buffer.from(blob.bytes.buffer, blob.bytes.byteOffset, blob.bytes.byteLength))),
      // The session index is not fsynced: each driver checks it against the session files before trusting it (session-listing.ts).
      ...[...plan.appends.values()].map((planned) =>
        writer.append(planned.path, Buffer.from(planned.lines.join('')), { sync: planned.path !== layout.sessionIndexFile }),
      ),
    ]);
    await Promise.all([...newDirectoryEntries].map((directory) => writer.syncDirectory(directory)));
    held.assertStillHeld();
    if (commitPoint.kind === 'put') {
      const put = entry.puts.find((candidate) => candidate.path === commitPoint.path) as { path: string; content: string };
      await writer.replace(layout.fromRelative(put.path), Buffer.from(put.content));
    } else if (commitPoint.kind === 'remove') {
      const path = layout.fromRelative(commitPoint.path);
      await writer.remove(path);
      await writer.syncDirectory(dirname(path));
    } else {
      await journal.markCommitted();
    }
    committed = true;
    await journal.publish(entry, commitPoint.kind === 'flip' ? undefined : commitPoint.path);
    await journal.clear();
  } catch (error) {
    // Still holding the lock: finish (past the commit point) or undo (before it) right away, so
    // nothing half-done stays on disk. If even that fails, the next commit's recovery does it.
    let recovered = false;
    try {
      held.assertStillHeld();
      await journal.recover();
      recovered = true;
    } catch {
      // reported below with the original error
    }
    if (committed && recovered) return;
    throw error;
  }
}

/**
 * Lines beyond the owner's head in its head segment were never committed. The journal normally
 * removes them; this covers the case it cannot (a power loss in relaxed mode that kept the lines
 * but not the journal), so the next append at those seqs still wins.
 */
async function cutUncommittedLines(parts: StoreParts, segment: SegmentFile): Promise<SegmentFile> {
  if (!segment.header) return segment;
  const owner = await parts.sessions.read(segment.header.sessionId);
  if (owner?.headSegmentId !== segment.segmentId || segment.lastSeq <= owner.messageCount) return segment;
  const first = segment.lowerBound(owner.messageCount + 1);
  const offset = segment.offsets[first] as number;
  await parts.writer.truncate(segment.path, offset);
  parts.warn(
    `FileDriver: ${segment.path} held ${segment.seqs.length - first} message line(s) beyond the head of session ` +
      `"${owner.id}" (a write whose commit was lost); removed them.`,
  );
  return segment.refresh();
}

function sortedBySeq(messages: MessageRecord[]): MessageRecord[] {
  return [...messages].sort((left, right) => left.seq - right.seq);
}

function assertIncreasing(segmentId: string, messages: MessageRecord[], after: number): void {
  let previous = after;
  for (const message of messages) {
    if (!Number.isSafeInteger(message.seq) || message.seq <= previous) {
      throw new Error(`FileDriver: message seq ${message.seq} in segment "${segmentId}" does not follow seq ${previous}.`);
    }
    previous = message.seq;
  }
}
