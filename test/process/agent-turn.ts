/**
 * One conversation turn in its own process, on a SQLite file: `agent-turn DB SESSION|new INPUT SCENARIO`.
 * Prints `result {json}` with the session, the run and every prompt the mock model received.
 *
 * Scenarios:
 * - `conversation`: an input with "remember" makes the model call the remember tool first;
 *   otherwise it echoes the last user message.
 * - `blocking-tool`: the model calls a tool that prints `tool-started` and never returns (the parent kills the process).
 */
import { tool } from 'ai';
import { z } from 'zod';
import { Agent, Runner, SessionStore } from '../../src/index.js';
import { AGENT_TURN_STALE_RUN_MS } from './agent-spawn.js';
import { compactPrompt, scriptedMock } from '../fixtures/agent-models.js';

const [path, sessionArgument, input, scenario] = process.argv.slice(2);
if (!path || !sessionArgument || input === undefined || !scenario) {
  console.error('usage: agent-turn DB SESSION|new INPUT conversation|blocking-tool');
  process.exit(2);
}

const INSTRUCTIONS = 'You are a helpful assistant with a memory tool.';

const mock = scriptedMock((prompt) => {
  const last = compactPrompt(prompt).at(-1);
  if (last?.role === 'tool') return { text: `Noted: ${JSON.stringify(last.toolResults?.[0]?.output)}` };
  if (scenario === 'blocking-tool') return { toolCalls: [{ toolName: 'slow', input: { job: last?.text ?? '' } }] };
  if (last?.text?.includes('remember')) return { text: 'Saving that.', toolCalls: [{ toolName: 'remember', input: { fact: last.text } }] };
  return { text: `echo: ${last?.text ?? ''}` };
});

const agent = new Agent({
  name: 'process agent',
  instructions: INSTRUCTIONS,
  model: mock.model,
  tools: {
    remember: tool({ inputSchema: z.object({ fact: z.string() }), execute: async ({ fact }) => ({ remembered: fact }) }),
    slow: tool({
      inputSchema: z.object({ job: z.string() }),
      execute: async () => {
        console.log('tool-started');
        // Never settles: the parent kills this process while the tool "runs".
        setInterval(() => {}, 60_000);
        return new Promise<string>(() => {});
      },
    }),
  },
});

// A short silence window, so a parent can see this process's heartbeats within a test.
const store = SessionStore.sqlite(path, { staleRunMs: AGENT_TURN_STALE_RUN_MS });
const session = sessionArgument === 'new' ? {} : { resume: sessionArgument };
const result = await Runner.run(agent, { input, session: { store, ...session } });
console.log(`result ${JSON.stringify({ sessionId: result.sessionId, runId: result.runId, output: result.output, prompts: mock.prompts })}`);
await store.close();
