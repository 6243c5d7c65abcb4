/**
 * Shortening old tool outputs in what a model is sent. A file read or a search result is often the
 * biggest thing in a transcript and matters only for a few turns; the stored message is never
 * changed (the run's copy is), so the full output stays readable and auditable.
 */
import { InvalidArgumentError } from '../errors.js';
import type { ModelMessage } from '../types.js';

export interface TrimToolResultsSettings {
  /**
   * Outputs of tool calls made more than this many model turns ago are trimmed (a turn is one
   * assistant message: `1` trims every output but the newest turn's).
   */
  olderThanTurns: number;
  /** Longest output kept as it is, in characters; a longer one keeps its start and says how much was cut. */
  maxChars: number;
}

type ToolMessage = Extract<ModelMessage, { role: 'tool' }>;
type ToolResultPart = Extract<ToolMessage['content'][number], { type: 'tool-result' }>;
type ToolOutput = ToolResultPart['output'];

export function assertTrimToolResults(value: unknown, argument: string): asserts value is TrimToolResultsSettings | undefined {
  if (value === undefined) return;
  const settings = value as Partial<TrimToolResultsSettings> | null;
  const isCount = (count: unknown): boolean => Number.isSafeInteger(count) && (count as number) >= 0;
  if (typeof settings !== 'object' || settings === null || !isCount(settings.olderThanTurns) || !isCount(settings.maxChars)) {
    throw new InvalidArgumentError({ argument, message: 'expected { olderThanTurns, maxChars }, both non-negative integers.' });
  }
}

/** A copy of `messages` with the outputs of tool results older than `olderThanTurns` turns cut to `maxChars`. */
export function trimToolResults(messages: readonly ModelMessage[], settings: TrimToolResultsSettings): ModelMessage[] {
  let turnsAfter = 0;
  const trimmed = [...messages];
  for (let index = trimmed.length - 1; index >= 0; index -= 1) {
    const message = trimmed[index]!;
    if (message.role === 'assistant') turnsAfter += 1;
    // A tool message answers the assistant message before it: that turn is `turnsAfter + 1` from the end.
    if (message.role !== 'tool' || turnsAfter + 1 <= settings.olderThanTurns) continue;
    trimmed[index] = {
      ...message,
      content: message.content.map((part) => (part.type === 'tool-result' ? { ...part, output: trimOutput(part.output, settings.maxChars) } : part)),
    };
  }
  return trimmed;
}

function trimOutput(output: ToolOutput, maxChars: number): ToolOutput {
  switch (output.type) {
    case 'text':
    case 'error-text':
      return output.value.length <= maxChars ? output : { ...output, value: cut(output.value, maxChars) };
    case 'json':
    case 'error-json': {
      const text = JSON.stringify(output.value) ?? '';
      if (text.length <= maxChars) return output;
      return { type: output.type === 'json' ? 'text' : 'error-text', value: cut(text, maxChars) };
    }
    case 'content':
      return {
        ...output,
        value: output.value.map((item) => (item.type === 'text' && item.text.length > maxChars ? { ...item, text: cut(item.text, maxChars) } : item)),
      };
    default:
      return output;
  }
}

function cut(text: string, maxChars: number): string {
  return `${text.slice(0, maxChars)}\n[... ${text.length - maxChars} more characters trimmed from this old tool output]`;
}
