/**
 * The run loop: model step, store it, run the tools it asked for, store their results, repeat until
 * the model answers without tools or `maxSteps` is reached. Every step is written as it completes
 * (the assistant message before any tool starts, the tool results when the tools are done), so a
 * crash keeps everything up to the last completed write, and the event log gets one write per half
 * step rather than one per token.
 */
import type { FinishReason } from 'ai';
import { InvalidArgumentError } from '../errors.js';
import { repairTranscript } from '../session/transcript.js';
import { addUsage, EMPTY_USAGE } from '../session/usage.js';
import type { ModelMessage, RunApproval, RunEventInput, StoredMessage, Usage } from '../types.js';
import type { Agent } from './agent.js';
import { cancellationError, throwIfCancelled } from './cancellation.js';
import { callModel, type ModelStepResponse } from './model-step.js';
import { usageFromModel } from './model-usage.js';
import { costOf, findPrice, type PriceTable } from './pricing.js';
import type { RunStreamEvent } from './run-events.js';
import type { RunCheckpoint } from './run-checkpoint.js';
import type { RunRecorder } from './run-recorder.js';
import { RunCompactor, type CompactionSettings } from './run-compaction.js';
import type { RunResult } from './run-result.js';
import { trimToolResults, type TrimToolResultsSettings } from './trim-tool-results.js';
import type { ApprovalDecision } from './approval-policy.js';
import { answerApprovedCalls, approvalRequests, approvalToolMessage, deniedResult, gateToolCalls, POLICY_DENIAL_REASON, withApprovalRequests } from './run-approvals.js';
import { errorMessage, executableTool, executeToolCall, type ToolCallOutcome } from './tool-execution.js';

type ToolMessage = Extract<ModelMessage, { role: 'tool' }>;
type ToolResultPart = Extract<ToolMessage['content'][number], { type: 'tool-result' }>;

export interface RunLoopOptions {
  agent: Agent;
  /** The conversation so far, as stored. Not written again. */
  history: ReadonlyArray<ModelMessage | StoredMessage>;
  /** The new messages, written first. */
  input: ModelMessage[];
  recorder: RunRecorder;
  mode: 'generate' | 'stream';
  emit?: (event: RunStreamEvent) => void;
  signal?: AbortSignal;
  pricing?: PriceTable;
  /** Added to the `run-start` event: how the session was opened (new, resumed, forked). */
  startData?: Record<string, unknown>;
  /** File checkpoint hooks: the workspace is checkpointed at every message the run stores and the turn's changes recorded at the end. */
  checkpoint?: RunCheckpoint;
  /** Compact the session before a model call whose transcript is over `triggerTokens`. */
  compaction?: CompactionSettings;
  /** Shorten old tool outputs in what the model is sent (the stored messages keep them whole). */
  trimToolResults?: TrimToolResultsSettings;
  /**
   * Continuing a run that waited for approval (`Runner.resume`): its steps so far, and what the
   * `run-resume` event records instead of `run-start`. The history already holds the answers.
   */
  resumed?: { steps: number; data: Record<string, unknown>; approvals: RunApproval[]; checkpointMessageId?: string };
}

