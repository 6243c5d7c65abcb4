/**
 * The `ai` package, loaded on first use. Importing `sessionloom` (stores, CLI) must not pay for
 * loading the AI SDK; only running an agent does.
 *
 * `ai` is a peer dependency taking major 6 or 7, so the application's own copy is the one loaded
 * and its models, tools and messages are the ones the runner is handed.
 */
type AiModule = typeof import('ai');

/** The AI SDK's major version, where the runner has to tell them apart. */
export type AiMajor = 6 | 7;

export interface LoadedAi {
  ai: AiModule;
  major: AiMajor;
}

let loading: Promise<LoadedAi> | undefined;

export function loadAi(): Promise<LoadedAi> {
  loading ??= import('ai').then((ai) => ({ ai, major: aiMajorOf(ai) }));
  return loading;
}

/** 7 added `isStepCount` (keeping 6's `stepCountIs` as an alias); 6 has no `isStepCount`. */
export function aiMajorOf(ai: object): AiMajor {
  return 'isStepCount' in ai ? 7 : 6;
}
