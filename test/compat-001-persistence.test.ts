/**
 * Seed 001 ("Session Persistence"): every TypeScript example as the document writes it, with its
 * import line changed (`from '@a3s-lab/code'` to sessionloom/compat) and, as the issue allows, the
 * agent built from sessionloom's agent config where the document reads a config file
 * (`Agent.create('config.acl')`). The examples continue one another (the history and replay
 * examples read the quick start's session), so they run in order. The document's Python example
 * is not run: sessionloom has no Python package.
 */
import { describe, expect, it, vi } from 'vitest';
import { Agent, FileSessionStore, MemorySessionStore, SessionStore, type CodeSession } from '../src/compat/index.js';
import { messageText } from '../src/index.js';
import { conversationalModel, temporaryWorkingDirectory } from './fixtures/compat.js';

temporaryWorkingDirectory('001');

function captureLogs(): string[] {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...values: unknown[]) => void lines.push(values.map(String).join(' ')));
  return lines;
}

describe('seed 001: session persistence, as the document writes it', () => {
  let agent: Agent;
  let session: CodeSession;

  it('Quick Start', async () => {
    // --- example (its config file becomes the agent's config) ---
    agent = await Agent.create({ name: 'code', model: conversationalModel() });
    session = agent.session('.', {
      sessionStore: new FileSessionStore('./sessions'),
      sessionId: 'my-project-review',
      autoSave: true,
      permissionPolicy: { defaultDecision: 'allow' },
    });
    // Work happens...
    await session.send('Read and analyze the codebase');
    // Session is auto-saved after each turn
    // --- end ---
    const reopened = SessionStore.file('./sessions');
    expect((await reopened.getMessages('my-project-review')).map(messageText)).toEqual([
      'Read and analyze the codebase',
      'Noted: "Read and analyze the codebase" (0 earlier messages from you).',
    ]);
    await reopened.close();
  });

  it('Resuming a Session', async () => {
    // --- example ---
    // Later (even after process restart):
    const resumed = agent.resumeSession('my-project-review', {
      sessionStore: new FileSessionStore('./sessions'),
      permissionPolicy: { defaultDecision: 'allow' },
    });
    // Continues with full conversation history
    const result = await resumed.send('What did you find in the analysis?');
    // --- end ---
    expect(result.text).toBe('We discussed: Read and analyze the codebase');
    expect(resumed.history()).toHaveLength(4);
  });

  it('Storage Backends: FileSessionStore', async () => {
    // --- example ---
    const store = new FileSessionStore('./data/sessions');
    // --- end ---
    expect(store).toBeInstanceOf(SessionStore);
    expect(store).toBeInstanceOf(FileSessionStore);
    expect(store.backend).toBe('file');
    const created = await store.create();
    expect(await store.get(created.id)).toEqual(created);
    await store.close();
  });

  it('Storage Backends: MemorySessionStore', async () => {
    // --- example ---
    const store = new MemorySessionStore();
    // --- end ---
    expect(store).toBeInstanceOf(MemorySessionStore);
    expect(store.backend).toBe('memory');
    expect((await store.create('in-memory')).id).toBe('in-memory');
  });

  it('Manual Save', async () => {
    const spy = vi.spyOn(SessionStore.prototype, 'append');
    // --- example ---
    const session = agent.session('.', {
      sessionStore: new FileSessionStore('./sessions'),
      sessionId: 'manual-save-demo',
      autoSave: false,
    });
    await session.send('Do some work');
    // Explicitly save at checkpoints
    await session.save();
    // --- end ---
    // Nothing was written by the turn itself: one append, by save().
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    const reopened = SessionStore.file('./sessions');
    expect((await reopened.getMessages('manual-save-demo')).map(messageText)).toEqual(['Do some work', 'Noted: "Do some work" (0 earlier messages from you).']);
    expect(await reopened.runs('manual-save-demo')).toHaveLength(1);
    await reopened.close();
  });

  it('Session History', () => {
    const lines = captureLogs();
    // --- example ---
    const history = session.history();
    for (const msg of history) {
      console.log(`[${msg.role}] ${msg.content?.slice(0, 80)}`);
    }
    // --- end ---
    expect(lines).toEqual(['[user] Read and analyze the codebase', '[assistant] Noted: "Read and analyze the codebase" (0 earlier messages from you).']);
    vi.restoreAllMocks();
  });

  it('Run Replay', async () => {
    const lines = captureLogs();
    // --- example ---
    const runs = await session.runs();
    for (const run of runs) {
      console.log(`Run ${run.id}: ${run.status}`);
      const events = await session.runEvents(run.id);
      // Replay tool calls, text output, etc.
    }
    // --- end ---
    vi.restoreAllMocks();
    // The quick start's run and the resumed one: both are the session's.
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^Run run_\w+: completed$/);
    for (const run of await session.runs()) {
      expect((await session.runEvents(run.id)).map((event) => event.type)).toEqual(['run-start', 'step-start', 'text', 'step-end', 'run-end']);
    }
  });
});
