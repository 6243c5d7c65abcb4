/**
 * The third seed's (002) agent: `createAgent({ name, instructions, model, sessionStore })` and
 * `agent.run(prompt, { sessionId, userId })`, whose result carries the answer as `text`. A run
 * with a `sessionId` creates that session the first time and continues it after (the runner's
 * `session: { id }`); without one, each run starts a new session. `model` may be an AI SDK model
 * or an id (see models.ts); `apiKey` is accepted and left to the provider's environment variable.
 */
import type { LanguageModel, ToolSet } from 'ai';
import { Agent } from '../agent/agent.js';
import type { RunResult } from '../agent/run-result.js';
import { Runner } from '../agent/runner.js';
import { SessionStore } from '../session-store.js';
import { DbSessionStore } from './db-session-store.js';
import { resolveCompatModel } from './models.js';

export interface CreateAgentConfig {
  name: string;
  instructions?: string;
  model?: LanguageModel;
  /** Accepted for compatibility; providers read their key from the environment (`OPENAI_API_KEY`, ...). */
  apiKey?: string;
  tools?: ToolSet;
  maxSteps?: number;
  /** Where conversations are kept: a store from `createInMemoryStore()` and the like, or a sessionloom store. */
  sessionStore?: DbSessionStore | SessionStore;
}

export interface AgentRunOptions {
  sessionId?: string;
  userId?: string;
  signal?: AbortSignal;
}

export type AgentRunResult = RunResult & { text: string };

export interface CompatAgent {
  readonly name: string;
  run(prompt: string, options?: AgentRunOptions): Promise<AgentRunResult>;
}

export function createAgent(config: CreateAgentConfig): CompatAgent {
  let agent: Promise<Agent> | undefined;
  // The model is resolved at the first run (and again after a failure: a missing key can be set later).
  const ready = () =>
    (agent ??= resolveCompatModel(config.model).then(
      (model) =>
        new Agent({
          name: config.name,
          model,
          ...(config.instructions === undefined ? {} : { instructions: config.instructions }),
          ...(config.tools === undefined ? {} : { tools: config.tools }),
          ...(config.maxSteps === undefined ? {} : { maxSteps: config.maxSteps }),
        }),
      (error: unknown) => {
        agent = undefined;
        throw error;
      },
    ));
  return {
    name: config.name,
    async run(prompt, options = {}) {
      const sessionStore = config.sessionStore;
      const store = sessionStore instanceof DbSessionStore ? await sessionStore.ready() : sessionStore;
      const result = await Runner.run(await ready(), {
        input: prompt,
        session: store
          ? { store, ...(options.sessionId === undefined ? {} : { id: options.sessionId }), ...(options.userId === undefined ? {} : { userId: options.userId }) }
          : { persist: false },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return { ...result, text: result.output };
    },
  };
}
