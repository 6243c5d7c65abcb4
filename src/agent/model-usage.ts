/** The AI SDK's per-call token usage, as sessionloom's `Usage` (absent counts are zero). */
import type { Usage } from '../types.js';

/**
 * `LanguageModelUsage` as AI SDK 6 and 7 both report it: 7 dropped 6's deprecated flat
 * `cachedInputTokens` and `reasoningTokens`, which older 6 releases filled instead of the details.
 */
export interface ModelUsageReport {
  inputTokens?: number | undefined;
  outputTokens?: number | undefined;
  totalTokens?: number | undefined;
  inputTokenDetails?: { cacheReadTokens?: number | undefined };
  outputTokenDetails?: { reasoningTokens?: number | undefined };
  cachedInputTokens?: number | undefined;
  reasoningTokens?: number | undefined;
}

export function usageFromModel(usage: ModelUsageReport | undefined): Usage {
  const inputTokens = usage?.inputTokens ?? 0;
  const outputTokens = usage?.outputTokens ?? 0;
  const converted: Usage = { inputTokens, outputTokens, totalTokens: usage?.totalTokens ?? inputTokens + outputTokens };
  const cached = usage?.inputTokenDetails?.cacheReadTokens ?? usage?.cachedInputTokens;
  const reasoning = usage?.outputTokenDetails?.reasoningTokens ?? usage?.reasoningTokens;
  if (cached !== undefined) converted.cachedInputTokens = cached;
  if (reasoning !== undefined) converted.reasoningTokens = reasoning;
  return converted;
}