export async function runAgentLoop(options: RunLoopOptions): Promise<RunResult> {
  const { agent, recorder, signal, mode } = options;
  const emit = options.emit ?? (() => {});
  const runMessages: StoredMessage[] = [];
  let usage: Usage = { ...EMPTY_USAGE };
  let step = options.resumed?.steps ?? 0;
  let stepStartedAt = 0;
  let stepStartRecorded = true;
  // Text of the step in progress: logged as partial if the step never completes.
  let partialText = '';
  let checkpointBegun = false;

  try {
    throwIfCancelled(signal);
    if (options.input.length > 0) runMessages.push(...(await recorder.append(options.input)));
    await recorder.record([
      options.resumed ? { type: 'run-resume', data: options.resumed.data } : {
        type: 'run-start',
        data: {
          agent: agent.name,
          model: agent.modelId,
          provider: agent.provider,
          inputMessageIds: runMessages.map((message) => message.id),
          historyLength: options.history.length,
          ...options.startData,
        },
      },
    ]);
    emit({ type: 'run-start', runId: recorder.runId, sessionId: recorder.sessionId });
    /** Checkpoints the files at messages just stored (every message a run writes has one); the event to log. */
    const checkpointAt = async (messageIds: string[]): Promise<RunEventInput[]> => {
      if (!options.checkpoint || messageIds.length === 0) return [];
      const checkpoint = await options.checkpoint.at(recorder.sessionId, messageIds);
      checkpointBegun = true;
      const data = {
        messageId: checkpoint.messageId,
        files: checkpoint.files,
        changedFiles: checkpoint.changedFiles,
        bytesStored: checkpoint.bytesStored,
        skipped: checkpoint.skipped.map((file) => file.path),
      };
      emit({ type: 'checkpoint', ...data });
      // The log also keeps what was checkpointed and how, for a resume in another process (run-resume.ts).
      return [{ type: 'checkpoint', data: { ...data, settings: options.checkpoint.settings } }];
    };
    if (options.checkpoint && options.resumed) {
      // Every message the run stored before it asked was checkpointed; what changed since is recorded from the last one.
      if (options.resumed.checkpointMessageId !== undefined) {
        options.checkpoint.continueAt(recorder.sessionId, options.resumed.checkpointMessageId);
        checkpointBegun = true;
      }
    } else if (options.checkpoint) {
      const head = options.history.at(-1);
      const headId = head !== undefined && 'id' in head && typeof head.id === 'string' ? [head.id] : [];
      const messageIds = runMessages.length > 0 ? runMessages.map((message) => message.id) : headId;
      if (messageIds.length === 0) throw new Error('sessionloom: a file checkpoint needs a stored message to belong to, and this run has none.');
      await recorder.record(await checkpointAt(messageIds));
    }

    // On resume, the answers to the approvals come first: repaired with the history, they close its waiting calls.
    const answers: ModelMessage[] = [];
    if (options.resumed) {
      // The answers first: approved calls run (once: the run was claimed), denied ones get their denial.
      const answered = await answerApprovedCalls(agent, options.resumed.approvals, { messages: repairTranscript(options.history), ...(signal ? { signal } : {}) });
      const toolMessage = approvalToolMessage(answered);
      const stored = await recorder.append([toolMessage]);
      runMessages.push(...stored);
      answers.push(toolMessage);
      const answerCheckpoint = await checkpointAt(stored.map((message) => message.id));
      const events = answered.map(({ response, result, isError }) => ({
        step,
        toolCallId: result.toolCallId,
        toolName: result.toolName,
        output: result.output,
        isError,
        approved: response.type === 'tool-approval-response' && response.approved,
      }));
      await recorder.record([...events.map((data) => ({ type: 'tool-result', data })), ...answerCheckpoint]);
      for (const { approved: _approved, ...event } of events) emit({ type: 'tool-result', ...event });
    }
    // Repaired together, so a tool result given as input answers the call it follows (a tool
    // without execute, answered by the application) instead of the call being closed as interrupted.
    let transcript: ModelMessage[] = repairTranscript([...options.history, ...options.input, ...answers]);
    const compactor = options.compaction
      ? new RunCompactor({ settings: options.compaction, model: agent.model, recorder, emit, ...(signal ? { signal } : {}) })
      : undefined;
    let last: ModelStepResponse | undefined;
    let keepGoing = true;
    while (keepGoing && step < agent.maxSteps) {
      throwIfCancelled(signal);
      if (compactor) {
        const prepared = await compactor.beforeModelCall(transcript, step + 1);
        transcript = prepared.transcript;
        usage = addUsage(usage, prepared.usage);
      }
      step += 1;
      stepStartedAt = Date.now();
      stepStartRecorded = false;
      partialText = '';
      emit({ type: 'step-start', step });
      const stepInput = options.trimToolResults ? trimToolResults(transcript, options.trimToolResults) : [...transcript];
      const response = await callModel({
        agent,
        messages: stepInput,
        step,
        mode,
        ...(signal ? { signal } : {}),
        emit: (event) => {
          if (event.type === 'text-delta') partialText += event.text;
          emit(event);
        },
      });
      last = response;
      const stepUsage = priced(usageFromModel(response.usage), options.pricing, [agent.modelId, response.responseModelId]);
      // Decided before the step is stored: a call that asks is stored with its approval request.
      const gate = await gateToolCalls(agent, response.toolCalls, stepInput);
      const assistant = response.assistant && withApprovalRequests(response.assistant, gate.asks);
      // Counted now: the tokens are spent even if a tool or the store fails later in the step.
      usage = addUsage(usage, stepUsage);
      const stepMessages: StoredMessage[] = [];
      let assistantCheckpoint: RunEventInput[] = [];

      // First half of the step: what the model said, stored (and the files checkpointed) before any tool runs.
      if (assistant) {
        stepMessages.push(...(await recorder.append([assistant])));
        transcript.push(assistant);
        assistantCheckpoint = await checkpointAt(stepMessages.map((message) => message.id));
      }
      await recorder.record([
        { type: 'step-start', at: stepStartedAt, data: { step } },
        ...(response.reasoningText ? [{ type: 'reasoning', data: { step, text: response.reasoningText } }] : []),
        ...(response.text ? [{ type: 'text', data: { step, text: response.text } }] : []),
        ...response.toolCalls.map((call) => ({ type: 'tool-call', data: { step, ...call } })),
        ...assistantCheckpoint,
      ]);
      stepStartRecorded = true;
      partialText = '';

      // Second half: the tools' results, stored together as the AI SDK would store them.
      const results = await answerToolCalls(agent, response, gate.decisions, { step, messages: stepInput, emit, ...(signal ? { signal } : {}) });
      const endEvents: RunEventInput[] = results.map((result) => ({
        type: 'tool-result',
        data: { step, toolCallId: result.part.toolCallId, toolName: result.part.toolName, output: result.part.output, isError: result.isError },
      }));
      if (results.length > 0) {
        const toolMessage: ToolMessage = { role: 'tool', content: results.map((result) => result.part) };
        const stored = await recorder.append([toolMessage]);
        stepMessages.push(...stored);
        transcript.push(toolMessage);
        endEvents.push(...(await checkpointAt(stored.map((message) => message.id))));
      }
      const requests = approvalRequests(gate.asks, step, agent.approvalTimeoutMs, Date.now());
      if (requests.length > 0) endEvents.push({ type: 'approval-requested', data: { step, approvals: requests } });
      endEvents.push({
        type: 'step-end',
        data: { step, finishReason: response.finishReason, usage: stepUsage, ...(response.responseModelId ? { model: response.responseModelId } : {}) },
      });
      await recorder.record(endEvents);
      runMessages.push(...stepMessages);
      emit({ type: 'step-end', step, finishReason: response.finishReason, usage: stepUsage, text: response.text, messages: stepMessages });

      if (requests.length > 0) {
        // The run waits for a person: parked in the store (this process may exit), continued by `Runner.resume`.
        if (!recorder.awaitApproval) {
          throw new InvalidArgumentError({ argument: 'session', message: 'a tool call needs approval, and a run that waits must be stored (give a store; persist and autoSave on).' });
        }
        if (checkpointBegun) {
          checkpointBegun = false;
          await options.checkpoint?.finish();
        }
        const pending = await recorder.awaitApproval({ approvals: requests, usage });
        const result: RunResult = {
          sessionId: recorder.sessionId,
          runId: recorder.runId,
          output: response.text,
          messages: runMessages,
          usage,
          steps: step,
          finishReason: response.finishReason,
          status: 'awaiting-approval',
          pendingApprovals: pending,
        };
        emit({ type: 'awaiting-approval', approvals: pending });
        emit({ type: 'run-end', result });
        return result;
      }

      // As the AI SDK does: go on only when every call the client had to answer was answered.
      const clientCalls = response.toolCalls.filter((call) => !call.providerExecuted);
      const answered = new Set(results.map((result) => result.part.toolCallId));
      keepGoing = clientCalls.length > 0 && clientCalls.every((call) => answered.has(call.toolCallId));
    }

    const finishReason: FinishReason = last?.finishReason ?? 'other';
    if (checkpointBegun) {
      checkpointBegun = false; // a failure here is the run's failure; the catch must not record the turn twice
      await options.checkpoint?.finish();
    }
    await recorder.record([{ type: 'run-end', data: { status: 'completed', usage, steps: step, finishReason } }]);
    await recorder.finish({ status: 'completed', usage });
    const result: RunResult = {
      sessionId: recorder.sessionId,
      runId: recorder.runId,
      output: last?.text ?? '',
      messages: runMessages,
      usage,
      steps: step,
      finishReason,
      status: 'completed',
    };
    emit({ type: 'run-end', result });
    return result;
  } catch (error) {
    const cancelled = signal?.aborted === true;
    const failure = cancelled ? cancellationError(signal) : error;
    const status = cancelled ? 'cancelled' : 'failed';
    const described = { message: errorMessage(failure), ...(failure instanceof Error ? { name: failure.name } : {}) };
    const events: RunEventInput[] = [];
    if (step > 0 && !stepStartRecorded) events.push({ type: 'step-start', at: stepStartedAt, data: { step } });
    if (partialText) events.push({ type: 'text', data: { step, text: partialText, partial: true } });
    events.push({ type: 'error', data: { step, status, ...described } });
    events.push({ type: 'run-end', data: { status, usage, steps: step } });
    // Best effort: the store may be what failed, and the caller must get the original error either way.
    if (checkpointBegun) await options.checkpoint?.finish().catch(() => {});
    await recorder.record(events).catch(() => {});
    await recorder.finish({ status, usage, error: described }).catch(() => {});
    throw failure;
  }
}

