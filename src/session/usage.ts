/** Usage arithmetic: token counts and cost, summed per run and per session. */
import type { Usage } from '../types.js';

export const EMPTY_USAGE: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

const OPTIONAL_FIELDS = ['cachedInputTokens', 'reasoningTokens', 'costUsd'] as const;

/** `total + addition`; an optional field appears once either side has it. */
export function addUsage(total: Usage, addition: Partial<Usage>): Usage {
  const sum: Usage = {
    inputTokens: total.inputTokens + (addition.inputTokens ?? 0),
    outputTokens: total.outputTokens + (addition.outputTokens ?? 0),
    totalTokens: total.totalTokens + (addition.totalTokens ?? (addition.inputTokens ?? 0) + (addition.outputTokens ?? 0)),
  };
  for (const field of OPTIONAL_FIELDS) {
    if (total[field] === undefined && addition[field] === undefined) continue;
    const value = (total[field] ?? 0) + (addition[field] ?? 0);
    // Cost is money: round away binary noise so that sums of runs equal the session's total.
    sum[field] = field === 'costUsd' ? Math.round(value * 1e9) / 1e9 : value;
  }
  return sum;
}
