/**
 * Automatic compaction in a run: before a model call whose transcript would be over
 * `triggerTokens`, what falls outside the newest `keepTokens` is summarized (by the caller's
 * function, or by a model through the AI SDK) and the session compacted (`store.compact`: one
 * write, the full history kept); a run that stores nothing compacts its own copy. Recorded as a
 * `compaction` run event with the tokens before and after.
 *
 * A summarizer that fails leaves the session as it was: by default the run goes on with the
 * transcript it had (and tries no more compactions, so a broken summarizer is not called before
 * every step), with `onFailure: 'fail'` the run fails with the summarizer's error.
 */
import type { LanguageModel } from 'ai';
import { z } from 'zod';
import { COMPACTION_SUMMARY_PREFIX } from '../session/compact.js';
import { parseOptions } from '../session/options.js';
import { loadTokenCounter, type TokenCounter } from '../session/token-count.js';
import { repairTranscript } from '../session/transcript.js';
import { EMPTY_USAGE } from '../session/usage.js';
import type { ModelMessage, RunEventInput, StoredMessage, Usage } from '../types.js';
import { loadAi } from './ai-module.js';
import { usageFromModel } from './model-usage.js';
import { messagesForSdk } from './sdk-messages.js';
import type { RunStreamEvent } from './run-events.js';
import type { CompactedTranscript, RunRecorder } from './run-recorder.js';
import { errorMessage } from './tool-execution.js';

export interface CompactionSettings {
  /** Compact before a model call whose transcript would be over this many tokens. */
  triggerTokens: number;
  /** Tokens of the newest messages kept after the summary (less than `triggerTokens`). */
  keepTokens: number;
  /** Writes the summary of the messages it is given (give this or `model`; default: the agent's model). */
  summarize?: (messages: ModelMessage[]) => string | Promise<string>;
  /** The AI SDK model that writes the summary (give this or `summarize`; default: the agent's model). */
  model?: LanguageModel;
  /** How to count tokens (default: `gpt-tokenizer`'s `o200k_base`). */
  countTokens?: TokenCounter;
  /** When summarizing fails: go on with the transcript as it was (`continue`, the default), or fail the run (`fail`). */
  onFailure?: 'continue' | 'fail';
}

const isFunction = (value: unknown): boolean => typeof value === 'function';
const settingsSchema = z
  .strictObject({
    triggerTokens: z.number().int().positive(),
    keepTokens: z.number().int().nonnegative(),
    summarize: z.custom<CompactionSettings['summarize']>(isFunction, 'expected a function').optional(),
    model: z.custom<LanguageModel>((value) => typeof value === 'string' || (typeof value === 'object' && value !== null), 'expected an AI SDK model').optional(),
    countTokens: z.custom<TokenCounter>(isFunction, 'expected a function (message) => number').optional(),
    onFailure: z.enum(['continue', 'fail']).optional(),
  })
  .refine((settings) => settings.keepTokens < settings.triggerTokens, { message: 'keepTokens must be less than triggerTokens' })
  .refine((settings) => settings.summarize === undefined || settings.model === undefined, { message: 'give "summarize" or "model", not both' });

export function parseCompactionSettings(value: unknown, argument: string): CompactionSettings | undefined {
  return value === undefined ? undefined : (parseOptions(settingsSchema, value, argument) as CompactionSettings);
}

/** What the model is asked when it writes a summary. */
export const SUMMARY_INSTRUCTIONS =
  'You compact a conversation between a user and an AI assistant so the assistant can continue it ' +
  'without the original messages. Write a faithful, dense summary: the user\'s goals and constraints, ' +
  'decisions made, facts learned (names, numbers, file paths, identifiers), tool results that still ' +
  'matter, and what was being worked on last. Do not invent anything. Answer with the summary only.';

export interface RunCompactionContext {
  settings: CompactionSettings;
  /** The agent's model: the summarizer when the settings name none. */
  model: LanguageModel;
  recorder: RunRecorder;
  emit: (event: RunStreamEvent) => void;
  signal?: AbortSignal;
}

export interface PreparedTranscript {
  transcript: ModelMessage[];
  /** Tokens the summarizing model call used (added to the run's usage). */
  usage: Usage;
}

/** Compacts before model calls, as the settings say. One per run. */
export class RunCompactor {
  private readonly counts = new WeakMap<object, number>();
  private gaveUp = false;

  constructor(private readonly context: RunCompactionContext) {}

