/**
 * Checkpoint collection over the adapter: checkpoints whose message is gone, then blobs no
 * remaining checkpoint uses. A blob written for a checkpoint whose commit has not landed yet may
 * go too; the core re-uploads what a checkpoint finds missing once its record is stored.
 */
import type { CheckpointRecord } from '../../driver/driver.js';
import type { JsonValue } from '../../types.js';
import type { AdapterAccess } from './access.js';
import { keys, lastPart } from './keys.js';
import { locateStoredMessage } from './messages.js';

export async function collectAdapterCheckpoints(access: AdapterAccess): Promise<{ checkpoints: number; blobs: number }> {
  const checkpointKeys = await access.list(keys.checkpoints());
  const records = (await access.getMany<JsonValue>(checkpointKeys)) as Array<CheckpointRecord | undefined>;
  const used = new Set<string>();
  let checkpoints = 0;
  for (const record of records) {
    if (!record) continue;
    if (await locateStoredMessage(access, record.messageId)) {
      for (const hash of record.blobHashes) used.add(hash);
      continue;
    }
    await access.deleteMany([keys.checkpointOf(record.sessionId, record.messageId), keys.checkpoint(record.messageId)]);
    checkpoints += 1;
  }
  const unused = (await access.list(keys.blobs())).filter((key) => !used.has(lastPart(key)));
  await access.deleteMany(unused);
  return { checkpoints, blobs: unused.length };
}
