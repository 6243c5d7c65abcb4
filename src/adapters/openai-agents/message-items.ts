/**
 * The other direction of `transcript.ts`: a message the adapter did not write (one sessionloom's
 * `Runner` or an application stored) as Agents SDK items, so one session serves both SDKs. An
 * assistant message becomes one item per part run (its text as one assistant message, each tool
 * call as a `function_call`, reasoning as a `reasoning` item), a tool message one
 * `function_call_result` per result; files and images travel as data URLs.
 *
 * What the Agents SDK has no item for (tool approval parts, provider-specific parts) is left out:
 * the stored message is unchanged, and `store.getMessages` still returns all of it.
 */
import type { AgentInputItem, FunctionCallResultItem } from '@openai/agents-core';
import type { ModelMessage } from '../../types.js';

type Part = { type: string } & Record<string, unknown>;
type ResultOutput = FunctionCallResultItem['output'];
type AssistantContent = Extract<AgentInputItem, { role: 'assistant' }>['content'][number];
type UserContent = Exclude<Extract<AgentInputItem, { role: 'user' }>['content'], string>[number];

export function itemsFromModelMessage(message: ModelMessage): AgentInputItem[] {
  switch (message.role) {
    case 'system':
      return [{ role: 'system', content: message.content }];
    case 'user':
      if (typeof message.content === 'string') return [{ role: 'user', content: message.content }];
      return [{ role: 'user', content: (message.content as unknown as Part[]).flatMap(userContent) }];
    case 'assistant':
      if (typeof message.content === 'string') return [assistantText([{ type: 'output_text', text: message.content }])];
      return assistantItems(message.content as unknown as Part[]);
    case 'tool':
      return (message.content as unknown as Part[]).flatMap(toolResult);
    default:
      return [];
  }
}

function userContent(part: Part): UserContent[] {
  switch (part.type) {
    case 'text':
      return [{ type: 'input_text', text: String(part.text) }];
    case 'image': {
      const image = urlOf(part.image, typeof part.mediaType === 'string' ? part.mediaType : 'image/png');
      return image === undefined ? [] : [{ type: 'input_image', image }];
    }
    case 'file': {
      const mediaType = String(part.mediaType);
      const file = urlOf(part.data, mediaType);
      if (file === undefined) return [];
      if (mediaType.startsWith('image')) return [{ type: 'input_image', image: file }];
      return [{ type: 'input_file', file, ...(typeof part.filename === 'string' ? { filename: part.filename } : {}) }];
    }
    default:
      return [];
  }
}

function assistantItems(parts: Part[]): AgentInputItem[] {
  const items: AgentInputItem[] = [];
  let texts: AssistantContent[] = [];
  const flushText = () => {
    if (texts.length > 0) items.push(assistantText(texts));
    texts = [];
  };
  for (const part of parts) {
    switch (part.type) {
      case 'text':
        texts.push({ type: 'output_text', text: String(part.text) });
        break;
      case 'file': {
        const image = String(part.mediaType).startsWith('image') ? urlOf(part.data, String(part.mediaType)) : undefined;
        if (image !== undefined) texts.push({ type: 'image', image });
        break;
      }
      case 'reasoning':
        flushText();
        items.push({ type: 'reasoning', content: [{ type: 'input_text', text: String(part.text) }] });
        break;
      case 'tool-call':
        flushText();
        // A provider-executed call (web search, code interpreter) ran at the provider; the Agents
        // SDK would have to send it as that provider's hosted call, which the message does not say.
        if (part.providerExecuted === true) break;
        items.push({
          type: 'function_call',
          callId: String(part.toolCallId),
          name: String(part.toolName),
          arguments: typeof part.input === 'string' ? part.input : JSON.stringify(part.input ?? {}),
          status: 'completed',
        });
        break;
      default:
        break;
    }
  }
  flushText();
  return items;
}

function assistantText(content: AssistantContent[]): AgentInputItem {
  return { role: 'assistant', status: 'completed', content };
}

function toolResult(part: Part): AgentInputItem[] {
  if (part.type !== 'tool-result') return [];
  return [
    {
      type: 'function_call_result',
      callId: String(part.toolCallId),
      name: String(part.toolName),
      status: 'completed',
      output: resultOutput(part.output),
    },
  ];
}

/** A tool result's output as the Agents SDK carries it: text, or a list of text and images. */
function resultOutput(output: unknown): ResultOutput {
  const value = output as { type?: unknown; value?: unknown; reason?: unknown } | null;
  switch (value?.type) {
    case 'text':
    case 'error-text':
      return String(value.value);
    case 'json':
    case 'error-json':
      return JSON.stringify(value.value ?? null);
    case 'execution-denied':
      return typeof value.reason === 'string' ? `Execution denied: ${value.reason}` : 'Execution denied.';
    case 'content':
      return (Array.isArray(value.value) ? (value.value as Part[]) : []).flatMap(resultContent);
    default:
      return JSON.stringify(output ?? null);
  }
}

function resultContent(item: Part): Array<Extract<ResultOutput, unknown[]>[number]> {
  if (item.type === 'text') return [{ type: 'input_text', text: String(item.text) }];
  // 6's image-data / file-data / media and 7's file with tagged data.
  const tagged = typeof item.data === 'object' && item.data !== null && !ArrayBuffer.isView(item.data) && !(item.data instanceof URL) ? (item.data as Part) : undefined;
  const data = tagged ? (tagged.type === 'data' ? tagged.data : tagged.type === 'url' ? tagged.url : undefined) : (item.data ?? item.url);
  const mediaType = typeof item.mediaType === 'string' ? item.mediaType : item.type.startsWith('image') ? 'image/png' : 'application/octet-stream';
  const url = urlOf(data, mediaType);
  if (url === undefined) return [];
  return mediaType.startsWith('image') ? [{ type: 'input_image', image: url }] : [{ type: 'input_file', file: url }];
}

/** A URL string for file data: an http(s) or data URL as it is, base64 text or bytes as a data URL. */
function urlOf(data: unknown, mediaType: string): string | undefined {
  if (data instanceof URL) return data.href;
  if (typeof data === 'string') return /^(https?|data):/i.test(data) ? data : `data:${fullMediaType(mediaType)};base64,${data}`;
  if (data instanceof ArrayBuffer) return `data:${fullMediaType(mediaType)};base64,${Buffer.from(data).toString('base64')}`;
  if (ArrayBuffer.isView(data)) return `data:${fullMediaType(mediaType)};base64,${Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64')}`;
  return undefined;
}

/** AI SDK 7 allows a bare top-level media type (`image`); a data URL needs a subtype. */
function fullMediaType(mediaType: string): string {
  return mediaType.includes('/') ? mediaType : `${mediaType}/*`;
}
