/**
 * Checkpoint retention for the file store, run under the commit lock: checkpoints whose message is
 * gone are removed, then blobs no remaining checkpoint uses. The checkpoint removals are made
 * durable before the first blob goes, so a power loss can never bring back a checkpoint whose
 * blobs were deleted. Only names this store writes are touched: blob files are matched against
 * the hash pattern, shard directories must be real directories, checkpoint names must decode.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { isMissing } from './durable-write.js';
import { decodeFileName } from './file-names.js';
import { BLOB_HASH_PATTERN, BLOB_SHARD_PATTERN } from './layout.js';
import { findMessage, type StoreParts } from './store-parts.js';

const CHECKPOINT_SUFFIX = '.json';

export async function collectCheckpointFiles(parts: StoreParts): Promise<{ checkpoints: number; blobs: number }> {
  const { layout, writer } = parts;
  await parts.journal.recover();

  let checkpoints = 0;
  const used = new Set<string>();
  for (const name of directoryNames(layout.checkpointsDirectory)) {
    if (!name.endsWith(CHECKPOINT_SUFFIX)) continue;
    const messageId = decodeFileName(name.slice(0, -CHECKPOINT_SUFFIX.length));
    if (messageId === undefined) continue; // a temporary file, or not ours
    // A damaged checkpoint throws here: better no collection than deleting blobs it may use.
    const checkpoint = await parts.checkpoints.read(messageId);
    if (checkpoint === undefined) continue;
    if ((await findMessage(parts, messageId, true)) !== undefined) {
      for (const hash of checkpoint.blobHashes) used.add(hash);
    } else if (await writer.remove(layout.checkpointFile(messageId))) {
      checkpoints += 1;
    }
  }
  if (checkpoints > 0) await writer.syncDirectory(layout.checkpointsDirectory);

  let blobs = 0;
  for (const shard of directoryNames(layout.blobsDirectory)) {
    if (!BLOB_SHARD_PATTERN.test(shard)) continue;
    const shardDirectory = layout.blobShardDirectory(shard);
    if (!lstatSync(shardDirectory).isDirectory()) continue; // a symlink: removing through it could reach outside
    let removed = false;
    for (const name of directoryNames(shardDirectory)) {
      if (!BLOB_HASH_PATTERN.test(name) || !name.startsWith(shard) || used.has(name)) continue;
      if (await writer.remove(layout.blobFile(name))) {
        blobs += 1;
        removed = true;
      }
    }
    if (removed) await writer.syncDirectory(shardDirectory);
  }
  return { checkpoints, blobs };
}

function directoryNames(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}
