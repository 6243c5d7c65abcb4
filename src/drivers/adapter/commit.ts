/**
 * `commit` over a record adapter: all or nothing, with compare-and-set on session slots as the
 * only atomic step (see transaction.ts for the records and their recovery rule).
 *
 *  1. read the slot of every session the batch writes, deletes or checks; a slot locked by a live
 *     commit means waiting (and a lock past its lease is settled while reading);
 *  2. check every condition (versions, then duplicate message and operation ids): a failed one
 *     throws `WriteConflict` having written nothing;
 *  3. write the transaction record `pending`, then lock each slot by compare-and-set from the value
 *     read in 1 (in id order; losing any race releases them all and starts again at 1), so no
 *     other commit changes those sessions until this one is settled;
 *  4. write what nothing reaches yet: message claims (compare-and-set, so of two writers of one
 *     message id only one wins), segments, blobs;
 *  5. pass the commit point: the transaction record from `pending` to `committed`, with the plan;
 *  6. apply the plan, settle each slot with its new record, delete the transaction record.
 *
 * Readers see a session's record as its slot holds it, so each session changes at the moment its
 * slot is settled, after everything it reaches was written.
 */
import {
  WriteConflict,
  type WriteBatch,
} from '../../driver/driver.js';
import { StoreUnavailableError } from '../../errors.js';
import type { JsonValue } from '../../types.js';
import type { AdapterAccess } from './access.js';
import { keys } from './keys.js';
import { blobWrites, planOf, segmentWrites, type StoredMessage } from './plan.js';
import { readSlot } from './slots.js';
import {
  abandonTransaction,
  applyPlan,
  beginTransaction,
  freshStamp,
  passCommitPoint,
  type Slot,
  type TransactionRecord,
} from './transaction.js';

export interface CommitSettings {
  /** The store's name, for errors. */
  name: string;
  /** How long a commit may hold its locks before others may abort it (and how long a commit waits for others). */
  leaseMs: number;
}

export async function commitBatch(access: AdapterAccess, batch: WriteBatch, settings: CommitSettings): Promise<void> {
  const sessionIds = [
    ...new Set([
      ...(batch.sessions ?? []).map((write) => write.record.id),
      ...(batch.deleteSessions ?? []).map((removal) => removal.id),
      ...(batch.checks ?? []).map((check) => check.id),
    ]),
  ].sort();
  const giveUpAt = Date.now() + settings.leaseMs;
  for (let attempt = 0; ; attempt += 1) {
    const outcome = await attemptCommit(access, batch, sessionIds, settings.leaseMs);
    if (outcome === 'committed') return;
    // Aborted by another process (this writer stalled past its lease): try again at once; the
    // sessions have most likely moved on, which the next attempt reports as a conflict.
    if (outcome === 'aborted') continue;
    if (Date.now() > giveUpAt) {
      throw new StoreUnavailableError({
        store: settings.name,
        message: `The ${settings.name} store could not lock session(s) ${sessionIds.join(', ')} within ${settings.leaseMs} ms: other commits kept them locked.`,
      });
    }
    await pause(attempt);
  }
}

/** One try: `busy` when another commit was in the way (wait, then try again); throws a `WriteConflict`. */
async function attemptCommit(access: AdapterAccess, batch: WriteBatch, sessionIds: string[], leaseMs: number): Promise<'committed' | 'busy' | 'aborted'> {
  const slots = new Map<string, Slot | undefined>();
  for (const id of sessionIds) {
    const slot = await readSlot(access, id);
    if (slot?.lock) return 'busy';
    slots.set(id, slot);
  }
  checkVersions(batch, slots);
  const claims = await checkDuplicates(access, batch);

  const transaction = await beginTransaction(access, sessionIds, leaseMs);
  const held = new Map<string, Slot>();
  for (const id of sessionIds) {
    const current = slots.get(id);
    const locked: Slot = { stamp: freshStamp(), record: current?.record ?? null, lock: { tx: transaction.id, until: transaction.record.until } };
    if (!(await access.compareAndSet(keys.session(id), current as JsonValue | undefined, locked as unknown as JsonValue))) {
      await abandonTransaction(access, transaction.id, held);
      return 'busy';
    }
    held.set(id, locked);
  }

  const written: Written = { claims: [], segments: [] };
  let committed: boolean;
  let plan;
  try {
    await claimMessages(access, batch, transaction.id, claims, written);
    const segments = segmentWrites(batch);
    written.segments = segments.map((segment) => segment.key);
    await access.putMany(segments);
    // Put-if-absent: a hash already stored keeps its bytes (same hash, same bytes, by contract).
    await Promise.all(blobWrites(batch).map((blob) => access.compareAndSet(blob.key, undefined, blob.value)));
    plan = await planOf(access, batch, slots);
    committed = await passCommitPoint(access, transaction.id, transaction.record, plan);
  } catch (error) {
    await undo(access, written);
    await abandonTransaction(access, transaction.id, held);
    throw error;
  }
  if (!committed) {
    // Our lease ran out and another process aborted the transaction (and releases its locks).
    await undo(access, written);
    return 'aborted';
  }
  // Past the commit point: should this fail, the next reader of these sessions finishes it.
  await applyPlan(access, transaction.id, plan, held);
  return 'committed';
}

