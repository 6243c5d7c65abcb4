/**
 * One model call of a run, through the AI SDK (`generateText` for `Runner.run`, `streamText` for
 * `Runner.stream`), with the agent's tools declared but not executed: the runner stores the step
 * and then runs the tools itself (see tool-execution.ts).
 */
import type { AssistantModelMessage, FinishReason, LanguageModelUsage } from 'ai';
import type { ModelMessage } from '../types.js';
import type { Agent } from './agent.js';
import { loadAi } from './ai-module.js';
import { cancellationError } from './cancellation.js';
import type { RunStreamEvent } from './run-events.js';
import { messagesForSdk } from './sdk-messages.js';
import { withoutExecute } from './tool-execution.js';

type ToolMessage = Extract<ModelMessage, { role: 'tool' }>;

export interface ModelToolCall {
  toolCallId: string;
  toolName: string;
  input: unknown;
  providerExecuted?: boolean;
  /** The model's input did not parse or match the schema (the SDK already wrote an error result). */
  invalid?: boolean;
}

export interface ModelStepRequest {
  agent: Agent;
  messages: ModelMessage[];
  step: number;
  mode: 'generate' | 'stream';
  signal?: AbortSignal;
  emit: (event: RunStreamEvent) => void;
}

export interface ModelStepResponse {
  /** The assistant message to store (absent when the model returned nothing). */
  assistant: AssistantModelMessage | undefined;
  /** Tool results the SDK wrote itself: errors for calls whose input was invalid. */
  toolMessage: ToolMessage | undefined;
  toolCalls: ModelToolCall[];
  text: string;
  reasoningText: string | undefined;
  usage: LanguageModelUsage;
  finishReason: FinishReason;
  /** The model id the provider answered with (may be more specific than the one asked for). */
  responseModelId: string | undefined;
}

export async function callModel(request: ModelStepRequest): Promise<ModelStepResponse> {
  const { ai, major } = await loadAi();
  const { agent, step, emit, signal } = request;
  const { maxRetries, providerOptions, ...settings } = agent.modelSettings;
  const call = {
    model: agent.model,
    // AI SDK 7 renamed `system` to `instructions` (6 knows only `system`; 7 keeps it as a deprecated alias).
    ...(agent.instructions === undefined ? {} : major === 7 ? { instructions: agent.instructions } : { system: agent.instructions }),
    messages: messagesForSdk(request.messages, major),
    // A stored conversation may hold system messages (an application's, or an imported one): they are
    // part of the history, not a mistake, so the SDK should not warn on every call.
    allowSystemInMessages: true,
    ...(Object.keys(agent.tools).length === 0 ? {} : { tools: withoutExecute(agent.tools) }),
    ...(signal ? { abortSignal: signal } : {}),
    ...(maxRetries === undefined ? {} : { maxRetries }),
    ...(providerOptions === undefined ? {} : { providerOptions }),
    ...settings,
  };

  if (request.mode === 'generate') {
    const result = await ai.generateText(call);
    const final = lastStep(result.steps);
    const toolCalls = final.toolCalls.map(toModelToolCall);
    for (const toolCall of toolCalls) emit({ type: 'tool-call', step, toolCallId: toolCall.toolCallId, toolName: toolCall.toolName, input: toolCall.input });
    return fromStep(final, toolCalls);
  }

  // Errors arrive as stream parts and are thrown below; the SDK's default handler would also log them.
  const result = ai.streamText({ ...call, onError: () => {} });
  for await (const part of streamParts(result)) {
    switch (part.type) {
      case 'text-delta':
        emit({ type: 'text-delta', step, text: part.text });
        break;
      case 'reasoning-delta':
        emit({ type: 'reasoning-delta', step, text: part.text });
        break;
      case 'tool-call':
        emit({ type: 'tool-call', step, toolCallId: part.toolCallId, toolName: part.toolName, input: part.input });
        break;
      case 'error':
        throw part.error;
      case 'abort':
        throw cancellationError(signal);
      default:
        break;
    }
  }
  const final = lastStep(await result.steps);
  return fromStep(final, final.toolCalls.map(toModelToolCall));
}

/**
 * What one model call returned, read from its step: one call makes one step, and the step's fields
 * mean the same in AI SDK 6 and 7 (7 made the result's top-level fields sums over all steps).
 */
interface StepFields {
  readonly text: string;
  readonly reasoningText: string | undefined;
  readonly usage: LanguageModelUsage;
  readonly finishReason: FinishReason;
  readonly response: { readonly messages: ReadonlyArray<ModelMessage>; readonly modelId: string };
}

/** AI SDK 7 renamed `fullStream` to `stream` (keeping the old name as a deprecated alias). */
function streamParts<PARTS>(result: { readonly fullStream: PARTS; readonly stream?: PARTS }): PARTS {
  return result.stream ?? result.fullStream;
}

function lastStep<STEP>(steps: ReadonlyArray<STEP>): STEP {
  const final = steps.at(-1);
  if (final === undefined) throw new Error('The AI SDK returned no step for the model call.');
  return final;
}

function fromStep(step: StepFields, toolCalls: ModelToolCall[]): ModelStepResponse {
  return {
    ...splitResponse(step.response.messages),
    toolCalls,
    text: step.text,
    reasoningText: step.reasoningText,
    usage: step.usage,
    finishReason: step.finishReason,
    responseModelId: step.response.modelId,
  };
}

function toModelToolCall(call: { toolCallId: string; toolName: string; input: unknown; providerExecuted?: boolean; invalid?: boolean }): ModelToolCall {
  return {
    toolCallId: call.toolCallId,
    toolName: call.toolName,
    input: call.input,
    ...(call.providerExecuted ? { providerExecuted: true } : {}),
    ...(call.invalid ? { invalid: true } : {}),
  };
}

function splitResponse(messages: ReadonlyArray<ModelMessage>): Pick<ModelStepResponse, 'assistant' | 'toolMessage'> {
  let assistant: AssistantModelMessage | undefined;
  let toolMessage: ToolMessage | undefined;
  for (const message of messages) {
    if (message.role === 'assistant') assistant = message;
    else if (message.role === 'tool') toolMessage = toolMessage ? { ...toolMessage, content: [...toolMessage.content, ...message.content] } : message;
  }
  return { assistant, toolMessage };
}
