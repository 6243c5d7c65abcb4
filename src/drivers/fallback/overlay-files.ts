/**
 * The file checkpoints and blobs written during an outage. Kept apart from the overlay's other
 * records because their collection differs from a store's: a checkpoint of a message from before
 * the outage is not held here with its message, so only a checkpoint whose message this process
 * knows it deleted is collected locally (the rest waits for the primary's own collection).
 */
import type { BlobRecord, CheckpointRecord } from '../../driver/driver.js';

export class OverlayFiles {
  private readonly blobs = new Map<string, Uint8Array>();
  private readonly checkpoints = new Map<string, CheckpointRecord>();

  apply(blobs: BlobRecord[] = [], checkpoints: CheckpointRecord[] = []): void {
    for (const blob of blobs) if (!this.blobs.has(blob.hash)) this.blobs.set(blob.hash, Uint8Array.from(blob.bytes));
    for (const checkpoint of checkpoints) this.checkpoints.set(checkpoint.messageId, structuredClone(checkpoint));
  }

  blob(hash: string): Uint8Array | undefined {
    const bytes = this.blobs.get(hash);
    return bytes && Uint8Array.from(bytes);
  }

  /** Which hashes are not held here (the primary may have them: sending one again is harmless, the same hash is the same bytes). */
  missing(hashes: string[]): string[] {
    return [...new Set(hashes)].filter((hash) => !this.blobs.has(hash));
  }

  checkpoint(messageId: string): CheckpointRecord | undefined {
    const checkpoint = this.checkpoints.get(messageId);
    return checkpoint && structuredClone(checkpoint);
  }

  /** The checkpoints a session wrote during the outage, oldest first. */
  checkpointsOf(sessionId: string): CheckpointRecord[] {
    return [...this.checkpoints.values()]
      .filter((checkpoint) => checkpoint.sessionId === sessionId)
      .sort((left, right) => left.createdAt - right.createdAt || (left.messageId < right.messageId ? -1 : left.messageId > right.messageId ? 1 : 0))
      .map((checkpoint) => structuredClone(checkpoint));
  }

  /** Drops the checkpoints of deleted messages, then the blobs no checkpoint held here uses. */
  collect(isDeletedMessage: (messageId: string) => boolean): { checkpoints: number; blobs: number } {
    let checkpoints = 0;
    for (const messageId of [...this.checkpoints.keys()]) {
      if (!isDeletedMessage(messageId)) continue;
      this.checkpoints.delete(messageId);
      checkpoints += 1;
    }
    const used = new Set([...this.checkpoints.values()].flatMap((checkpoint) => checkpoint.blobHashes));
    let blobs = 0;
    for (const hash of [...this.blobs.keys()]) {
      if (used.has(hash)) continue;
      this.blobs.delete(hash);
      blobs += 1;
    }
    return { checkpoints, blobs };
  }
}
