/**
 * One tool call a run asked a person about (see `Runner.resume`). The session holds the same request
 * as the AI SDK's `tool-approval-request` part in the assistant message that made the call.
 */
export interface RunApproval {
  approvalId: string;
  toolCallId: string;
  toolName: string;
  /** The tool's input, as the model gave it. */
  input: unknown;
  /** The model step that made the call. */
  step: number;
  requestedAt: number;
  /** After this an unanswered request reads as denied (the agent's `approvalTimeoutMs`, or the store's). */
  expiresAt?: number;
  /** Absent while the request waits. `timedOut` when nobody answered before `expiresAt`. */
  decision?: { approved: boolean; reason?: string; at: number; timedOut?: boolean };
}
