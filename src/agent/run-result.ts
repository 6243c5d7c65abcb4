/** What `Runner.run` returns (and `Runner.stream(...).result` resolves to). */
import type { FinishReason } from 'ai';
import type { RunApproval, StoredMessage, Usage } from '../types.js';

export interface RunResult {
  /** The session the run wrote to (with `persist: false`, an id that was never stored). */
  sessionId: string;
  /** The run's id: `store.getRun(runId)`, `store.runEvents(runId)`. */
  runId: string;
  /** The text of the run's last step: the agent's answer. */
  output: string;
  /** The messages this run added, in order: the input, then each step's assistant and tool messages. */
  messages: StoredMessage[];
  /** Tokens used by all the run's model calls, with `costUsd` when a price table knew the model. */
  usage: Usage;
  /** How many model calls the run made. */
  steps: number;
  /** Why the last model call ended (`stop`, `tool-calls` when `maxSteps` cut the run short, `length`, ...). */
  finishReason: FinishReason;
  /**
   * `awaiting-approval` when a tool call waits for a person: the run is parked in the store and
   * `Runner.resume(agent, { runId, approvals })` continues it (from any process).
   */
  status: 'completed' | 'awaiting-approval';
  /** With `awaiting-approval`: the requests still waiting for an answer. */
  pendingApprovals?: RunApproval[];
}
