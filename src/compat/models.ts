/**
 * Model ids as the seeds' documents pass them (`model: 'gpt-4o-mini'`, `'claude-sonnet-4-20250514'`):
 * compat turns an id into an AI SDK model when a run needs one. A resolver set with
 * `setModelResolver` decides first (tests set one that answers with a scripted model, offline);
 * otherwise `claude-*` loads `@ai-sdk/anthropic`, `gpt-*`/`o1`.../`chatgpt-*` load `@ai-sdk/openai`,
 * `provider:model` and `scripted` go to `resolveModel`, and anything else (`provider/model`) is
 * left to the AI SDK's gateway.
 */
import type { LanguageModel } from 'ai';
import { resolveModel } from '../agent/resolve-model.js';
import { ConfigurationError } from '../errors.js';

/** Turns a model id (or no id at all, when an example passes none) into a model. */
export type ModelResolver = (modelId: string | undefined) => LanguageModel | Promise<LanguageModel>;

let resolver: ModelResolver | undefined;

/** Sets (or, with undefined, clears) how compat turns model ids into models. */
export function setModelResolver(next: ModelResolver | undefined): void {
  resolver = next;
}

export async function resolveCompatModel(model: LanguageModel | undefined): Promise<LanguageModel> {
  if (model !== undefined && typeof model !== 'string') return model;
  if (resolver) return resolver(model);
  if (model === undefined) {
    throw new ConfigurationError({ setting: 'model', message: 'No model was given: pass `model` (an AI SDK model or a model id), or set one for every call with setModelResolver.' });
  }
  if (model === 'scripted' || /^[a-z-]+:/.test(model)) return resolveModel(model);
  if (/^claude/.test(model)) return resolveModel(`anthropic:${model}`);
  if (/^(gpt|o\d|chatgpt)/.test(model)) return resolveModel(`openai:${model}`);
  return model;
}
