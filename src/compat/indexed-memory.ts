/**
 * A memory driver that also knows, synchronously, which sessions it holds and when each was last
 * updated: what lets the seeds' in-memory stores answer `size()` and `pruneExpired()` without a
 * promise. The index follows each batch the driver applies (memory batches apply synchronously).
 */
import type { WriteBatch } from '../driver/driver.js';
import { MemoryDriver } from '../drivers/memory.js';

export class IndexedMemoryDriver extends MemoryDriver {
  private readonly updatedAt = new Map<string, number>();

  override commitNow(batch: WriteBatch): void {
    super.commitNow(batch);
    for (const { id } of batch.deleteSessions ?? []) this.updatedAt.delete(id);
    for (const { record } of batch.sessions ?? []) this.updatedAt.set(record.id, record.updatedAt);
  }

  /** How many sessions are stored. */
  get sessionCount(): number {
    return this.updatedAt.size;
  }

  /** How many sessions were last updated before `time` (epoch ms). */
  countUpdatedBefore(time: number): number {
    let count = 0;
    for (const updatedAt of this.updatedAt.values()) if (updatedAt < time) count += 1;
    return count;
  }
}
