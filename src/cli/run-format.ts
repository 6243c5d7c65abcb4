/** How runs read in the CLI: durations, token counts and costs, shared by `runs`, `replay`, `demo` and `chat`. */
import type { Run, Usage } from '../types.js';

/** "850ms", "2.4s", "3m 12s": precise for short runs, readable for long ones. */
export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1000) return `${Math.max(0, Math.round(milliseconds))}ms`;
  if (milliseconds < 60_000) return `${(milliseconds / 1000).toFixed(1)}s`;
  const minutes = Math.floor(milliseconds / 60_000);
  return `${minutes}m ${Math.floor((milliseconds % 60_000) / 1000)}s`;
}

/** A run's duration, how long it has been running, or how long it ran before its writer fell silent. */
export function runDuration(run: Run, now: number = Date.now()): string {
  if (run.endedAt !== undefined) return formatDuration(run.endedAt - run.startedAt);
  if (run.status === 'interrupted') return `${formatDuration(run.lastActiveAt - run.startedAt)}, then silent`;
  if (run.status === 'awaiting-approval') return `waiting for approval for ${formatDuration(now - run.lastActiveAt)}`;
  return `running for ${formatDuration(now - run.startedAt)}`;
}

/** "+0.012s": an event's time from the start of its run, in seconds with milliseconds. */
export function formatOffset(milliseconds: number): string {
  return `${milliseconds < 0 ? '-' : '+'}${(Math.abs(milliseconds) / 1000).toFixed(3)}s`;
}

/** "1,234 tokens (1,000 in, 234 out)", with cached and reasoning tokens when the model reported them. */
export function formatUsage(usage: Partial<Usage> | undefined): string {
  if (!usage) return '-';
  const input = usage.inputTokens ?? 0;
  const output = usage.outputTokens ?? 0;
  const total = usage.totalTokens ?? input + output;
  const details = [`${count(input)} in`, `${count(output)} out`];
  if (usage.cachedInputTokens) details.push(`${count(usage.cachedInputTokens)} cached`);
  if (usage.reasoningTokens) details.push(`${count(usage.reasoningTokens)} reasoning`);
  return `${count(total)} tokens (${details.join(', ')})`;
}

/** "$0.0123"; "-" when no price table knew the model (a cost of zero is a real, free, cost). */
export function formatCost(costUsd: number | undefined): string {
  if (costUsd === undefined) return '-';
  return `$${costUsd < 0.01 && costUsd > 0 ? costUsd.toPrecision(2) : costUsd.toFixed(4)}`;
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}
