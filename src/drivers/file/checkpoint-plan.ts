/**
 * The checkpoint part of a file store commit, planned under the commit lock: which blobs are new
 * (a blob already stored is never written again), where each is staged until the commit point,
 * and the checkpoint records to publish with the index lines that let `listCheckpoints` find them.
 */
import { lstatSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CheckpointRecord, WriteBatch } from '../../driver/driver.js';
import { formatCheckpointFile, formatCheckpointIndexLine } from './checkpoint-files.js';
import { FileCorruptionError } from './corruption.js';
import type { StoreParts } from './store-parts.js';

export interface PlannedBlob {
  path: string;
  staged: string;
  bytes: Uint8Array;
}

export async function planCheckpoints(
  parts: StoreParts,
  batch: WriteBatch,
  commitId: string,
  plan: { blobs: PlannedBlob[]; puts: Array<{ path: string; content: string }> },
  append: (path: string, line: string) => void,
): Promise<void> {
  const planned = new Set<string>();
  for (const blob of batch.blobs ?? []) {
    if (planned.has(blob.hash) || parts.checkpoints.hasBlob(blob.hash)) continue;
    planned.add(blob.hash);
    plan.blobs.push({ path: parts.layout.blobFile(blob.hash), staged: parts.layout.stagedBlobFile(blob.hash), bytes: blob.bytes });
  }
  const checkpoints = new Map<string, CheckpointRecord>();
  for (const checkpoint of batch.checkpoints ?? []) checkpoints.set(checkpoint.messageId, checkpoint); // the last put of an id wins, as in a table
  for (const checkpoint of checkpoints.values()) {
    const existing = await readReplaceable(parts, checkpoint.messageId);
    if (existing?.sessionId !== checkpoint.sessionId) append(parts.layout.checkpointIndexFile, formatCheckpointIndexLine(checkpoint));
    plan.puts.push({ path: parts.layout.checkpointFile(checkpoint.messageId), content: formatCheckpointFile(checkpoint, commitId) });
  }
}

/**
 * Creates the shard directories the planned blobs go to; returns the directories whose entries
 * changed (to sync before the commit point). A shard that is not a real directory (a symlink
 * planted in the store) is refused: a write through it could land outside the store.
 */
export function prepareBlobShards(parts: StoreParts, blobs: readonly PlannedBlob[]): string[] {
  const changed = new Set<string>();
  for (const shard of new Set(blobs.map((blob) => dirname(blob.path)))) {
    if (mkdirSync(shard, { recursive: true }) !== undefined) changed.add(parts.layout.blobsDirectory);
    if (!lstatSync(shard).isDirectory()) throw new Error(`FileDriver: ${shard} is not a directory; refusing to write blobs through it.`);
  }
  return [...changed];
}

/** The checkpoint being replaced; a damaged one is simply replaced (its index line is written again). */
async function readReplaceable(parts: StoreParts, messageId: string): Promise<CheckpointRecord | undefined> {
  try {
    return await parts.checkpoints.read(messageId);
  } catch (error) {
    if (error instanceof FileCorruptionError) return undefined;
    throw error;
  }
}
