/**
 * Starting a run for an HTTP request: the run is recorded, then goes on without the request (its
 * client may leave at once; anyone follows it from the store). Resolves with the run's id once the
 * run is recorded, or rejects with why it could not start (the session is missing, another run is
 * in progress, bad input), having written nothing.
 */
import type { Agent } from '../agent/agent.js';
import { Runner } from '../agent/runner.js';
import type { RunInput } from '../agent/run-input.js';
import type { SessionStore } from '../session/store.js';

export interface BackgroundRunOptions {
  store: SessionStore;
  sessionId: string;
  /** Absent: the agent answers the session as it stands. */
  input?: RunInput;
  allowConcurrentRuns?: boolean;
}

export async function startBackgroundRun(agent: Agent, options: BackgroundRunOptions): Promise<string> {
  const stream = Runner.stream(agent, {
    ...(options.input === undefined ? {} : { input: options.input }),
    session: { store: options.store, resume: options.sessionId, ...(options.allowConcurrentRuns ? { allowConcurrentRuns: true } : {}) },
  });
  const iterator = stream[Symbol.asyncIterator]();
  const first = await Promise.race([iterator.next(), stream.result.then(() => undefined)]);
  // The run's events are read from the store by whoever follows it: stop buffering them here.
  await iterator.return?.();
  return first && !first.done && first.value.type === 'run-start' ? first.value.runId : (await stream.result).runId;
}
