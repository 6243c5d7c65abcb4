/**
 * Tool approvals inside a run, in the AI SDK's own message forms: the assistant message that makes
 * a call needing approval carries a `tool-approval-request` part for it (`{ approvalId, toolCallId }`);
 * the answer is a tool message with the `tool-approval-response` part followed by the call's result
 * (what the tool returned, or an `execution-denied` output with the reason), exactly what
 * `convertToModelMessages` makes of an answered approval. A transcript read back is therefore one
 * `generateText` accepts as it is.
 */
import type { AssistantModelMessage } from 'ai';
import { generateId } from '../common/ids.js';
import type { ModelMessage, RunApproval } from '../types.js';
import type { Agent } from './agent.js';
import { decideToolCall, type ApprovalDecision } from './approval-policy.js';
import type { ModelToolCall } from './model-step.js';
import type { ToolResultOutput } from './run-events.js';
import { executableTool, executeToolCall } from './tool-execution.js';

type ToolMessage = Extract<ModelMessage, { role: 'tool' }>;
type ToolContentPart = ToolMessage['content'][number];
type ToolResultPart = Extract<ToolContentPart, { type: 'tool-result' }>;

/** What a person is asked about in this step: the call and its new approval id. */
export interface ApprovalAsk {
  approvalId: string;
  call: ModelToolCall;
}

export interface GatedCalls {
  decisions: Map<string, ApprovalDecision>;
  asks: ApprovalAsk[];
}

/** The policy's decision for each client-executed call of the step (calls with invalid input are answered by the SDK already). */
export async function gateToolCalls(agent: Agent, calls: ModelToolCall[], messages: ModelMessage[]): Promise<GatedCalls> {
  const decisions = new Map<string, ApprovalDecision>();
  const asks: ApprovalAsk[] = [];
  for (const call of calls) {
    if (call.providerExecuted || call.invalid) continue;
    const decision = await decideToolCall(agent.tools, agent.approval, call, messages);
    decisions.set(call.toolCallId, decision);
    if (decision === 'ask') asks.push({ approvalId: generateId('approval'), call });
  }
  return { decisions, asks };
}

/** The assistant message with a `tool-approval-request` part after each call that asks, as the AI SDK writes it. */
export function withApprovalRequests(assistant: AssistantModelMessage, asks: ApprovalAsk[]): AssistantModelMessage {
  if (asks.length === 0) return assistant;
  const requests = asks.map((ask) => ({ type: 'tool-approval-request' as const, approvalId: ask.approvalId, toolCallId: ask.call.toolCallId }));
  const content = typeof assistant.content === 'string' ? [{ type: 'text' as const, text: assistant.content }] : assistant.content;
  return { ...assistant, content: [...content, ...requests] };
}

/** The run record's form of this step's requests. */
export function approvalRequests(asks: ApprovalAsk[], step: number, timeoutMs: number | undefined, now: number): Array<Omit<RunApproval, 'requestedAt' | 'decision'>> {
  return asks.map((ask) => ({
    approvalId: ask.approvalId,
    toolCallId: ask.call.toolCallId,
    toolName: ask.call.toolName,
    input: ask.call.input ?? null,
    step,
    ...(timeoutMs === undefined ? {} : { expiresAt: now + timeoutMs }),
  }));
}

export const POLICY_DENIAL_REASON = "The agent's approval policy does not allow this tool call.";

/** The result the model gets for a denied call (the AI SDK's `execution-denied` output). */
export function deniedResult(call: { toolCallId: string; toolName: string }, reason: string | undefined): ToolResultPart {
  const output: ToolResultOutput = { type: 'execution-denied', ...(reason === undefined ? {} : { reason }) };
  return { type: 'tool-result', toolCallId: call.toolCallId, toolName: call.toolName, output };
}

/** One answered approval as the runner writes it: the response part, and the call's result with whether it failed. */
export interface AnsweredApproval {
  response: ToolContentPart;
  result: ToolResultPart;
  isError: boolean;
}

/**
 * Runs the approved calls (concurrently, as one step's tools run) and denies the others. Each call
 * runs here once: the run was claimed by a compare-and-set before this is called.
 */
export async function answerApprovedCalls(
  agent: Agent,
  approvals: RunApproval[],
  context: { messages: ModelMessage[]; signal?: AbortSignal },
): Promise<AnsweredApproval[]> {
  return Promise.all(
    approvals.map(async (approval): Promise<AnsweredApproval> => {
      const decision: { approved: boolean; reason?: string } = approval.decision ?? { approved: false };
      const response: ToolContentPart = {
        type: 'tool-approval-response',
        approvalId: approval.approvalId,
        approved: decision.approved,
        ...(decision.reason === undefined ? {} : { reason: decision.reason }),
      };
      const call = { toolCallId: approval.toolCallId, toolName: approval.toolName, input: approval.input };
      if (!decision.approved) return { response, result: deniedResult(call, decision.reason ?? 'The tool call was not approved.'), isError: false };
      const tool = executableTool(agent.tools, approval.toolName);
      if (!tool) {
        const output: ToolResultOutput = { type: 'error-text', value: `The agent has no executable tool "${approval.toolName}" to run after approval.` };
        return { response, result: { type: 'tool-result', toolCallId: call.toolCallId, toolName: call.toolName, output }, isError: true };
      }
      const outcome = await executeToolCall(tool, call, context);
      return { response, result: { type: 'tool-result', toolCallId: outcome.toolCallId, toolName: outcome.toolName, output: outcome.output }, isError: outcome.isError };
    }),
  );
}

/** The tool message answering the approvals: each response followed by its result, as `convertToModelMessages` writes them. */
export function approvalToolMessage(answered: AnsweredApproval[]): ToolMessage {
  return { role: 'tool', content: answered.flatMap((answer) => [answer.response, answer.result]) };
}
