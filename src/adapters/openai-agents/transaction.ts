/**
 * `applyHistoryTransaction`: the Agents SDK's atomic, idempotent history change. Its runner uses
 * it when an output guardrail blocks a turn (append what the turn already caused) and when the
 * run later resumes (replace that suffix with the accepted output).
 *
 * The SDK's operation id becomes the store's append `operationId`, hashed with the session's
 * creation time so it is always a valid id and a cleared session forgets its operations (as
 * `MemorySession` does). The first message a transaction writes records its digest, so a
 * retry returns without writing and a different transaction reusing the id is refused.
 *
 * `append_items` is one atomic append, and so is a `replace_suffix` whose replacement starts with
 * the expected suffix (the accepted output only adds to what was kept). Any other `replace_suffix`
 * is a rewind then an append, because the store has no single write for both: a crash between
 * them leaves the suffix removed (still readable through `branches`), and the retry is refused
 * because the suffix no longer matches.
 */
import { createHash } from 'node:crypto';
import { UserError, type AgentInputItem, type SessionHistoryTransactionArgs } from '@openai/agents-core';
import { SessionConflictError } from '../../errors.js';
import type { MessageInput, Session, StoredMessage } from '../../types.js';
import { fingerprint, sameItems } from './canonical.js';
import type { StoredHistory } from './history.js';
import { keepItems, readItems, visibleRowsOf } from './item-history.js';
import { messageFromItem, transactionDigestOf } from './stored-item.js';

type Transaction = SessionHistoryTransactionArgs['transaction'];
type ReplaceSuffix = Extract<Transaction, { type: 'replace_suffix' }>;

export async function applyHistoryTransaction(history: StoredHistory, args: SessionHistoryTransactionArgs): Promise<void> {
  const { operationId, transaction } = validated(args);
  const digest = fingerprint(transaction);
  if (transaction.type === 'append_items') {
    // Nothing to write, so nothing to record: a retry is a no-op as well.
    if (transaction.items.length === 0) return;
    const session = await history.ensureSession();
    const written = await history.store.append(history.sessionId, messagesOf(transaction.items, digest), {
      operationId: operationKey(session, operationId),
    });
    assertSameTransaction(written, digest);
    return;
  }
  await replaceSuffix(history, operationId, transaction, digest);
}

async function replaceSuffix(history: StoredHistory, operationId: string, transaction: ReplaceSuffix, digest: string): Promise<void> {
  const { expectedSuffix, replacement } = transaction;
  const session = await history.session();
  // A retry is answered before the precondition, which the first application made false.
  if (session && replacement.length > 0) {
    const earlier = await appliedBefore(history, session, operationId, messagesOf(replacement, digest));
    if (earlier) return assertSameTransaction(earlier, digest);
  }
  const suffix = expectedSuffix.length === 0 ? [] : await readItems(history, expectedSuffix.length);
  if (suffix.length !== expectedSuffix.length || !sameItems(suffix, expectedSuffix)) {
    throw new UserError('Session history suffix no longer matches the transaction precondition.');
  }
  if (sameItems(replacement.slice(0, expectedSuffix.length), expectedSuffix)) {
    const added = replacement.slice(expectedSuffix.length);
    if (added.length === 0) return;
    const target = session ?? (await history.ensureSession());
    // The version read before the precondition: a write since then fails this append, changing nothing.
    await history.store.append(history.sessionId, messagesOf(added, digest), {
      operationId: operationKey(target, operationId),
      expectedVersion: target.version,
    });
    return;
  }
  const rows = visibleRowsOf(await history.read());
  await keepItems(history, rows, rows.length - expectedSuffix.length);
  if (replacement.length === 0) return;
  const target = await history.ensureSession();
  await history.store.append(history.sessionId, messagesOf(replacement, digest), {
    operationId: operationKey(target, operationId),
    expectedVersion: target.version,
  });
}

/**
 * What an earlier application of this operation wrote, or undefined. The store answers a known
 * operation id before checking the version, so an append pinned to version 0 (which no session
 * has) returns the earlier messages when there are some and otherwise fails, writing nothing.
 */
async function appliedBefore(
  history: StoredHistory,
  session: Session,
  operationId: string,
  messages: MessageInput[],
): Promise<StoredMessage[] | undefined> {
  try {
    return await history.store.append(history.sessionId, messages, { operationId: operationKey(session, operationId), expectedVersion: 0 });
  } catch (error) {
    if (SessionConflictError.isInstance(error)) return undefined;
    throw error;
  }
}

function assertSameTransaction(written: StoredMessage[], digest: string): void {
  if (transactionDigestOf(written[0]) !== digest) {
    throw new UserError('Session history operation was already applied with a different transaction.');
  }
}

function messagesOf(items: AgentInputItem[], digest: string): MessageInput[] {
  return items.map((item, index) => messageFromItem(item, `transaction items[${index}]`, index === 0 ? { transactionDigest: digest } : {}));
}

function operationKey(session: Session, operationId: string): string {
  return `openai-agents:${createHash('sha256').update(`${session.createdAt}:${operationId}`).digest('hex')}`;
}

function validated(args: SessionHistoryTransactionArgs): { operationId: string; transaction: Transaction } {
  const operationId: unknown = args?.operationId;
  const transaction: unknown = args?.transaction;
  if (typeof operationId !== 'string' || operationId.trim() === '') {
    throw new UserError('Session history transaction operationId must be a non-empty string.');
  }
  if (typeof transaction !== 'object' || transaction === null) {
    throw new UserError('Session history transaction must be an object.');
  }
  const candidate = transaction as Record<string, unknown>;
  if (candidate.type === 'append_items') {
    if (!Array.isArray(candidate.items)) throw new UserError('Session history append transaction fields are invalid.');
  } else if (candidate.type === 'replace_suffix') {
    if (!Array.isArray(candidate.expectedSuffix) || !Array.isArray(candidate.replacement)) {
      throw new UserError('Session history suffix transaction fields are invalid.');
    }
  } else {
    throw new UserError('Unsupported session history transaction type.');
  }
  return { operationId, transaction: transaction as Transaction };
}
