/**
 * The agents a server may run (`createApp({ agents })`, `sessionloom serve --agents MODULE`), by the
 * name clients start runs with. Checked when the app is built, so a typo in a module fails at start.
 */
import type { Agent } from '../agent/agent.js';
import { ID_PATTERN } from '../common/ids.js';
import { ConfigurationError, InvalidArgumentError } from '../errors.js';

export type AgentRegistry = ReadonlyMap<string, Agent>;

/** Shaped like an Agent (checked by shape, so an agent from another copy of the package counts). */
export function isAgent(value: unknown): value is Agent {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Agent>;
  return typeof candidate.name === 'string' && typeof candidate.maxSteps === 'number' && candidate.model !== undefined && typeof candidate.tools === 'object';
}

export function agentRegistry(agents: Readonly<Record<string, Agent>> | undefined): AgentRegistry {
  if (agents === undefined) return new Map();
  if (typeof agents !== 'object' || agents === null || Array.isArray(agents)) {
    throw new ConfigurationError({ setting: 'agents', message: 'expected an object mapping names to agents: { helper: new Agent(...) }.' });
  }
  const registry = new Map<string, Agent>();
  for (const [name, agent] of Object.entries(agents)) {
    if (!ID_PATTERN.test(name)) {
      throw new ConfigurationError({ setting: 'agents', message: `agent name ${JSON.stringify(name.slice(0, 60))} must be a letter or digit, then letters, digits, ".", "_", ":", "@" or "-".` });
    }
    if (!isAgent(agent)) throw new ConfigurationError({ setting: 'agents', message: `"${name}" is not an Agent (new Agent({ name, model, ... })).` });
    registry.set(name, agent);
  }
  return registry;
}

/** The agent a request names; with none named, the only one registered. Otherwise an `InvalidArgumentError` listing them. */
export function pickAgent(registry: AgentRegistry, name: unknown, options: { defaultToOnly?: boolean } = {}): Agent {
  if (name === undefined && options.defaultToOnly && registry.size === 1) return [...registry.values()][0]!;
  const agent = typeof name === 'string' ? registry.get(name) : undefined;
  if (agent) return agent;
  const known = [...registry.keys()].join(', ') || 'none: start the server with agents';
  throw new InvalidArgumentError({ argument: 'agent', message: `expected the name of a registered agent (${known}).` });
}

/**
 * The registered agent that continues a run (an approval answered over HTTP or with `approve
 * --agents`): the one a request names, else the one registered under the run's agent name (or whose
 * `name` it is), else the only one registered. Undefined when none fits.
 */
export function agentForRun(registry: AgentRegistry, run: { agentName?: string }, named?: unknown): Agent | undefined {
  if (named !== undefined) return pickAgent(registry, named);
  if (run.agentName !== undefined) {
    const byKey = registry.get(run.agentName);
    if (byKey) return byKey;
    const byName = [...registry.values()].find((agent) => agent.name === run.agentName);
    if (byName) return byName;
  }
  return registry.size === 1 ? [...registry.values()][0] : undefined;
}
