/**
 * A batch's transaction record (`tx~ID`): the commit point of a commit, and what to do after it.
 *
 * A commit writes the record `pending` before it locks any session, so every lock names a record
 * that exists; it passes its commit point by compare-and-set from `pending` to `committed` with the
 * plan (every write that follows: index entries, positions, operations, runs, checkpoints, the new
 * session records); it applies the plan, unlocks its sessions with their new records, and deletes
 * the record. Whoever finds the work of a stopped commit (a lock past its lease) finishes it:
 *
 * - `committed`: apply the plan again (every step is idempotent) and unlock with the new records;
 * - `pending` past its lease: compare-and-set it to `aborted` (so the stalled writer can no longer
 *   pass its commit point), then unlock with the old records;
 * - no record: the commit finished or was abandoned before its commit point; only a lock is left,
 *   which is removed.
 *
 * What a stopped commit wrote before its commit point (message claims, segment and blob records)
 * is reachable from nothing, and a later commit may reuse those message ids.
 */
import { randomUUID } from 'node:crypto';
import type { SessionRecord } from '../../driver/driver.js';
import type { JsonValue } from '../../types.js';
import type { AdapterAccess } from './access.js';
import { keys } from './keys.js';

/** Everything a committed batch still has to write, in order: deletes, puts, then the session records. */
export interface Plan {
  deletes: string[];
  puts: Array<{ key: string; value: JsonValue }>;
  /** The sessions' new records (null: deleted); a checked session gets its record back unchanged. */
  sessions: Array<{ id: string; record: SessionRecord | null }>;
}

export interface TransactionRecord {
  stamp: string;
  state: 'pending' | 'committed' | 'aborted';
  /** Past this time (epoch ms) anyone may abort a pending transaction. */
  until: number;
  /** The sessions it locks. */
  sessionIds: string[];
  plan?: Plan;
}

/** A session's stored slot: its record (null while a creation holds the lock), and a commit's lock. */
export interface Slot {
  stamp: string;
  record: SessionRecord | null;
  lock?: { tx: string; until: number };
}

export function freshStamp(): string {
  return randomUUID();
}

/** The slot as a commit leaves it: the new record, no lock (undefined: the key is deleted). */
export function settledSlot(record: SessionRecord | null): Slot | undefined {
  return record === null ? undefined : { stamp: freshStamp(), record };
}

const asJson = (value: unknown): JsonValue => value as JsonValue;

export async function beginTransaction(access: AdapterAccess, sessionIds: string[], leaseMs: number): Promise<{ id: string; record: TransactionRecord }> {
  const id = randomUUID();
  const record: TransactionRecord = { stamp: freshStamp(), state: 'pending', until: Date.now() + leaseMs, sessionIds };
  await access.put(keys.transaction(id), asJson(record));
  return { id, record };
}

/** The commit point: true when this call moved the record from pending to committed. */
export async function passCommitPoint(access: AdapterAccess, id: string, pending: TransactionRecord, plan: Plan): Promise<boolean> {
  const committed: TransactionRecord = { ...pending, stamp: freshStamp(), state: 'committed', plan };
  return access.compareAndSet(keys.transaction(id), asJson(pending), asJson(committed));
}

/** Applies a committed plan: idempotent, so the writer and a recoverer may both run it. */
export async function applyPlan(access: AdapterAccess, id: string, plan: Plan, heldLocks?: Map<string, Slot>): Promise<void> {
  await access.deleteMany(plan.deletes);
  await access.putMany(plan.puts);
  for (const { id: sessionId, record } of plan.sessions) {
    const key = keys.session(sessionId);
    const locked = heldLocks?.get(sessionId) ?? (await access.get<JsonValue>(key));
    if ((locked as Slot | undefined)?.lock?.tx !== id) continue; // settled already
    await access.compareAndSet(key, asJson(locked), asJson(settledSlot(record)));
  }
  await access.delete(keys.transaction(id));
}

/** Unlocks a session a transaction locked but did not commit, leaving its record as it was. */
export async function releaseLock(access: AdapterAccess, sessionId: string, transactionId: string, known?: Slot): Promise<void> {
  const key = keys.session(sessionId);
  const slot = known ?? (await access.get<JsonValue>(key));
  const locked = slot as Slot | undefined;
  if (locked?.lock?.tx !== transactionId) return;
  await access.compareAndSet(key, asJson(locked), asJson(settledSlot(locked.record)));
}

/**
 * Finishes or undoes the transaction `id` if it stopped: `live` when it is pending within its
 * lease (leave it alone), `gone` when there is no record, `settled` when this call finished it.
 */
export async function recoverTransaction(access: AdapterAccess, id: string): Promise<'live' | 'gone' | 'settled'> {
  const key = keys.transaction(id);
  let record = await access.get<JsonValue>(key) as TransactionRecord | undefined;
  if (!record) return 'gone';
  if (record.state === 'pending') {
    if (record.until > Date.now()) return 'live';
    const aborted: TransactionRecord = { ...record, stamp: freshStamp(), state: 'aborted' };
    if (await access.compareAndSet(key, asJson(record), asJson(aborted))) record = aborted;
    else {
      record = (await access.get<JsonValue>(key)) as TransactionRecord | undefined;
      if (!record) return 'gone';
      if (record.state === 'pending') return 'live';
    }
  }
  if (record.state === 'committed' && record.plan) {
    await applyPlan(access, id, record.plan);
  } else {
    for (const sessionId of record.sessionIds) await releaseLock(access, sessionId, id);
    await access.delete(key);
  }
  return 'settled';
}

/** Abandons a transaction that never reached its commit point (its writer's own clean-up). */
export async function abandonTransaction(access: AdapterAccess, id: string, held: Map<string, Slot>): Promise<void> {
  for (const [sessionId, slot] of held) await releaseLock(access, sessionId, id, slot);
  await access.delete(keys.transaction(id));
}
