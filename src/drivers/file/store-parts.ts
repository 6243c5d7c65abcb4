/** The pieces of one file store, built once per driver and shared by its operations. */
import { CheckpointFiles } from './checkpoint-files.js';
import { CommitJournal } from './journal.js';
import { DurableWriter, type Durability } from './durable-write.js';
import type { StoreLayout } from './layout.js';
import { MessageIndex } from './message-index.js';
import { OperationLog } from './operation-log.js';
import { RunFiles } from './run-files.js';
import type { SegmentRecord } from '../../driver/driver.js';
import { SegmentFiles, type SegmentFile } from './segment-log.js';
import { messageLineAt, peekSegmentHeader } from './segment-peek.js';
import { SegmentIndex } from './segment-index.js';
import { SessionFiles } from './session-files.js';
import { SessionIndex } from './session-index.js';

export interface StoreParts {
  layout: StoreLayout;
  writer: DurableWriter;
  journal: CommitJournal;
  sessions: SessionFiles;
  sessionIndex: SessionIndex;
  segments: SegmentFiles;
  messageIndex: MessageIndex;
  segmentIndex: SegmentIndex;
  operations: OperationLog;
  runs: RunFiles;
  checkpoints: CheckpointFiles;
  warn: (message: string) => void;
}

export function createStoreParts(layout: StoreLayout, durability: Durability, warn: (message: string) => void): StoreParts {
  const writer = new DurableWriter(durability);
  return {
    layout,
    writer,
    journal: new CommitJournal(layout, writer, warn),
    sessions: new SessionFiles(layout, warn),
    sessionIndex: new SessionIndex(layout.sessionIndexFile),
    segments: new SegmentFiles(layout),
    messageIndex: new MessageIndex(layout, warn),
    segmentIndex: new SegmentIndex(layout, warn),
    operations: new OperationLog(layout),
    runs: new RunFiles(layout, warn),
    checkpoints: new CheckpointFiles(layout, warn),
    warn,
  };
}

/**
 * The segment's index with the last seq readers may see. Lines beyond its owner's head belong to a
 * commit still writing (or one a crash interrupted, which recovery will cut off): readers never see
 * them, so a half-written batch is never visible. Other segments are complete: only a head grows.
 *
 * The owner is read before the lines are: lines up to the head it names were committed before it
 * was published, so the file read afterwards holds exactly them.
 */
export async function loadVisible(parts: StoreParts, segmentId: string): Promise<{ segment: SegmentFile; visibleUpTo: number }> {
  const segment = await parts.segments.load(segmentId);
  if (!segment.header) return { segment, visibleUpTo: 0 };
  const owner = await parts.sessions.read(segment.header.sessionId);
  const bounded = owner !== undefined && owner.headSegmentId === segmentId;
  if (bounded) await segment.refresh();
  return { segment, visibleUpTo: bounded ? owner.messageCount : Number.MAX_SAFE_INTEGER };
}

/**
 * A segment's record: from this process's index of it when it has one (one lstat when unchanged),
 * else from the file's first line, without indexing the file (see segment-peek.ts).
 */
export async function readSegmentHeader(parts: StoreParts, segmentId: string): Promise<SegmentRecord | undefined> {
  if (parts.segments.indexed(segmentId)) {
    const segment = await parts.segments.load(segmentId);
    return segment.state.exists ? segment.header : undefined;
  }
  return peekSegmentHeader(parts.layout.segmentFile(segmentId), segmentId);
}

/**
 * Where `messageId` is stored, checked against its segment file (the index only points). With
 * `headBound`, a message of a commit still in flight is not found.
 */
export async function findMessage(
  parts: StoreParts,
  messageId: string,
  headBound: boolean,
): Promise<{ segmentId: string; seq: number } | undefined> {
  const found = await parts.messageIndex.lookup(messageId);
  if (!found) return undefined;
  const location = { segmentId: found.segmentId, seq: found.seq };
  if (found.offset !== undefined && !parts.segments.indexed(found.segmentId)) {
    // Not indexed by this process: check the one line the entry points at instead of indexing the
    // whole segment. When that line is not there (retention cut it, an older entry), the long way decides.
    const path = parts.layout.segmentFile(found.segmentId);
    const header = peekSegmentHeader(path, found.segmentId);
    if (header && messageLineAt(path, found.offset, found.seq, messageId)) {
      if (!headBound) return location;
      // The line is committed unless it lies beyond its owner's head (a commit in flight).
      const owner = await parts.sessions.read(header.sessionId);
      const bounded = owner !== undefined && owner.headSegmentId === found.segmentId;
      return !bounded || found.seq <= owner.messageCount ? location : undefined;
    }
  }
  const { segment, visibleUpTo } = headBound
    ? await loadVisible(parts, location.segmentId)
    : { segment: await parts.segments.load(location.segmentId), visibleUpTo: Number.MAX_SAFE_INTEGER };
  if (!segment.present || location.seq > visibleUpTo) return undefined;
  const position = segment.lowerBound(location.seq);
  if (segment.seqs[position] !== location.seq || segment.ids[position] !== messageId) return undefined;
  return location;
}
