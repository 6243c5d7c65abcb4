/**
 * Reading a session's slot. A lock past its lease belongs to a commit that stopped (its process
 * died or stalled): reading finishes or undoes that commit first (see transaction.ts), so nothing
 * stays locked for ever. A live lock is returned as it is: readers use the record it guards (the
 * state before that commit), writers wait for it.
 */
import type { SessionRecord } from '../../driver/driver.js';
import type { JsonValue } from '../../types.js';
import type { AdapterAccess } from './access.js';
import { keys, lastPart } from './keys.js';
import { recoverTransaction, releaseLock, type Slot } from './transaction.js';

export async function readSlot(access: AdapterAccess, sessionId: string): Promise<Slot | undefined> {
  for (let attempt = 0; ; attempt += 1) {
    const slot = (await access.get<JsonValue>(keys.session(sessionId))) as Slot | undefined;
    if (!slot?.lock || slot.lock.until > Date.now() || attempt > 3) return slot;
    const outcome = await recoverTransaction(access, slot.lock.tx);
    if (outcome === 'gone') await releaseLock(access, sessionId, slot.lock.tx, slot);
    if (outcome === 'live') return slot;
  }
}

/** The session's committed record, or undefined. */
export async function readRecord(access: AdapterAccess, sessionId: string): Promise<SessionRecord | undefined> {
  return (await readSlot(access, sessionId))?.record ?? undefined;
}

/** Every session slot's committed record (for queries: the adapter has no index but its keys). */
export async function readAllRecords(access: AdapterAccess): Promise<SessionRecord[]> {
  const slotKeys = await access.list(keys.sessions());
  const slots = (await access.getMany<JsonValue>(slotKeys)) as Array<Slot | undefined>;
  const records: SessionRecord[] = [];
  for (const [index, slot] of slots.entries()) {
    if (slot?.lock && slot.lock.until <= Date.now()) {
      // A stopped commit: settle it, then read that session again.
      const id = slot.record?.id ?? lastPart(slotKeys[index]!);
      const record = await readRecord(access, id);
      if (record) records.push(record);
    } else if (slot?.record) records.push(slot.record);
  }
  return records;
}
