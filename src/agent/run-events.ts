/**
 * The events of a run: what `Runner.stream` yields as they happen, and what the run's event log
 * (`store.runEvents(runId)`, `store.followRun(runId)`) keeps for replay. The log is coarser than the
 * stream: a streamed run's deltas are written coalesced (a `text-delta` event holds what about
 * 100 ms of tokens said, see delta-buffer.ts), and each step's whole text is kept once more in its
 * `text` event, so replay reads the text without adding deltas up.
 */
import type { FinishReason } from 'ai';
import type { ModelMessage, RunApproval, StoredMessage, Usage } from '../types.js';
import type { RunResult } from './run-result.js';

type ToolMessage = Extract<ModelMessage, { role: 'tool' }>;
type ToolResultPart = Extract<ToolMessage['content'][number], { type: 'tool-result' }>;
/** What a tool result tells the model (`{ type: 'json', value }`, `{ type: 'error-text', value }`, ...). */
export type ToolResultOutput = ToolResultPart['output'];

/** One event of a streamed run. `step` counts model calls from 1. */
export type RunStreamEvent =
  | { type: 'run-start'; runId: string; sessionId: string }
  | { type: 'checkpoint'; messageId: string; files: number; changedFiles: number; bytesStored: number; skipped: string[] }
  | {
      type: 'compaction';
      step: number;
      tokensBefore: number;
      /** Absent when the compaction failed or was skipped. */
      tokensAfter?: number;
      replaced?: number;
      kept?: number;
      /** The summary message (a run that stores nothing has none). */
      messageId?: string;
      skipped?: string;
      failed?: boolean;
      error?: string;
    }
  | { type: 'step-start'; step: number }
  | { type: 'text-delta'; step: number; text: string }
  | { type: 'reasoning-delta'; step: number; text: string }
  | { type: 'tool-call'; step: number; toolCallId: string; toolName: string; input: unknown }
  | { type: 'tool-result'; step: number; toolCallId: string; toolName: string; output: ToolResultOutput; isError: boolean }
  | { type: 'step-end'; step: number; finishReason: FinishReason; usage: Usage; text: string; messages: StoredMessage[] }
  /** The run stops here to wait for a person (its `run-end` follows, with `status: 'awaiting-approval'`). */
  | { type: 'awaiting-approval'; approvals: RunApproval[] }
  | { type: 'run-end'; result: RunResult };

/**
 * The event types written to a run's log, in the order a step writes them:
 * `run-start`, `checkpoint` (with `checkpointFiles`: the files recorded at the input, before the first step), then per step `compaction`? (with
 * `compaction` settings, when the transcript was over `triggerTokens`), `reasoning-delta`* and `text-delta`* (streamed runs
 * only, written as the model answers), `step-start`, `reasoning`?, `text`?, `tool-call`*, `checkpoint`? (at the assistant
 * message, before its tools run), `tool-result`*, `checkpoint`? (at the tool results), `step-end`; then
 * `error` when the run failed or was cancelled, and `run-end`. A step's deltas come before its `step-start`, which is
 * written with the step's first half; both carry the step number. A step that waits for a person writes
 * `approval-requested` before its `step-end` and the log stops there (the run is `awaiting-approval`);
 * `Runner.resume` goes on with `run-resume` and the answered calls' `tool-result`s.
 */
export const RUN_EVENT_TYPES = [
  'run-start',
  'run-resume',
  'checkpoint',
  'compaction',
  'reasoning-delta',
  'text-delta',
  'step-start',
  'reasoning',
  'text',
  'tool-call',
  'tool-result',
  'approval-requested',
  'step-end',
  'error',
  'run-end',
] as const;

export type RunEventType = (typeof RUN_EVENT_TYPES)[number];