  /** The transcript to send for `step`: compacted first when it is over the trigger. */
  async beforeModelCall(transcript: ModelMessage[], step: number): Promise<PreparedTranscript> {
    const unchanged = { transcript, usage: { ...EMPTY_USAGE } };
    if (this.gaveUp) return unchanged;
    const { settings, recorder } = this.context;
    const counter = settings.countTokens ?? (await loadTokenCounter());
    const tokensBefore = this.tokensOf(transcript, counter);
    if (tokensBefore <= settings.triggerTokens) return unchanged;

    let usage: Usage = { ...EMPTY_USAGE };
    const summarize = async (messages: ModelMessage[]): Promise<string> => {
      if (settings.summarize) return settings.summarize(messages);
      const summary = await summarizeWithModel(settings.model ?? this.context.model, messages, this.context.signal);
      usage = summary.usage;
      return summary.text;
    };
    try {
      const compacted = recorder.compact
        ? await recorder.compact({ summarize, keepTokens: settings.keepTokens, countTokens: counter })
        : await compactInMemory(transcript, { summarize, keepTokens: settings.keepTokens, counter });
      if (compacted === undefined) {
        this.gaveUp = true; // nothing outside keepTokens to summarize: asking again each step would find the same
        await this.report({ step, tokensBefore, skipped: 'the messages over the budget are all inside keepTokens' });
        return unchanged;
      }
      const next = repairTranscript(compacted.messages);
      const tokensAfter = this.tokensOf(next, counter);
      await this.report({ step, tokensBefore, tokensAfter, replaced: compacted.replaced, kept: compacted.kept, ...(compacted.messageId ? { messageId: compacted.messageId } : {}) });
      return { transcript: next, usage };
    } catch (error) {
      if (settings.onFailure === 'fail') throw error;
      this.gaveUp = true;
      await this.report({ step, tokensBefore, failed: true, error: errorMessage(error) });
      return { transcript, usage };
    }
  }

  private tokensOf(messages: readonly ModelMessage[], counter: TokenCounter): number {
    let total = 0;
    for (const message of messages) {
      let tokens = this.counts.get(message);
      if (tokens === undefined) {
        tokens = counter(message);
        this.counts.set(message, tokens);
      }
      total += tokens;
    }
    return total;
  }

  private async report(data: Record<string, unknown> & { step: number; tokensBefore: number }): Promise<void> {
    const event: RunEventInput = { type: 'compaction', data };
    await this.context.recorder.record([event]);
    this.context.emit({ type: 'compaction', ...data });
  }
}

/**
 * A summary of `messages` written by `model` through the AI SDK's `generateText`, and the tokens it
 * used: what automatic compaction and `sessionloom compact --model` use.
 *
 * @example
 * await store.compact(id, { summarize: async (messages) => (await summarizeWithModel(model, messages)).text });
 */
export async function summarizeWithModel(model: LanguageModel, messages: readonly ModelMessage[], signal?: AbortSignal): Promise<{ text: string; usage: Usage }> {
  const { ai, major } = await loadAi();
  const transcript: ModelMessage[] = [...repairTranscript(messages), { role: 'user', content: 'Summarize the conversation above for the assistant that continues it.' }];
  const result = await ai.generateText({
    model,
    // AI SDK 7 renamed `system` to `instructions`; messages either major wrote go in the installed one's shape.
    ...(major === 7 ? { instructions: SUMMARY_INSTRUCTIONS } : { system: SUMMARY_INSTRUCTIONS }),
    messages: messagesForSdk(transcript, major),
    allowSystemInMessages: true,
    ...(signal ? { abortSignal: signal } : {}),
  });
  return { text: result.text, usage: usageFromModel(result.usage) };
}

/** A run that stores nothing compacts its own copy: the same split as `store.compact`, in memory. */
async function compactInMemory(
  transcript: readonly ModelMessage[],
  options: { summarize: (messages: ModelMessage[]) => Promise<string>; keepTokens: number; counter: TokenCounter },
): Promise<CompactedTranscript | undefined> {
  let start = transcript.length;
  let used = 0;
  while (start > 0) {
    // The group that ends at `start`: a message and the tool messages that follow it.
    let groupStart = start - 1;
    while (groupStart > 0 && transcript[groupStart]?.role === 'tool') groupStart -= 1;
    const groupTokens = transcript.slice(groupStart, start).reduce((total, message) => total + options.counter(message), 0);
    if (used + groupTokens > options.keepTokens) break;
    used += groupTokens;
    start = groupStart;
  }
  if (start === 0) return undefined;
  const summary = await options.summarize(transcript.slice(0, start));
  if (typeof summary !== 'string' || summary.trim() === '') throw new Error('sessionloom: the summarizer returned no summary.');
  const summaryMessage: ModelMessage = { role: 'user', content: COMPACTION_SUMMARY_PREFIX + summary };
  return { messages: [summaryMessage, ...transcript.slice(start)], replaced: start, kept: transcript.length - start };
}
