/** The AI SDK's per-call token usage, as sessionloom's `Usage` (absent counts are zero). */
import type { LanguageModelUsage } from 'ai';
import type { Usage } from '../types.js';

export function usageFromModel(usage: LanguageModelUsage | undefined): Usage {
  const inputTokens = usage?.inputTokens ?? 0;
  const outputTokens = usage?.outputTokens ?? 0;
  const converted: Usage = { inputTokens, outputTokens, totalTokens: usage?.totalTokens ?? inputTokens + outputTokens };
  const cached = usage?.inputTokenDetails?.cacheReadTokens ?? usage?.cachedInputTokens;
  const reasoning = usage?.outputTokenDetails?.reasoningTokens ?? usage?.reasoningTokens;
  if (cached !== undefined) converted.cachedInputTokens = cached;
  if (reasoning !== undefined) converted.reasoningTokens = reasoning;
  return converted;
}
