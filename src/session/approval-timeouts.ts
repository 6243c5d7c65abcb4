/**
 * Forgotten approvals: a request nobody answered before its deadline reads as denied. Worked out on
 * read (like a stale run reading as `interrupted`), so no sweeper is needed and every reader agrees;
 * the denial is written when the run is next resumed.
 */
import type { RunApproval } from '../types.js';
import type { StoreContext } from './context.js';

/** The request's deadline: its own (the agent's `approvalTimeoutMs`), else the store's, else none. */
export function approvalDeadline(context: StoreContext, approval: RunApproval): number | undefined {
  if (approval.expiresAt !== undefined) return approval.expiresAt;
  return context.approvalTimeoutMs === undefined ? undefined : approval.requestedAt + context.approvalTimeoutMs;
}

/** The approvals with every unanswered one past its deadline read as a denial. */
export function withTimeouts(context: StoreContext, approvals: readonly RunApproval[]): RunApproval[] {
  const now = context.now();
  return approvals.map((approval) => {
    if (approval.decision) return approval;
    const deadline = approvalDeadline(context, approval);
    if (deadline === undefined || now < deadline) return approval;
    return { ...approval, decision: { approved: false, reason: 'No one answered the approval request in time.', at: deadline, timedOut: true } };
  });
}
