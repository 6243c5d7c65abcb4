/**
 * `Agent` with the second seed's (001) session methods: sessionloom's `Agent` (so it runs with
 * `Runner` as it is), plus `Agent.create(config)`, `agent.session(workspace, options)` and
 * `agent.resumeSession(id, options)`. The seed builds its agent from a config file; here
 * `Agent.create` takes the agent's config (or an agent) instead.
 */
import { Agent as CoreAgent, type AgentConfig } from '../agent/agent.js';
import { generateId } from '../common/ids.js';
import { ConfigurationError } from '../errors.js';
import { SessionStore as CoreSessionStore } from '../session-store.js';
import { CodeSession, type CodeSessionOptions } from './code-session.js';
import { resolveCompatModel } from './models.js';

let processStore: CoreSessionStore | undefined;

/** The store sessions use when given none: one in-memory store for the process. */
function defaultStore(): CoreSessionStore {
  processStore ??= CoreSessionStore.memory();
  return processStore;
}

export class Agent extends CoreAgent {
  /** An agent from its config (`{ name, model, instructions?, tools? }`) or from another agent. */
  static async create(config: AgentConfig | CoreAgent): Promise<Agent> {
    if (typeof config === 'string') {
      throw new ConfigurationError({
        setting: 'agent config',
        message: 'sessionloom builds agents from { name, model, instructions?, tools? }, not from a config file: pass that object to Agent.create.',
      });
    }
    if (config instanceof CoreAgent) return new Agent(configOf(config));
    // A model id ('gpt-4o-mini') becomes a model as everywhere in compat (see models.ts).
    return new Agent(typeof config.model === 'string' ? { ...config, model: await resolveCompatModel(config.model) } : config);
  }

  /** A session working in `workspace`: created on first use if `sessionId` names none yet. */
  session(workspace: string, options: CodeSessionOptions = {}): CodeSession {
    return this.handle(workspace, options.sessionId ?? generateId('session'), options, false);
  }

  /** The session `sessionId`, continued with its whole history (`SessionNotFoundError` on first use if there is none). */
  resumeSession(sessionId: string, options: CodeSessionOptions = {}): CodeSession {
    return this.handle('.', sessionId, options, true);
  }

  private handle(workspace: string, id: string, options: CodeSessionOptions, resume: boolean): CodeSession {
    return new CodeSession(this.withPermissionPolicy(options.permissionPolicy), options.sessionStore ?? defaultStore(), id, workspace, {
      autoSave: options.autoSave ?? true,
      resume,
      checkpointFiles: options.checkpointFiles ?? false,
    });
  }

  /**
   * The seed's `permissionPolicy: { defaultDecision }` for this session's runs: the agent's approval
   * policy with that default (its per-tool rules kept). `ask` stops a run for approval
   * (`Runner.resume` continues it), `deny` refuses tools without asking.
   */
  private withPermissionPolicy(policy: CodeSessionOptions['permissionPolicy']): CoreAgent {
    const decision = policy?.defaultDecision;
    if (decision === undefined) return this;
    return new CoreAgent({ ...configOf(this), approval: { ...this.approval, default: decision } });
  }
}

/** The config an agent was made with, to make another like it. */
function configOf(agent: CoreAgent): AgentConfig {
  return {
    name: agent.name,
    model: agent.model,
    tools: agent.tools,
    maxSteps: agent.maxSteps,
    modelSettings: agent.modelSettings,
    ...(agent.instructions === undefined ? {} : { instructions: agent.instructions }),
    ...(agent.id === undefined ? {} : { id: agent.id }),
    ...(agent.compaction === undefined ? {} : { compaction: agent.compaction }),
    ...(agent.trimToolResults === undefined ? {} : { trimToolResults: agent.trimToolResults }),
    ...(agent.approval === undefined ? {} : { approval: agent.approval }),
    ...(agent.approvalTimeoutMs === undefined ? {} : { approvalTimeoutMs: agent.approvalTimeoutMs }),
  };
}