interface AnsweredCall {
  part: ToolResultPart;
  isError: boolean;
}

/** Results for the step's tool calls, in call order: the SDK's (invalid input) and the executed tools'. */
async function answerToolCalls(
  agent: Agent,
  response: ModelStepResponse,
  decisions: Map<string, ApprovalDecision>,
  context: { step: number; messages: ModelMessage[]; emit: (event: RunStreamEvent) => void; signal?: AbortSignal },
): Promise<AnsweredCall[]> {
  const answers = new Map<string, AnsweredCall>();
  for (const part of response.toolMessage?.content ?? []) {
    if (part.type !== 'tool-result') continue;
    const answer = { part, isError: part.output.type === 'error-text' || part.output.type === 'error-json' };
    answers.set(part.toolCallId, answer);
    context.emit({ type: 'tool-result', step: context.step, toolCallId: part.toolCallId, toolName: part.toolName, output: part.output, isError: answer.isError });
  }
  for (const call of response.toolCalls) {
    if (decisions.get(call.toolCallId) !== 'deny' || answers.has(call.toolCallId)) continue;
    const part = deniedResult(call, POLICY_DENIAL_REASON);
    answers.set(call.toolCallId, { part, isError: false });
    context.emit({ type: 'tool-result', step: context.step, toolCallId: call.toolCallId, toolName: call.toolName, output: part.output, isError: false });
  }
  // Calls that ask wait for a person; the others run now.
  const runnable = response.toolCalls.filter(
    (call) => !call.providerExecuted && !call.invalid && !answers.has(call.toolCallId) && decisions.get(call.toolCallId) !== 'ask',
  );
  // Tools of one step run concurrently, as in the AI SDK.
  await Promise.all(
    runnable.map(async (call) => {
      const tool = executableTool(agent.tools, call.toolName);
      if (!tool) return; // a tool without execute is answered by the application, after the run
      const outcome: ToolCallOutcome = await executeToolCall(tool, call, { messages: context.messages, ...(context.signal ? { signal: context.signal } : {}) });
      answers.set(call.toolCallId, {
        part: { type: 'tool-result', toolCallId: outcome.toolCallId, toolName: outcome.toolName, output: outcome.output },
        isError: outcome.isError,
      });
      context.emit({ type: 'tool-result', step: context.step, ...outcome });
    }),
  );
  const ordered: AnsweredCall[] = [];
  for (const call of response.toolCalls) {
    const answer = answers.get(call.toolCallId);
    if (answer) ordered.push(answer);
  }
  return ordered;
}

function priced(usage: Usage, pricing: PriceTable | undefined, modelIds: Array<string | undefined>): Usage {
  const price = findPrice(pricing, modelIds);
  return price ? { ...usage, costUsd: costOf(usage, price) } : usage;
}
