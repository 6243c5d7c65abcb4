/**
 * Agents across real processes on one SQLite file: a conversation resumed in a new process sees
 * every earlier message; a run killed mid-tool resumes with a repaired transcript while the stored
 * history stays as written; and importing sessionloom does not load the AI SDK until an agent runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LanguageModelV3Prompt } from '@ai-sdk/provider';
import { afterAll, describe, expect, it } from 'vitest';
import { INTERRUPTED_TOOL_RESULT_TEXT, SessionStore } from '../src/index.js';
import { compactMessages, compactPrompt } from './fixtures/agent-models.js';
import { AGENT_TURN_STALE_RUN_MS, runAgentChild, spawnAgentChild } from './process/agent-spawn.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-agent-processes-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

interface TurnReport {
  sessionId: string;
  runId: string;
  output: string;
  prompts: LanguageModelV3Prompt[];
}

const turn = (path: string, session: string, input: string, scenario = 'conversation') =>
  runAgentChild<TurnReport>('./agent-turn.ts', [path, session, input, scenario]);

describe('agents across processes (SQLite)', () => {
  it('a conversation resumed in a new process sends the model every earlier message', async () => {
    const path = join(directory, 'conversation.db');
    const inputs = ['Please remember that my name is Ada', 'What is my name?', 'And what did you save?'];
    const first = await turn(path, 'new', inputs[0]!);
    const store = SessionStore.sqlite(path);
    const reports = [first];
    for (const input of inputs.slice(1)) {
      const before = await store.getMessages(first.sessionId);
      const report = await turn(path, first.sessionId, input);
      expect(report.sessionId).toBe(first.sessionId);
      // The first model call of the new process: the instructions, everything stored so far, the new input.
      const [system, ...conversation] = compactPrompt(report.prompts[0]!);
      expect(system?.role).toBe('system');
      expect(conversation).toEqual([...compactMessages(before), { role: 'user', text: input }]);
      reports.push(report);
    }

    const history = await store.getMessages(first.sessionId);
    // Turn 1 used the tool (user, call, result, answer); turns 2 and 3 are a question and an answer each.
    expect(history.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user', 'assistant', 'user', 'assistant']);
    expect(compactMessages(history.filter((message) => message.role === 'user')).map((message) => message.text)).toEqual(inputs);
    expect((await store.runs(first.sessionId)).map((run) => [run.id, run.status])).toEqual(reports.map((report) => [report.runId, 'completed']));
    await store.close();
  });

  it('a run killed mid-tool resumes in a new process with the call closed as interrupted, and the stored history unchanged', async () => {
    const path = join(directory, 'killed.db');
    const store = SessionStore.sqlite(path);
    const session = await store.create({ id: 'killed-mid-tool' });
    const child = spawnAgentChild('./agent-turn.ts', [path, session.id, 'Run the slow job', 'blocking-tool']);
    await child.lineStartingWith('tool-started');

    // The tool is running: its call is stored, its result is not.
    const stored = await store.getMessages(session.id);
    expect(stored.map((message) => message.role)).toEqual(['user', 'assistant']);
    const [call] = compactMessages(stored)[1]?.toolCalls ?? [];
    expect(call?.toolName).toBe('slow');
    // While the tool blocks, the writer heartbeats: past a whole silence window, the run still reads as running.
    const watcher = SessionStore.sqlite(path, { staleRunMs: AGENT_TURN_STALE_RUN_MS });
    const [started] = await store.runs(session.id);
    await sleep(AGENT_TURN_STALE_RUN_MS * 1.5);
    const [beating] = await watcher.runs(session.id);
    expect(beating?.status).toBe('running');
    expect(beating!.lastActiveAt).toBeGreaterThan(started!.lastActiveAt);

    child.child.kill('SIGKILL');
    expect(await child.exited).toBe('SIGKILL');
    // Nobody was left to finish it: it stays running in storage, and reads as interrupted once silent for the window.
    await sleep(AGENT_TURN_STALE_RUN_MS + 100);
    expect((await watcher.runs(session.id)).map((run) => run.status)).toEqual(['interrupted']);
    await watcher.close();
    expect(await store.getMessages(session.id)).toEqual(stored);

    const resumed = await turn(path, session.id, 'Are you still there?');
    const prompt = compactPrompt(resumed.prompts[0]!);
    expect(prompt.slice(1)).toEqual([
      ...compactMessages(stored),
      { role: 'tool', toolResults: [{ toolCallId: call!.toolCallId, toolName: 'slow', output: { type: 'error-text', value: INTERRUPTED_TOOL_RESULT_TEXT } }] },
      { role: 'user', text: 'Are you still there?' },
    ]);

    // What is stored is what was written: the dangling call, then the new turn; no invented result.
    const after = await store.getMessages(session.id);
    expect(after.slice(0, 2)).toEqual(stored);
    expect(after.slice(2).map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(after.some((message) => message.role === 'tool')).toBe(false);
    expect((await store.runs(session.id)).map((run) => run.status)).toEqual(['running', 'completed']);
    await store.close();
  });

  it('importing sessionloom and opening chats does not load the AI SDK; running an agent does', async () => {
    const report = await runAgentChild<Record<string, string[]>>('./agent-import-check.ts', [join(directory, 'loaded.log')]);
    expect(report.afterImport).toEqual([]);
    expect(report.afterChatOpened).toEqual([]);
    expect(report.afterRun).toContain('ai');
  });
});
