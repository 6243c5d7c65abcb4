/**
 * Running the tools a model step asked for. The runner runs them itself rather than letting the AI
 * SDK do it inside its step, because the assistant message with the calls must be stored before
 * any tool starts: a crash while a tool runs then leaves a call without a result, which the
 * transcript repair closes on resume, instead of losing the model's whole step.
 *
 * Results are shaped as the AI SDK shapes them (`toModelOutput`, text for strings, JSON otherwise,
 * `error-text` when the tool throws), so a stored run reads the same as one the SDK ran.
 */
import type { Tool, ToolSet } from 'ai';
import type { ModelMessage } from '../types.js';
import type { ToolResultOutput } from './run-events.js';

export interface ToolCallRequest {
  toolCallId: string;
  toolName: string;
  input: unknown;
}

export interface ToolCallOutcome extends ToolCallRequest {
  output: ToolResultOutput;
  isError: boolean;
}

/** The tools in the set the runner itself executes (the ones with an `execute`). */
export function executableTool(tools: ToolSet, toolName: string): Tool | undefined {
  const tool = Object.hasOwn(tools, toolName) ? tools[toolName] : undefined;
  return typeof tool?.execute === 'function' ? tool : undefined;
}

/** The same tools without `execute`, so the AI SDK reports calls to them and runs nothing. */
export function withoutExecute(tools: ToolSet): ToolSet {
  return Object.fromEntries(Object.entries(tools).map(([name, tool]) => [name, { ...tool, execute: undefined } as Tool]));
}

export async function executeToolCall(
  tool: Tool,
  call: ToolCallRequest,
  context: { messages: ModelMessage[]; signal?: AbortSignal },
): Promise<ToolCallOutcome> {
  // AI SDK 7 hands each tool its entry of `toolsContext` as `context` (undefined without one); 6 has no such field.
  const options = {
    toolCallId: call.toolCallId,
    messages: context.messages,
    context: undefined,
    ...(context.signal ? { abortSignal: context.signal } : {}),
  };
  let value: unknown;
  try {
    const returned: unknown = tool.execute?.(call.input, options);
    // A tool may stream preliminary outputs; the last one is its result.
    if (isAsyncIterable(returned)) for await (const output of returned) value = output;
    else value = await returned;
  } catch (error) {
    // A tool that stopped because the run was cancelled did not fail: the cancellation wins.
    if (context.signal?.aborted) throw error;
    return { ...call, output: { type: 'error-text', value: errorMessage(error) }, isError: true };
  }
  const output: ToolResultOutput = tool.toModelOutput
    ? await tool.toModelOutput({ toolCallId: call.toolCallId, input: call.input, output: value })
    : typeof value === 'string'
      ? { type: 'text', value }
      : { type: 'json', value: (value ?? null) as Extract<ToolResultOutput, { type: 'json' }>['value'] };
  return { ...call, output, isError: false };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
