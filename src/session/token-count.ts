/**
 * Counting a message's tokens, for token-budgeted windows and compaction.
 *
 * The default counter is `gpt-tokenizer` with the `o200k_base` encoding (GPT-4o, GPT-4.1, GPT-5,
 * o-series). Chosen because it is pure JavaScript with its encodings bundled (it works offline and
 * needs no WASM or native build), it is maintained and widely used, and it counts without building
 * token arrays, which makes it the fastest of the JavaScript tokenizers on long text. Other
 * providers' tokenizers differ by a few percent; a caller who needs their model's exact figure
 * passes `countTokens`. It is loaded on first use (about half a second, once), so
 * `import 'sessionloom'` never pays for it.
 *
 * Counts are cached per store, by message id and counter: a message never changes once stored, so a
 * window over a long session counts each message once, ever.
 */
import { InvalidArgumentError } from '../errors.js';
import type { ModelMessage, StoredMessage } from '../types.js';

/** Tokens of one message as a model would be sent it. Must be a pure function of the message. */
export type TokenCounter = (message: ModelMessage | StoredMessage) => number;

/** Tokens a chat format spends on a message besides its content (role and delimiters). */
export const MESSAGE_OVERHEAD_TOKENS = 4;
/** What an image or a file part is counted as: their real cost depends on the provider and the resolution. */
export const MEDIA_PART_TOKENS = 1_000;

type TextCounter = (text: string) => number;
let loadingCounter: Promise<TokenCounter> | undefined;

/**
 * The default counter (`gpt-tokenizer`, `o200k_base`), loaded on first use.
 *
 * @example
 * const count = await loadTokenCounter();
 * count({ role: 'user', content: 'Hello there' }); // 6
 */
export function loadTokenCounter(): Promise<TokenCounter> {
  loadingCounter ??= import('gpt-tokenizer/encoding/o200k_base').then((encoding) => {
    // Special-token text (`<|endoftext|>`) in a message is ordinary text to count, never an error.
    const options = { disallowedSpecial: new Set<string>() };
    const countText: TextCounter = (text) => (text.length === 0 ? 0 : encoding.countTokens(text, options));
    return (message) => countMessageTokens(message, countText);
  });
  return loadingCounter;
}

/** A message's tokens with `countText` counting its text: the content's text, tool names and inputs, tool outputs. */
export function countMessageTokens(message: ModelMessage | StoredMessage, countText: TextCounter): number {
  let tokens = MESSAGE_OVERHEAD_TOKENS;
  const content: unknown = message.content;
  if (typeof content === 'string') return tokens + countText(content);
  if (!Array.isArray(content)) return tokens;
  for (const part of content as Array<Record<string, unknown>>) {
    switch (part.type) {
      case 'text':
      case 'reasoning':
        tokens += countText(String(part.text ?? ''));
        break;
      case 'tool-call':
        tokens += countText(`${String(part.toolName)} ${textOf(part.input)}`);
        break;
      case 'tool-result':
        tokens += countText(`${String(part.toolName)} ${outputText(part.output)}`);
        break;
      case 'image':
      case 'file':
        tokens += MEDIA_PART_TOKENS;
        break;
      default:
        tokens += countText(textOf(part));
    }
  }
  return tokens;
}

/** The text of a tool output as a provider would send it. */
function outputText(output: unknown): string {
  if (typeof output !== 'object' || output === null) return textOf(output);
  const { type, value } = output as { type?: unknown; value?: unknown };
  if ((type === 'text' || type === 'error-text') && typeof value === 'string') return value;
  if (type === 'content' && Array.isArray(value)) {
    return value.map((item: { type?: unknown; text?: unknown }) => (item.type === 'text' ? String(item.text ?? '') : '')).join('\n');
  }
  return textOf(value);
}

/** JSON text of a value, with binary data reduced to a marker (its bytes are never sent as text). */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, (_key, item: unknown) => (item instanceof Uint8Array || item instanceof ArrayBuffer ? '[binary]' : item)) ?? '';
  } catch {
    return '';
  }
}

/** The encoded size a count was taken of, to notice a message id reused for other content (after retention, or an import). */
interface CachedCount {
  bodyLength: number;
  tokens: number;
}

/**
 * Token counts of stored messages, per counter function, by message id. Bounded: the oldest
 * entries go first, which suits windows (they ask for the newest messages again and again).
 */
export class TokenCountCache {
  private readonly byCounter = new WeakMap<TokenCounter, Map<string, CachedCount>>();

  constructor(private readonly capacity = 200_000) {}

  /** The message's count with `counter`, counted once per (message id, counter). */
  count(counter: TokenCounter, message: StoredMessage, bodyLength: number): number {
    let counts = this.byCounter.get(counter);
    if (!counts) {
      counts = new Map();
      this.byCounter.set(counter, counts);
    }
    const cached = counts.get(message.id);
    if (cached && cached.bodyLength === bodyLength) return cached.tokens;
    const tokens = counter(message);
    if (!Number.isFinite(tokens) || tokens < 0) {
      throw new InvalidArgumentError({ argument: 'countTokens', message: `returned ${String(tokens)} for message ${message.id}; expected a non-negative number.` });
    }
    if (counts.size >= this.capacity) {
      const oldest = counts.keys().next();
      if (!oldest.done) counts.delete(oldest.value);
    }
    counts.set(message.id, { bodyLength, tokens });
    return tokens;
  }
}
