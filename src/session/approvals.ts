/**
 * Runs that wait for a person. A runner whose step needs approval parks the run
 * (`awaitApproval`: status `awaiting-approval`, the requests on the run record); anyone answers
 * (`answerApprovals`, from any process); a runner takes the run back once every request is answered
 * (`claimAnsweredRun`: status `running` again) and continues it.
 *
 * Each step is a compare-and-set on the run's session version with the run record in the same
 * batch, so of two processes answering one request (or resuming one run) exactly one wins and the
 * other gets a `SessionConflictError`, having changed nothing. The waiting run stays in the
 * session's live runs, so no other run starts on the session while it waits.
 */
import type { RunRecord, SessionRecord } from '../driver/driver.js';
import { assertValidId } from '../common/ids.js';
import { InvalidArgumentError, SessionConflictError } from '../errors.js';
import type { Run, RunApproval, Usage } from '../types.js';
import { mutateSession } from './access.js';
import { withTimeouts } from './approval-timeouts.js';
import type { StoreContext } from './context.js';
import { withLiveRuns } from './live-runs.js';
import { nextVersion, withActivity } from './records.js';
import { requireRun, runDriver, toRun } from './runs.js';
import { addUsage } from './usage.js';

const MAX_REASON_LENGTH = 1_000;
const MAX_APPROVAL_ID_LENGTH = 200;

/** One answer to an approval request. */
export interface ApprovalAnswer {
  approvalId: string;
  approved: boolean;
  /** Why; a denial's reason reaches the model with the denied result. At most 1,000 characters. */
  reason?: string;
}

/** What a runner parks a run with. */
export interface AwaitApprovalOptions {
  approvals: Array<Omit<RunApproval, 'requestedAt' | 'decision'>>;
  /** The usage of the run so far, added to the run's and the session's now (as `finishRun` does). */
  usage?: Partial<Usage>;
}

/** Parks a running run until its requests are answered. Called by the run's writer. */
export async function awaitApproval(context: StoreContext, runId: string, options: AwaitApprovalOptions): Promise<Run> {
  if (!Array.isArray(options?.approvals) || options.approvals.length === 0) {
    throw new InvalidArgumentError({ argument: 'approvals', message: 'expected at least one approval request.' });
  }
  const first = await requireRun(context, runId);
  const run = await mutateSession<Run>(context, first.sessionId, {}, async (session) => {
    const current = await requireRun(context, runId);
    if (current.status !== 'running') throw notWaiting(session, current, 'is not running, so it cannot start waiting for approval');
    const now = context.now();
    const usage = options.usage ?? {};
    const requests: RunApproval[] = options.approvals.map((approval) => ({ ...approval, requestedAt: now }));
    const waiting: RunRecord = {
      ...current,
      status: 'awaiting-approval',
      lastActiveAt: now,
      usage: addUsage(current.usage, usage),
      approvals: [...(current.approvals ?? []), ...requests],
    };
    const next = listed(withActivity(context, nextVersion(session, now), now), runId);
    next.usage = addUsage(session.usage, usage);
    return { batch: { sessions: [{ record: next, expectedVersion: session.version }], runs: [waiting] }, result: toRun(context, waiting, next) };
  });
  await context.runPulses.signal(runId);
  return run;
}

/**
 * Records answers to a waiting run's requests. Partial answers are kept; the run goes on waiting
 * until a runner resumes it. An unknown approval id is an `InvalidArgumentError`; answering one that
 * is already answered (or timed out), or a run that is not waiting, is a `SessionConflictError`.
 */
