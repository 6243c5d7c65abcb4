/**
 * `Agent`: what to run (a model, instructions, tools); `Runner` decides where its conversation
 * lives. An agent holds no conversation state, so one agent serves any number of sessions.
 */
import type { LanguageModel, TextPart, ToolSet } from 'ai';
import { assertValidId } from '../common/ids.js';
import { InvalidArgumentError } from '../errors.js';
import { parseApprovalPolicy, type ApprovalPolicy, type PermissionPolicy } from './approval-policy.js';
import { parseCompactionSettings, type CompactionSettings } from './run-compaction.js';
import { assertTrimToolResults, type TrimToolResultsSettings } from './trim-tool-results.js';

/**
 * Provider-specific options (`{ openai: { reasoningEffort: 'low' } }`), typed by the installed AI SDK
 * (6 and 7 spell the type differently; it is the one every message part carries).
 */
export type ProviderOptions = NonNullable<TextPart['providerOptions']>;

/** Settings passed to every model call of the agent. */
export interface ModelSettings {
  temperature?: number;
  topP?: number;
  topK?: number;
  maxOutputTokens?: number;
  seed?: number;
  stopSequences?: string[];
  /** Retries of a failed model call (the AI SDK's default is 2). */
  maxRetries?: number;
  providerOptions?: ProviderOptions;
}

export interface AgentConfig<TOOLS extends ToolSet = ToolSet> {
  /** Shown in run records and the inspector. Any text. */
  name: string;
  /** The system prompt, sent with every model call (not stored in the session, so it can change between runs). */
  instructions?: string;
  /** An AI SDK language model: `openai('gpt-4o')`, `anthropic(...)`, `resolveModel('scripted')`, a mock. */
  model: LanguageModel;
  /** AI SDK tools (`tool({ description, inputSchema, execute })`). A tool without `execute` ends the run when called. */
  tools?: TOOLS;
  /** Most model calls in one run (a call and the tool results it asked for make one step). Default 10. */
  maxSteps?: number;
  /** Recorded as the session's `agentId` for sessions the runner creates; must be a valid id. */
  id?: string;
  modelSettings?: ModelSettings;
  /**
   * Compact the session before a model call whose transcript would be over `triggerTokens`: what
   * falls outside the newest `keepTokens` is summarized (by `summarize`, or `model`, or this agent's
   * model) and replaced by the summary; `history` still reads every message. A run's own
   * `compaction` option takes precedence.
   */
  compaction?: CompactionSettings;
  /** Shorten tool outputs older than `olderThanTurns` turns to `maxChars` in what the model is sent (never in the store). */
  trimToolResults?: TrimToolResultsSettings;
  /**
   * Which tool calls wait for a person (besides tools with the AI SDK's `needsApproval`):
   * `{ default: 'allow' | 'deny' | 'ask', tools: { [name]: decision | (input) => decision } }`.
   * A step that asks ends the run as `awaiting-approval`; `Runner.resume` continues it.
   */
  approval?: ApprovalPolicy;
  /** The seeds' spelling of `approval` (`{ defaultDecision }`). */
  permissionPolicy?: PermissionPolicy;
  /** Unanswered approval requests of this agent's runs read as denied after this long (default: the store's, else never). */
  approvalTimeoutMs?: number;
}

export const DEFAULT_MAX_STEPS = 10;

/**
 * An agent: a model with instructions and tools.
 *
 * @example
 * import { tool } from 'ai';
 * import { z } from 'zod';
 * const agent = new Agent({
 *   name: 'Weather helper',
 *   instructions: 'Answer briefly.',
 *   model: openai('gpt-4o-mini'),
 *   tools: { weather: tool({ inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => `Sunny in ${city}` }) },
 * });
 * const { output, sessionId } = await Runner.run(agent, { input: 'Weather in Lisbon?', session: { store } });
 */
export class Agent<TOOLS extends ToolSet = ToolSet> {
  readonly name: string;
  readonly instructions: string | undefined;
  readonly model: LanguageModel;
  readonly tools: TOOLS;
  readonly maxSteps: number;
  readonly id: string | undefined;
  readonly modelSettings: ModelSettings;
  readonly compaction: CompactionSettings | undefined;
  readonly trimToolResults: TrimToolResultsSettings | undefined;
  readonly approval: ApprovalPolicy | undefined;
  readonly approvalTimeoutMs: number | undefined;

  constructor(config: AgentConfig<TOOLS>) {
    if (typeof config !== 'object' || config === null) throw new InvalidArgumentError({ argument: 'agent config', message: 'expected an object.' });
    if (typeof config.name !== 'string' || config.name.trim() === '') {
      throw new InvalidArgumentError({ argument: 'agent name', message: 'expected a non-empty string.' });
    }
    if (config.instructions !== undefined && typeof config.instructions !== 'string') {
      throw new InvalidArgumentError({ argument: 'agent instructions', message: 'expected a string.' });
    }
    if (config.model === undefined || config.model === null) {
      throw new InvalidArgumentError({ argument: 'agent model', message: 'expected an AI SDK language model (or a gateway model id).' });
    }
    const maxSteps = config.maxSteps ?? DEFAULT_MAX_STEPS;
    if (!Number.isInteger(maxSteps) || maxSteps < 1) {
      throw new InvalidArgumentError({ argument: 'agent maxSteps', message: 'expected a positive integer.' });
    }
    if (config.id !== undefined) assertValidId(config.id, 'agent id');
    const tools = config.tools ?? ({} as TOOLS);
    const timeout = config.approvalTimeoutMs;
    if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1)) {
      throw new InvalidArgumentError({ argument: 'agent approvalTimeoutMs', message: 'expected a positive integer (milliseconds).' });
    }
    this.approval = parseApprovalPolicy(config.approval, config.permissionPolicy);
    this.approvalTimeoutMs = timeout;
    this.name = config.name;
    this.instructions = config.instructions;
    this.model = config.model;
    this.tools = tools;
    this.maxSteps = maxSteps;
    this.id = config.id;
    this.modelSettings = { ...config.modelSettings };
    this.compaction = parseCompactionSettings(config.compaction, 'agent compaction');
    assertTrimToolResults(config.trimToolResults, 'agent trimToolResults');
    this.trimToolResults = config.trimToolResults;
  }

  /** The model's id as providers report it (`gpt-4o`, `scripted`), for run records and price tables. */
  get modelId(): string {
    return typeof this.model === 'string' ? this.model : this.model.modelId;
  }

  /** The model's provider (`openai.chat`, `scripted`), or `gateway` for a model given by id. */
  get provider(): string {
    return typeof this.model === 'string' ? 'gateway' : this.model.provider;
  }
}
