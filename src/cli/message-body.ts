/**
 * A message written out whole, for `show --message` and `tree --messages`: its text as written,
 * and a bracketed line for each other part (tool calls with their input, tool results with their
 * output as text, images, files), so nothing a message holds is silently left out.
 */
import { messageText } from '../common/message-text.js';
import type { StoredMessage } from '../types.js';
import { truncate } from './output.js';

interface LoosePart {
  type?: unknown;
  text?: unknown;
  toolName?: unknown;
  input?: unknown;
  mediaType?: unknown;
  filename?: unknown;
}

/** The message's content as lines; `maxLength` shortens each piece (the whole message when absent). */
export function messageBodyLines(message: StoredMessage, maxLength = Number.POSITIVE_INFINITY): string[] {
  const content: unknown = message.content;
  const pieces = typeof content === 'string' ? [content] : Array.isArray(content) ? content.map((part: LoosePart | null) => partText(part)) : [];
  return pieces
    .filter((piece) => piece.length > 0)
    .map((piece) => truncate(piece, maxLength))
    .flatMap((piece) => piece.split('\n'));
}

function partText(part: LoosePart | null): string {
  switch (part?.type) {
    case 'text':
      return typeof part.text === 'string' ? part.text : '';
    case 'reasoning':
      return typeof part.text === 'string' ? `[reasoning] ${part.text}` : '';
    case 'tool-call':
      return `[tool-call ${String(part.toolName)}] ${JSON.stringify(part.input) ?? ''}`;
    case 'tool-result':
      return `[tool-result ${String(part.toolName)}] ${messageText({ content: [part] } as Pick<StoredMessage, 'content'>)}`;
    case 'image':
      return '[image]';
    case 'file':
      return `[file ${String(part.mediaType)}${typeof part.filename === 'string' ? ` ${part.filename}` : ''}]`;
    default:
      return `[${String(part?.type ?? 'part')}]`;
  }
}
