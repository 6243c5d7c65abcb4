/**
 * The `ai` package, loaded on first use. Importing `sessionloom` (stores, CLI) must not pay for
 * loading the AI SDK; only running an agent does.
 */
type AiModule = typeof import('ai');

let loading: Promise<AiModule> | undefined;

export function loadAi(): Promise<AiModule> {
  loading ??= import('ai');
  return loading;
}
