/**
 * Messages as the seeds' documents read them: `content` is always a string (their examples call
 * `msg.content.substring(0, 80)`), the message's text (see `messageText`). A message whose content
 * was parts (an assistant's tool calls, a tool's results) keeps them in `parts`, and writing the
 * message back through compat restores them, so nothing is lost on a load-then-save round trip.
 */
import { messageText } from '../common/message-text.js';
import type { SessionStore } from '../session-store.js';
import type { MessageInput, Metadata, ModelMessage, StoredMessage } from '../types.js';

type ContentParts = Exclude<ModelMessage['content'], string>;

/** A stored message with its text as `content`. */
export interface CompatMessage {
  id: string;
  role: ModelMessage['role'];
  /** The message's text: the content itself when it was a string, else its text parts joined. */
  content: string;
  /** The content parts, when the content was not a plain string (what `content` was read from). */
  parts?: ContentParts;
  createdAt: number;
  runId?: string;
  metadata?: Metadata;
}

/** What compat accepts as a message to write: a model message, or a `CompatMessage` read earlier. */
export type CompatMessageInput =
  | MessageInput
  | { id?: string; role: ModelMessage['role']; content: string; parts?: ContentParts; createdAt?: number; runId?: string; metadata?: Metadata };

export function toCompatMessage(message: StoredMessage): CompatMessage {
  const { content, ...rest } = message;
  if (typeof content === 'string') return { ...rest, content };
  return { ...rest, content: messageText(message), parts: structuredClone(content) as ContentParts };
}

/** Back to a model message: the parts when the text was not edited since it was read, else the text. */
export function fromCompatMessage(message: CompatMessageInput): MessageInput {
  const { parts, runId: _runId, ...rest } = message as CompatMessageInput & { parts?: ContentParts; runId?: string };
  if (parts !== undefined && typeof rest.content === 'string' && messageText({ content: parts }) === rest.content) {
    return { ...rest, content: parts } as MessageInput;
  }
  return rest as MessageInput;
}

/**
 * Makes the session's path exactly `messages` (the seeds' `update(id, { messages })` and
 * `save(state)`): the messages it already has in that order stay, the path is rewound to where they
 * stop matching (what followed stays readable as a rewound tail), and the rest is appended.
 */
export async function replaceMessages(store: SessionStore, sessionId: string, messages: CompatMessageInput[]): Promise<void> {
  const wanted = messages.map(fromCompatMessage);
  const current = await store.getMessages(sessionId);
  let kept = 0;
  while (kept < current.length && kept < wanted.length && sameMessage(current[kept]!, wanted[kept]!)) kept += 1;
  if (kept < current.length) {
    await store.rewind(sessionId, kept === 0 ? { toStart: true } : { toMessage: current[kept - 1]!.id });
  }
  if (kept === wanted.length) return;
  // Ids already stored (in the tail just rewound) cannot be used twice: those messages get new ids.
  const taken = new Set(current.map((message) => message.id));
  const rest = wanted.slice(kept).map((message) => {
    if (message.id === undefined || !taken.has(message.id)) return message;
    const { id: _id, ...withoutId } = message;
    return withoutId as MessageInput;
  });
  await store.append(sessionId, rest);
}

function sameMessage(stored: StoredMessage, wanted: MessageInput): boolean {
  if (wanted.id !== undefined && wanted.id !== stored.id) return false;
  return stored.role === wanted.role && JSON.stringify(stored.content) === JSON.stringify(wanted.content);
}
