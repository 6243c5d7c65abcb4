/**
 * A model from a short spec, as the CLI's `--model` takes it. Provider packages are optional peer
 * dependencies, loaded only when such a model is asked for, so users of one provider do not
 * install the others.
 */
import type { LanguageModel } from 'ai';
import { InvalidArgumentError } from '../errors.js';
import { loadAi } from './ai-module.js';
import { ScriptedLanguageModel, type ScriptedModelOptions } from './scripted-model.js';

export interface ResolveModelOptions {
  /** Where API keys and base URLs are read (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** The scripted model's script, for `scripted`. */
  scripted?: ScriptedModelOptions;
  /** How a provider package is loaded (default: `import()`); tests replace it. */
  importModule?: (packageName: string) => Promise<unknown>;
}

/**
 * A language model object (not a gateway id): LanguageModelV3 from AI SDK 6's providers,
 * LanguageModelV4 from 7's, as the installed `ai` types it.
 */
export type LanguageModelInstance = Exclude<LanguageModel, string>;

type OpenAiModule = typeof import('@ai-sdk/openai');
type AnthropicModule = typeof import('@ai-sdk/anthropic');

const SPEC_FORMS = '"scripted", "openai:MODEL", "openai-chat:MODEL" or "anthropic:MODEL"';

/**
 * Resolves `scripted`, `openai:NAME` (the Responses API; Chat Completions when `OPENAI_BASE_URL`
 * points at an OpenAI-compatible server), `openai-chat:NAME` (always Chat Completions) or
 * `anthropic:NAME`. Keys come from `OPENAI_API_KEY` / `ANTHROPIC_API_KEY`, base URLs from
 * `OPENAI_BASE_URL` / `ANTHROPIC_BASE_URL`.
 *
 * @example
 * const model = await resolveModel(process.env.MODEL ?? 'scripted');
 * const agent = new Agent({ name: 'helper', model });
 */
export async function resolveModel(spec: string, options: ResolveModelOptions = {}): Promise<LanguageModelInstance> {
  if (typeof spec !== 'string') throw new InvalidArgumentError({ argument: 'model', message: `expected ${SPEC_FORMS}.` });
  const env = options.env ?? process.env;
  const importModule = options.importModule ?? ((packageName: string) => import(packageName));
  if (spec === 'scripted') return new ScriptedLanguageModel(options.scripted);

  const separator = spec.indexOf(':');
  const provider = separator < 0 ? spec : spec.slice(0, separator);
  const modelName = separator < 0 ? '' : spec.slice(separator + 1).trim();
  if (separator >= 0 && modelName === '' && ['openai', 'openai-chat', 'anthropic'].includes(provider)) {
    throw new InvalidArgumentError({ argument: 'model', message: `"${spec}" names no model; expected ${SPEC_FORMS}.` });
  }

  switch (provider) {
    case 'openai':
    case 'openai-chat': {
      const baseURL = nonEmpty(env.OPENAI_BASE_URL);
      const apiKey = nonEmpty(env.OPENAI_API_KEY);
      // A local OpenAI-compatible server often needs no key; api.openai.com always does.
      if (!apiKey && !baseURL) throw new InvalidArgumentError({ argument: 'model', message: `"${spec}" needs OPENAI_API_KEY in the environment.` });
      const { createOpenAI } = (await loadProvider(importModule, '@ai-sdk/openai', spec)) as OpenAiModule;
      const openai = createOpenAI({ apiKey: apiKey ?? 'not-needed', ...(baseURL ? { baseURL } : {}) });
      return provider === 'openai-chat' || baseURL ? openai.chat(modelName) : openai(modelName);
    }
    case 'anthropic': {
      const apiKey = nonEmpty(env.ANTHROPIC_API_KEY);
      const baseURL = nonEmpty(env.ANTHROPIC_BASE_URL);
      if (!apiKey) throw new InvalidArgumentError({ argument: 'model', message: `"${spec}" needs ANTHROPIC_API_KEY in the environment.` });
      const { createAnthropic } = (await loadProvider(importModule, '@ai-sdk/anthropic', spec)) as AnthropicModule;
      return createAnthropic({ apiKey, ...(baseURL ? { baseURL } : {}) })(modelName);
    }
    default:
      throw new InvalidArgumentError({ argument: 'model', message: `unknown model "${spec}"; expected ${SPEC_FORMS}.` });
  }
}

async function loadProvider(importModule: (packageName: string) => Promise<unknown>, packageName: string, spec: string): Promise<unknown> {
  try {
    return await importModule(packageName);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new InvalidArgumentError({
        argument: 'model',
        message: `"${spec}" needs the ${packageName} package, which is not installed. Install it with: npm install ${packageName}@^${await providerMajor()}`,
        cause: error,
      });
    }
    throw error;
  }
}

/** The provider major that goes with the installed AI SDK: 3 for ai 6, 4 for ai 7. */
async function providerMajor(): Promise<number> {
  const loaded = await loadAi().catch(() => undefined);
  return loaded?.major === 7 ? 4 : 3;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