function checkVersions(batch: WriteBatch, slots: Map<string, Slot | undefined>): void {
  const expectations = [
    ...(batch.checks ?? []).map((check) => ({ id: check.id, expected: check.version })),
    ...(batch.sessions ?? []).map((write) => ({ id: write.record.id, expected: write.expectedVersion })),
    ...(batch.deleteSessions ?? []).map((removal) => ({ id: removal.id, expected: removal.expectedVersion })),
  ];
  for (const { id, expected } of expectations) {
    const actual = slots.get(id)?.record?.version;
    if ((actual ?? 0) !== expected) throw new WriteConflict({ kind: 'version', sessionId: id, actualVersion: actual });
  }
}

/** Refuses a message or operation id already taken; returns what each message id's key holds now (for the claim). */
async function checkDuplicates(access: AdapterAccess, batch: WriteBatch): Promise<Map<string, StoredMessage | undefined>> {
  const messages = batch.messages ?? [];
  const seen = new Set<string>();
  for (const message of messages) {
    if (seen.has(message.id)) throw new WriteConflict({ kind: 'duplicate-message', messageId: message.id });
    seen.add(message.id);
  }
  const stored = (await access.getMany<JsonValue>(messages.map((message) => keys.message(message.id)))) as Array<StoredMessage | undefined>;
  const claims = new Map<string, StoredMessage | undefined>();
  for (const [index, message] of messages.entries()) {
    const existing = stored[index];
    if (existing && (await isLiveClaim(access, existing))) throw new WriteConflict({ kind: 'duplicate-message', messageId: message.id });
    claims.set(message.id, existing);
  }
  const operations = batch.operations ?? [];
  const seenOperations = new Set<string>();
  for (const operation of operations) {
    const key = keys.operation(operation.sessionId, operation.operationId);
    if (seenOperations.has(key) || (await access.get(key)) !== undefined) {
      throw new WriteConflict({ kind: 'duplicate-operation', sessionId: operation.sessionId, operationId: operation.operationId });
    }
    seenOperations.add(key);
  }
  return claims;
}

/**
 * Whether a stored message holds its id: it is at its position (committed), or its transaction
 * committed or is still within its lease. Otherwise it was left by a commit that never passed its
 * commit point, and the id is free.
 */
export async function isLiveClaim(access: AdapterAccess, stored: StoredMessage): Promise<boolean> {
  const atPosition = await access.get<string>(keys.position(stored.record.segmentId, stored.record.seq));
  if (atPosition === stored.record.id) return true;
  const transaction = (await access.get<JsonValue>(keys.transaction(stored.tx))) as TransactionRecord | undefined;
  if (!transaction) return false;
  return transaction.state === 'committed' || (transaction.state === 'pending' && transaction.until > Date.now());
}

interface Written {
  claims: Array<{ key: string; value: JsonValue }>;
  segments: string[];
}

async function claimMessages(
  access: AdapterAccess,
  batch: WriteBatch,
  transactionId: string,
  observed: Map<string, StoredMessage | undefined>,
  written: Written,
): Promise<void> {
  for (const message of batch.messages ?? []) {
    const key = keys.message(message.id);
    const value = { stamp: freshStamp(), record: message, tx: transactionId } satisfies StoredMessage as unknown as JsonValue;
    let expected = observed.get(message.id);
    for (let attempt = 0; ; attempt += 1) {
      if (await access.compareAndSet(key, expected as JsonValue | undefined, value)) break;
      expected = (await access.get<JsonValue>(key)) as StoredMessage | undefined;
      if ((expected && (await isLiveClaim(access, expected))) || attempt >= 3) {
        throw new WriteConflict({ kind: 'duplicate-message', messageId: message.id });
      }
    }
    written.claims.push({ key, value });
  }
}

/** Removes what a commit that will not pass its commit point wrote (claims only if still ours). */
async function undo(access: AdapterAccess, written: Written): Promise<void> {
  for (const claim of written.claims) await access.compareAndSet(claim.key, claim.value, undefined).catch(() => false);
  await access.deleteMany(written.segments).catch(() => undefined);
}

function pause(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 25)));
}
