/**
 * `messageText(message)`: a message's text as one string, whatever its content holds, for code
 * that prints or searches conversations (`messageText(message).slice(0, 80)`) without walking
 * content parts. Text parts are joined as they are; a tool result contributes its output as text
 * (JSON for structured output). Reasoning, tool calls, images and files contribute nothing.
 */
import type { ModelMessage } from '../types.js';

type Part = { type: string; text?: unknown; output?: unknown };

export function messageText(message: ModelMessage | { content: ModelMessage['content'] }): string {
  const { content } = message;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const pieces: string[] = [];
  for (const part of content as Part[]) {
    if (part?.type === 'text' && typeof part.text === 'string') pieces.push(part.text);
    else if (part?.type === 'tool-result') pieces.push(toolOutputText(part.output));
  }
  return pieces.join('');
}

function toolOutputText(output: unknown): string {
  if (typeof output !== 'object' || output === null) return '';
  const { type, value, reason } = output as { type?: string; value?: unknown; reason?: unknown };
  switch (type) {
    case 'text':
    case 'error-text':
      return typeof value === 'string' ? value : '';
    case 'json':
    case 'error-json':
      return JSON.stringify(value) ?? '';
    case 'content':
      return Array.isArray(value) ? value.map((item: Part) => (item?.type === 'text' && typeof item.text === 'string' ? item.text : '')).join('') : '';
    case 'execution-denied':
      return typeof reason === 'string' ? reason : '';
    default:
      return '';
  }
}