export async function answerApprovals(context: StoreContext, runId: string, answers: readonly ApprovalAnswer[]): Promise<Run> {
  const checked = checkAnswers(answers);
  const first = await requireRun(context, runId);
  const run = await mutateSession<Run>(context, first.sessionId, {}, async (session) => {
    const current = await requireRun(context, runId);
    if (current.status !== 'awaiting-approval') throw notWaiting(session, current, 'is not waiting for approval');
    const now = context.now();
    const approvals = withTimeouts(context, current.approvals ?? []);
    const byId = new Map(approvals.map((approval) => [approval.approvalId, approval]));
    checked.forEach((answer, index) => {
      const approval = byId.get(answer.approvalId);
      if (!approval) {
        throw new InvalidArgumentError({ argument: `approvals[${index}].approvalId`, message: `run "${runId}" has no approval request "${answer.approvalId}".` });
      }
      if (approval.decision) {
        const how = approval.decision.timedOut ? 'timed out' : approval.decision.approved ? 'was approved' : 'was denied';
        throw new SessionConflictError({
          sessionId: session.id,
          expectedVersion: session.version,
          actualVersion: session.version,
          message: `Approval "${answer.approvalId}" of run "${runId}" already ${how}; it can be answered once.`,
        });
      }
      byId.set(answer.approvalId, { ...approval, decision: { approved: answer.approved, ...(answer.reason === undefined ? {} : { reason: answer.reason }), at: now } });
    });
    const answered: RunRecord = { ...current, approvals: [...byId.values()] };
    const next = nextVersion(session, now);
    return { batch: { sessions: [{ record: next, expectedVersion: session.version }], runs: [answered] }, result: toRun(context, answered, next) };
  });
  await context.runPulses.signal(runId);
  return run;
}

/**
 * Takes a waiting run back for a runner once every request is answered (timed-out ones as
 * denials): the run is `running` again and the caller is its writer. Returns undefined (changing
 * nothing) while some request still waits.
 */
export async function claimAnsweredRun(context: StoreContext, runId: string): Promise<Run | undefined> {
  const first = await requireRun(context, runId);
  const run = await mutateSession<Run | undefined>(context, first.sessionId, {}, async (session) => {
    const current = await requireRun(context, runId);
    if (current.status !== 'awaiting-approval') throw notWaiting(session, current, 'is not waiting for approval, so there is nothing to resume');
    const approvals = withTimeouts(context, current.approvals ?? []);
    if (approvals.some((approval) => !approval.decision)) return { done: undefined };
    const now = context.now();
    const resumed: RunRecord = { ...current, status: 'running', lastActiveAt: now, approvals };
    const next = listed(nextVersion(session, now), runId);
    return { batch: { sessions: [{ record: next, expectedVersion: session.version }], runs: [resumed] }, result: toRun(context, resumed, next) };
  });
  if (run) await context.runPulses.signal(runId);
  return run;
}

/** A request still waiting for an answer, with where it belongs. */
export interface PendingApproval extends Omit<RunApproval, 'decision'> {
  runId: string;
  sessionId: string;
  userId?: string;
  agentName?: string;
}

export interface PendingApprovalsOptions {
  sessionId?: string;
  userId?: string;
  runId?: string;
}

// Sessions with live runs read per page while looking for waiting runs.
const SCAN_PAGE = 200;

/**
 * The requests waiting for an answer, oldest first, in the store's scope. Waiting runs are found
 * through their sessions' live runs: with `sessionId` (or `runId`) one read; otherwise the
 * sessions in scope (of `userId`, if given) that list live runs, which the drivers answer from an
 * index of only those (`hasLiveRuns`), page by page.
 */
export async function pendingApprovals(context: StoreContext, options: PendingApprovalsOptions = {}): Promise<PendingApproval[]> {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError({ argument: 'options', message: 'expected an object.' });
  const driver = runDriver(context);
  let sessions: SessionRecord[];
  if (options.userId !== undefined) assertValidId(options.userId, 'userId');
  if (options.runId !== undefined) {
    sessions = await inScope(context, [(await requireRun(context, options.runId)).sessionId], options.userId);
  } else if (options.sessionId !== undefined) {
    assertValidId(options.sessionId, 'session id');
    sessions = await inScope(context, [options.sessionId], options.userId);
  } else {
    if (context.scopeUserId !== undefined && options.userId !== undefined && options.userId !== context.scopeUserId) return [];
    sessions = await sessionsWithLiveRuns(context, context.scopeUserId ?? options.userId);
  }
  const pending: PendingApproval[] = [];
  for (const session of sessions) {
    for (const entry of session.liveRuns ?? []) {
      if (options.runId !== undefined && entry.runId !== options.runId) continue;
      const run = await driver.getRun(entry.runId);
      if (run?.status !== 'awaiting-approval') continue;
      for (const approval of withTimeouts(context, run.approvals ?? [])) {
        if (approval.decision) continue;
        const { decision: _none, ...request } = approval;
        pending.push({
          ...request,
          runId: run.id,
          sessionId: session.id,
          ...(session.userId === undefined ? {} : { userId: session.userId }),
          ...(run.agentName === undefined ? {} : { agentName: run.agentName }),
        });
      }
    }
  }
  // A stable sort: one step's requests keep the order of its calls.
  return pending.sort((a, b) => a.requestedAt - b.requestedAt);
}

