/**
 * Transcripts: what is sent to a model when a session is resumed. The stored path is kept exactly as
 * written (it is the audit record), but a provider rejects some shapes a crash can leave behind, so
 * the copy handed to the model is repaired:
 *
 * - an assistant tool call with no tool result (the process died while the tool ran) is closed with
 *   an explicit tool result saying the tool was interrupted, so the model knows it did not run to the
 *   end instead of the request failing;
 * - a tool result whose call is not right before it (a window cut, a hand-written history) is dropped.
 *
 * @example
 * const messages = await store.transcript(sessionId, { last: 50 });
 * await generateText({ model, messages: [...messages, { role: 'user', content: 'Go on' }] });
 */
import { assertValidId } from '../common/ids.js';
import type { GetMessagesOptions, ModelMessage, StoredMessage } from '../types.js';
import { transcriptOptionsSchema } from './compaction-options.js';
import type { StoreContext } from './context.js';
import { parseOptions } from './options.js';
import { getMessages } from './read.js';
import { loadTokenCounter, type TokenCounter } from './token-count.js';
import { readNewestWindow } from './token-window.js';

/** What the model is told about a tool call whose result was never written. */
export const INTERRUPTED_TOOL_RESULT_TEXT = 'Tool execution was interrupted before it returned a result.';

export interface TranscriptOptions {
  /**
   * Only the newest N messages, moved back as far as needed so the window does not start with a
   * tool result cut off from its call.
   */
  last?: number;
  /**
   * Only the newest messages whose tokens add up to at most this (the newest compaction's summary
   * first, when it fits); an assistant message and its tool results are kept or left together.
   */
  maxTokens?: number;
  /** How to count a message's tokens (default: `gpt-tokenizer`'s `o200k_base`, see `loadTokenCounter`). Counts are cached per message. */
  countTokens?: TokenCounter;
}

type ToolMessage = Extract<ModelMessage, { role: 'tool' }>;
type ToolResultPart = Extract<ToolMessage['content'][number], { type: 'tool-result' }>;

// Fields sessionloom adds to a stored message; a model message has none of them.
const RECORD_FIELDS = ['id', 'createdAt', 'runId', 'metadata'] as const;

/** The message without sessionloom's record fields: a plain `ModelMessage`. */
export function toModelMessage(message: ModelMessage | StoredMessage): ModelMessage {
  const plain: Record<string, unknown> = { ...message };
  for (const field of RECORD_FIELDS) delete plain[field];
  return plain as ModelMessage;
}

/** The tool result that closes a call whose result was never written. */
export function interruptedToolResult(toolCallId: string, toolName: string): ToolResultPart {
  return { type: 'tool-result', toolCallId, toolName, output: { type: 'error-text', value: INTERRUPTED_TOOL_RESULT_TEXT } };
}

/**
 * A copy of `messages` a provider accepts: plain model messages, every client-executed tool call
 * answered before the next non-tool message (with an interrupted result where none was written),
 * and tool results without a matching open call dropped. The input is not changed.
 *
 * @example
 * repairTranscript([
 *   { role: 'user', content: 'Weather?' },
 *   { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: {} }] },
 * ]); // ends with a tool message answering c1 with an 'error-text' "interrupted" output
 */
export function repairTranscript(messages: ReadonlyArray<ModelMessage | StoredMessage>): ModelMessage[] {
  const repaired: ModelMessage[] = [];
  // Calls of the latest assistant message still waiting for their result, by call id (to tool name).
  const open = new Map<string, string>();

  const closeOpenCalls = (): void => {
    if (open.size === 0) return;
    const results = [...open].map(([toolCallId, toolName]) => interruptedToolResult(toolCallId, toolName));
    open.clear();
    const last = repaired.at(-1);
    // Results of one assistant turn belong in one tool message, as the AI SDK writes them.
    if (last?.role === 'tool') repaired[repaired.length - 1] = { ...last, content: [...last.content, ...results] };
    else repaired.push({ role: 'tool', content: results });
  };

  for (const stored of messages) {
    const message = toModelMessage(stored);
    if (message.role === 'tool') {
      // `delete` answers whether the call was open, and closes it: a second result for it is dropped too.
      const content = message.content.filter((part) => part.type !== 'tool-result' || open.delete(part.toolCallId));
      if (content.some((part) => part.type === 'tool-result')) repaired.push({ ...message, content });
      continue;
    }
    closeOpenCalls();
    repaired.push(message);
    if (message.role === 'assistant' && Array.isArray(message.content)) {
      for (const part of message.content) {
        // A provider-executed call carries its result inside the assistant message itself.
        if (part.type === 'tool-call' && part.providerExecuted !== true) open.set(part.toolCallId, part.toolName);
      }
    }
  }
  closeOpenCalls();
  return repaired;
}

/**
 * The newest `last` of `messages`, with the start moved back past leading tool messages to the
 * assistant message that made the calls (the in-memory twin of `readWindow`).
 */
export function takeWindow<MESSAGE extends ModelMessage | StoredMessage>(messages: readonly MESSAGE[], last: number): MESSAGE[] {
  let start = Math.max(0, messages.length - last);
  while (start > 0 && messages[start]?.role === 'tool') start -= 1;
  return messages.slice(start);
}

// How many earlier messages to read at a time when a window has to move back to a tool call.
const WINDOW_EXTENSION_PAGE = 8;

/** Reads a page of one session's path (`store.getMessages(id, options)`). */
export type PathReader = (options: GetMessagesOptions) => Promise<StoredMessage[]>;

/**
 * The newest `last` messages of a session's path, with the start moved back past any leading tool
 * messages to the assistant message that made the calls, so calls and results stay paired.
 *
 * @example
 * const window = await readWindow((options) => store.getMessages(sessionId, options), 50);
 */
export async function readWindow(read: PathReader, last: number): Promise<StoredMessage[]> {
  let window = await read({ last });
  while (window[0]?.role === 'tool') {
    const earlier = await read({ before: window[0].id, last: WINDOW_EXTENSION_PAGE });
    if (earlier.length === 0) break;
    let start = earlier.length - 1;
    while (start > 0 && earlier[start]?.role === 'tool') start -= 1;
    window = [...earlier.slice(start), ...window];
  }
  return window;
}

/** The session's path (or its newest messages within `last` and `maxTokens`) as a repaired transcript, ready for a model. */
export async function readTranscript(context: StoreContext, sessionId: string, transcriptOptions: TranscriptOptions = {}): Promise<ModelMessage[]> {
  assertValidId(sessionId, 'session id');
  const options = parseOptions(transcriptOptionsSchema, transcriptOptions, 'transcript options');
  if (options.last === undefined && options.maxTokens === undefined) return repairTranscript(await getMessages(context, sessionId, {}));
  const counter = options.maxTokens === undefined ? undefined : ((options.countTokens as TokenCounter | undefined) ?? (await loadTokenCounter()));
  const window = await readNewestWindow(context, sessionId, {
    ...(options.last === undefined ? {} : { last: options.last }),
    ...(options.maxTokens === undefined ? {} : { maxTokens: options.maxTokens }),
    ...(counter === undefined ? {} : { counter }),
  });
  return repairTranscript(window.map((counted) => counted.message));
}
