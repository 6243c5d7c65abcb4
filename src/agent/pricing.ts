/**
 * Cost in USD from a price table. Prices change and differ per contract, so sessionloom ships none:
 * the caller passes the table, keyed by model id.
 *
 * @example
 * const pricing = { 'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6, cachedInputPerMillion: 0.075 } };
 * await Runner.run(agent, { input: 'Hi', session: { store }, pricing });
 */
import { InvalidArgumentError } from '../errors.js';
import type { Usage } from '../types.js';

export interface ModelPrice {
  /** USD per million input tokens that were not read from the provider's cache. */
  inputPerMillion: number;
  /** USD per million output tokens (reasoning included). */
  outputPerMillion: number;
  /** USD per million input tokens read from the cache (default: the input price). */
  cachedInputPerMillion?: number;
}

/** Prices by model id, as the model reports it (`gpt-4o-mini`, `claude-sonnet-4-5`, ...). */
export type PriceTable = Record<string, ModelPrice>;

export function assertPriceTable(pricing: unknown): asserts pricing is PriceTable | undefined {
  if (pricing === undefined) return;
  if (typeof pricing !== 'object' || pricing === null || Array.isArray(pricing)) {
    throw new InvalidArgumentError({ argument: 'pricing', message: 'expected an object of prices by model id.' });
  }
  for (const [modelId, price] of Object.entries(pricing)) {
    const fields = price as Partial<Record<keyof ModelPrice, unknown>>;
    for (const field of ['inputPerMillion', 'outputPerMillion', 'cachedInputPerMillion'] as const) {
      const value = fields?.[field];
      if (value === undefined && field === 'cachedInputPerMillion') continue;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new InvalidArgumentError({ argument: `pricing.${modelId}.${field}`, message: 'expected a non-negative number.' });
      }
    }
  }
}

/** The price of the first of `modelIds` the table knows, or undefined. */
export function findPrice(pricing: PriceTable | undefined, modelIds: ReadonlyArray<string | undefined>): ModelPrice | undefined {
  if (!pricing) return undefined;
  for (const modelId of modelIds) {
    if (modelId !== undefined && Object.hasOwn(pricing, modelId)) return pricing[modelId];
  }
  return undefined;
}

/** What `usage` cost at `price`, in USD. */
export function costOf(usage: Usage, price: ModelPrice): number {
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const uncached = usage.inputTokens - cached;
  const cost =
    (uncached * price.inputPerMillion + cached * (price.cachedInputPerMillion ?? price.inputPerMillion) + usage.outputTokens * price.outputPerMillion) /
    1_000_000;
  // Round away binary noise, as the store does when it sums costs.
  return Math.round(cost * 1e9) / 1e9;
}
