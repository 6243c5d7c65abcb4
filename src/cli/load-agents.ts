/**
 * `serve --agents MODULE`: the agents a module exports, by export name (`export const helper = new
 * Agent(...)`), and those of a default export (one agent, under its own name, or an object of them).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Agent } from '../agent/agent.js';
import { InvalidArgumentError } from '../errors.js';
import { isAgent } from '../server/agents.js';

export async function loadAgents(modulePath: string): Promise<Record<string, Agent>> {
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(resolve(modulePath)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new InvalidArgumentError({ argument: '--agents', message: `cannot load "${modulePath}": ${error instanceof Error ? error.message : String(error)}`, cause: error });
  }
  const agents: Record<string, Agent> = {};
  for (const [name, value] of Object.entries(loaded)) {
    if (name !== 'default') {
      if (isAgent(value)) agents[name] = value;
      continue;
    }
    if (isAgent(value)) agents[value.name] = value;
    else if (typeof value === 'object' && value !== null) {
      for (const [key, candidate] of Object.entries(value)) if (isAgent(candidate)) agents[key] = candidate;
    }
  }
  if (Object.keys(agents).length === 0) {
    throw new InvalidArgumentError({ argument: '--agents', message: `"${modulePath}" exports no agents (export const helper = new Agent({ ... })).` });
  }
  return agents;
}