async function inScope(context: StoreContext, ids: string[], userId: string | undefined): Promise<SessionRecord[]> {
  const found: SessionRecord[] = [];
  for (const id of ids) {
    const record = await context.driver.getSession(id);
    if (!record) continue;
    if (context.scopeUserId !== undefined && record.userId !== context.scopeUserId) continue;
    if (userId !== undefined && record.userId !== userId) continue;
    found.push(record);
  }
  return found;
}

async function sessionsWithLiveRuns(context: StoreContext, userId: string | undefined): Promise<SessionRecord[]> {
  const found: SessionRecord[] = [];
  let after: { value: number; id: string } | undefined;
  for (;;) {
    const page = await context.driver.listSessions({
      ...(userId === undefined ? {} : { userId }),
      hasLiveRuns: true,
      ...(after === undefined ? {} : { after }),
      orderBy: 'createdAt',
      order: 'asc',
      limit: SCAN_PAGE,
    });
    found.push(...page);
    const last = page.at(-1);
    if (page.length < SCAN_PAGE || last === undefined) return found;
    after = { value: last.createdAt, id: last.id };
  }
}

function checkAnswers(answers: readonly ApprovalAnswer[]): ApprovalAnswer[] {
  if (!Array.isArray(answers) || answers.length === 0) {
    throw new InvalidArgumentError({ argument: 'approvals', message: 'expected a non-empty array of { approvalId, approved, reason? }.' });
  }
  const seen = new Set<string>();
  return answers.map((answer: unknown, index) => {
    const where = `approvals[${index}]`;
    if (typeof answer !== 'object' || answer === null) throw new InvalidArgumentError({ argument: where, message: 'expected { approvalId, approved, reason? }.' });
    const { approvalId, approved, reason, ...rest } = answer as Record<string, unknown>;
    const unknownKey = Object.keys(rest)[0];
    if (unknownKey !== undefined) throw new InvalidArgumentError({ argument: `${where}.${unknownKey}`, message: 'unknown field; expected approvalId, approved, reason.' });
    if (typeof approvalId !== 'string' || approvalId.length === 0 || approvalId.length > MAX_APPROVAL_ID_LENGTH) {
      throw new InvalidArgumentError({ argument: `${where}.approvalId`, message: `expected a non-empty string of at most ${MAX_APPROVAL_ID_LENGTH} characters.` });
    }
    if (typeof approved !== 'boolean') throw new InvalidArgumentError({ argument: `${where}.approved`, message: 'expected true or false.' });
    if (reason !== undefined && (typeof reason !== 'string' || reason.length > MAX_REASON_LENGTH)) {
      throw new InvalidArgumentError({ argument: `${where}.reason`, message: `expected a string of at most ${MAX_REASON_LENGTH} characters.` });
    }
    if (seen.has(approvalId)) throw new InvalidArgumentError({ argument: `${where}.approvalId`, message: `"${approvalId}" is answered twice in one call.` });
    seen.add(approvalId);
    return { approvalId, approved, ...(reason === undefined ? {} : { reason }) };
  });
}

/** The session record with the run in its live runs (a run started before sessions listed them gets its entry). */
function listed(record: SessionRecord, runId: string): SessionRecord {
  const entries = record.liveRuns ?? [];
  return entries.some((entry) => entry.runId === runId) ? record : withLiveRuns(record, [...entries, { runId }]);
}

function notWaiting(session: SessionRecord, run: RunRecord, what: string): SessionConflictError {
  return new SessionConflictError({
    sessionId: session.id,
    expectedVersion: session.version,
    actualVersion: session.version,
    message: `Run "${run.id}" ${what} (its status is ${run.status}).`,
  });
}
