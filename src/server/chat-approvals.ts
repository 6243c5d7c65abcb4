/**
 * Approvals answered through the AI SDK's chat client: `useChat`'s `addToolApprovalResponse` marks
 * a tool part of the last assistant message `approval-responded` with `{ id, approved, reason? }`,
 * and (with `sendAutomaticallyWhen: lastAssistantMessageIsCompleteWithApprovalResponses`) posts the
 * conversation again. The chat route reads those answers, records them on the chat's waiting run and
 * continues it; the client's stream then carries the rest of the same assistant message.
 */
import type { Agent } from '../agent/agent.js';
import { Runner } from '../agent/runner.js';
import { InvalidArgumentError } from '../errors.js';
import type { ApprovalAnswer } from '../session/approvals.js';
import type { SessionStore } from '../session/store.js';
import type { ServerLogger } from './errors.js';

/** The answers in the conversation's last message, when it is an assistant message with answered approvals. */
export function approvalAnswersOf(messages: unknown): ApprovalAnswer[] | undefined {
  const last: unknown = Array.isArray(messages) ? messages.at(-1) : undefined;
  if (typeof last !== 'object' || last === null) return undefined;
  const { role, parts } = last as { role?: unknown; parts?: unknown };
  if (role !== 'assistant' || !Array.isArray(parts)) return undefined;
  const answers: ApprovalAnswer[] = [];
  for (const part of parts as unknown[]) {
    if (typeof part !== 'object' || part === null) continue;
    const { state, approval } = part as { state?: unknown; approval?: { id?: unknown; approved?: unknown; reason?: unknown } };
    if (state !== 'approval-responded' || typeof approval?.id !== 'string' || typeof approval.approved !== 'boolean') continue;
    answers.push({ approvalId: approval.id, approved: approval.approved, ...(typeof approval.reason === 'string' ? { reason: approval.reason } : {}) });
  }
  return answers.length > 0 ? answers : undefined;
}

/**
 * Records the answers on the chat's waiting run and continues it (once every request is answered);
 * returns the run and the seq its stream should follow from (what the client already shows ends there).
 */
export async function continueChatAfterApproval(
  store: SessionStore,
  agent: Agent,
  chatId: string,
  answers: ApprovalAnswer[],
  logger: ServerLogger,
): Promise<{ runId: string; afterSeq: number }> {
  const pending = await store.pendingApprovals({ sessionId: chatId });
  const runId = pending[0]?.runId;
  // Answers the run already has (a retried request) are not sent again.
  const fresh = answers.filter((answer) => pending.some((request) => request.runId === runId && request.approvalId === answer.approvalId));
  if (runId === undefined || fresh.length === 0) {
    throw new InvalidArgumentError({ argument: 'messages', message: 'no tool call of this chat waits for the approvals the last message answers.' });
  }
  const afterSeq = (await store.runEvents(runId)).at(-1)?.seq ?? 0;
  const resumed = await Runner.startResume(agent, { runId, approvals: fresh, store });
  resumed.result.catch((error: unknown) => logger.error(`sessionloom server: resuming run ${runId} failed`, error));
  return { runId, afterSeq };
}
