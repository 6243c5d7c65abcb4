/**
 * Reading a session through the store's scope, and the compare-and-set loop every change goes
 * through: read the record, plan a write batch conditioned on its version, commit; when another
 * writer won the race, re-read and plan again (or report `SessionConflictError` when the caller
 * pinned `expectedVersion`). Losing a race leaves nothing behind, because a batch is all-or-nothing.
 */
import { WriteConflict, type SessionRecord, type WriteBatch } from '../driver/driver.js';
import { InvalidArgumentError, SessionConflictError, SessionExpiredError, SessionNotFoundError } from '../errors.js';
import type { StoreContext } from './context.js';

const MAX_ATTEMPTS = 200;

/** The session record if it exists and is inside the scope. */
export async function findSession(context: StoreContext, id: string): Promise<SessionRecord | undefined> {
  const record = await context.driver.getSession(id);
  if (!record) return undefined;
  if (context.scopeUserId !== undefined && record.userId !== context.scopeUserId) return undefined;
  return record;
}

export async function requireSession(context: StoreContext, id: string): Promise<SessionRecord> {
  const record = await findSession(context, id);
  if (!record) throw new SessionNotFoundError({ sessionId: id });
  return record;
}

export function assertNotExpired(record: SessionRecord): void {
  if (record.state === 'expired') throw new SessionExpiredError({ sessionId: record.id });
}

export interface MutationPlan<Result> {
  batch: WriteBatch;
  result: Result;
}

/** A plan may decide there is nothing to write and answer at once (an idempotent retry, a no-op). */
export type MutationOutcome<Result> = MutationPlan<Result> | { done: Result };

/**
 * Runs `plan` against the current record of session `id` and commits it, retrying on lost races.
 * The batch must condition on the record's version (the plan builds it from the record it is given).
 */
export async function mutateSession<Result>(
  context: StoreContext,
  id: string,
  options: { expectedVersion?: number | undefined },
  plan: (record: SessionRecord) => Promise<MutationOutcome<Result>> | MutationOutcome<Result>,
): Promise<Result> {
  for (let attempt = 0; ; attempt += 1) {
    const record = await requireSession(context, id);
    if (options.expectedVersion !== undefined && record.version !== options.expectedVersion) {
      throw new SessionConflictError({ sessionId: id, expectedVersion: options.expectedVersion, actualVersion: record.version });
    }
    const outcome = await plan(record);
    if ('done' in outcome) return outcome.done;
    try {
      await context.driver.commit(outcome.batch);
      return outcome.result;
    } catch (error) {
      if (!WriteConflict.is(error)) throw error;
      const reason = error.reason;
      if (reason.kind === 'duplicate-message') {
        throw new InvalidArgumentError({ argument: 'message id', message: `a message with id "${reason.messageId}" already exists.` });
      }
      if (reason.kind === 'version' && reason.sessionId === id && options.expectedVersion !== undefined) {
        if (reason.actualVersion === undefined) throw new SessionNotFoundError({ sessionId: id });
        throw new SessionConflictError({ sessionId: id, expectedVersion: options.expectedVersion, actualVersion: reason.actualVersion });
      }
      // Another writer moved the session (or a session the batch checks), or recorded the same
      // operation id: re-read and plan again.
      if (attempt + 1 >= MAX_ATTEMPTS) {
        throw new SessionConflictError({
          sessionId: id,
          expectedVersion: record.version,
          actualVersion: reason.kind === 'version' ? (reason.actualVersion ?? -1) : record.version,
          message: `Session "${id}" kept changing under ${MAX_ATTEMPTS} attempts to write it; retry later.`,
        });
      }
      await backoff(attempt);
    }
  }
}

function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(2 ** attempt, 50);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
