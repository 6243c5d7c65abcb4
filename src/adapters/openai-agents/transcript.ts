/**
 * The readable half of the item mapping: an Agents SDK item as an AI SDK `ModelMessage`, so a
 * session written through the adapter shows a real conversation to the CLI, the inspector and
 * sessionloom's own Runner (tool calls and their results stay paired by call id).
 *
 * This view is not what `getItems` returns: the original item is kept next to it (see
 * `stored-item.ts`), so parts with no AI SDK equivalent (hosted tool calls, file ids, shell
 * calls, ...) can be shown as short bracketed labels here without losing anything.
 */
import type {
  AgentInputItem,
  AssistantMessageItem,
  FunctionCallItem,
  FunctionCallResultItem,
  ReasoningItem,
  UserMessageItem,
} from '@openai/agents-core';
import type { ModelMessage } from '../../types.js';

type UserMessage = Extract<ModelMessage, { role: 'user' }>;
type AssistantMessage = Extract<ModelMessage, { role: 'assistant' }>;
type ToolMessage = Extract<ModelMessage, { role: 'tool' }>;
type UserPart = Exclude<UserMessage['content'], string>[number];
type TextPart = { type: 'text'; text: string };

export function transcriptMessageOf(item: AgentInputItem): ModelMessage {
  if ('role' in item) {
    switch (item.role) {
      case 'user':
        return userMessage(item);
      case 'system':
        return { role: 'system', content: item.content };
      case 'assistant':
        return assistantMessage(item);
    }
  }
  switch (item.type) {
    case 'function_call':
      return functionCall(item);
    case 'function_call_result':
      return functionCallResult(item);
    case 'reasoning':
      return reasoning(item);
    default:
      // Hosted, computer, shell and patch calls, their results, compaction markers and unknown
      // items: the model-facing meaning lives in the original item, the transcript only names it.
      return { role: 'assistant', content: [label(item.type, 'name' in item ? item.name : undefined)] };
  }
}

function userMessage(item: UserMessageItem): UserMessage {
  if (typeof item.content === 'string') return { role: 'user', content: item.content };
  return { role: 'user', content: item.content.map(userPart) };
}

function userPart(part: Exclude<UserMessageItem['content'], string>[number]): UserPart {
  switch (part.type) {
    case 'input_text':
      return { type: 'text', text: part.text };
    case 'input_image':
      // A string is a URL (https: or data:), which the AI SDK accepts as an image; a file id is not.
      return typeof part.image === 'string' ? { type: 'image', image: part.image } : label('input_image');
    case 'input_file':
      return label('input_file', part.filename);
    case 'audio':
      return part.transcript ? { type: 'text', text: part.transcript } : label('audio');
    default:
      // A part type from a newer SDK than this adapter knows.
      return label((part as { type: string }).type);
  }
}

function assistantMessage(item: AssistantMessageItem): AssistantMessage {
  const content = item.content.map((part): TextPart => {
    switch (part.type) {
      case 'output_text':
        return { type: 'text', text: part.text };
      case 'refusal':
        return { type: 'text', text: part.refusal };
      case 'audio':
        return part.transcript ? { type: 'text', text: part.transcript } : label('audio');
      case 'image':
        return label('image');
      default:
        return label((part as { type: string }).type);
    }
  });
  return { role: 'assistant', content };
}

function functionCall(item: FunctionCallItem): AssistantMessage {
  return {
    role: 'assistant',
    content: [{ type: 'tool-call', toolCallId: item.callId, toolName: item.name, input: parsedArguments(item.arguments) }],
  };
}

/** The AI SDK carries tool input as a value; a model that produced invalid JSON keeps its raw text. */
function parsedArguments(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function functionCallResult(item: FunctionCallResultItem): ToolMessage {
  return {
    role: 'tool',
    content: [
      { type: 'tool-result', toolCallId: item.callId, toolName: item.name, output: { type: 'text', value: outputText(item.output) } },
    ],
  };
}

function outputText(output: FunctionCallResultItem['output']): string {
  if (typeof output === 'string') return output;
  const parts = Array.isArray(output) ? output : [output];
  return parts
    .map((part) => {
      if (part.type === 'text' || part.type === 'input_text') return part.text;
      return label(part.type).text;
    })
    .join('\n');
}

function reasoning(item: ReasoningItem): AssistantMessage {
  // `content` is the summary the provider returned; the raw chain of thought, when present, is longer.
  const texts = item.content.length > 0 ? item.content : (item.rawContent ?? []);
  return { role: 'assistant', content: [{ type: 'reasoning', text: texts.map((part) => part.text).join('\n') }] };
}

function label(kind: string, name?: string): TextPart {
  return { type: 'text', text: name ? `[${kind}: ${name}]` : `[${kind}]` };
}
