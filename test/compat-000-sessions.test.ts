/**
 * Seed 000 ("Sessions: persistent, resumable, and forkable agent conversations"): every example,
 * as the document writes it, with only its import line changed (`from 'assistme-agent-sdk'` to
 * sessionloom/compat). What an example leaves to its surroundings (`agent`, `store`, the sessions
 * and message ids it names) is set up around it; the example itself sits between the markers.
 * One substitution: the File Checkpointing example rewinds to the placeholder id
 * 'msg_before_refactor' of a session it has just created, whose ids cannot be known before; the
 * id of its first message stands in for it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { Runner, SessionStore } from '../src/compat/index.js';
import { Agent, messageText, type ModelMessage } from '../src/index.js';
import { conversationalModel, fileTools, inFreshDirectory, temporaryWorkingDirectory } from './fixtures/compat.js';

const paths = temporaryWorkingDirectory('000');
const conversational = () => new Agent({ name: 'assistant', model: conversationalModel() });
const coder = () => new Agent({ name: 'coder', model: conversationalModel(), tools: fileTools() });

let logged: string[] = [];
function captureLogs(): void {
  logged = [];
  vi.spyOn(console, 'log').mockImplementation((...values: unknown[]) => void logged.push(values.map(String).join(' ')));
}
afterEach(() => vi.restoreAllMocks());

beforeAll(async () => {
  // The session the document's later examples name, as its first example would have left it.
  const setup = SessionStore.sqlite('./sessions.db');
  await setup.create({
    id: 'session_abc123',
    userId: 'user-123',
    messages: [
      { role: 'user', content: 'Help me refactor the auth module' },
      { id: 'msg_xyz', role: 'assistant', content: 'I will start with the token checks.' },
    ],
  });
  await setup.close();
});

describe('seed 000: sessions, as the document writes them', () => {
  it('Creating a Session', async () => {
    const agent = conversational();
    captureLogs();
    // --- example ---
    const result = await Runner.run(agent, {
      messages: [{ role: 'user', content: 'Help me refactor the auth module' }],
      session: {
        persist: true,
        store: SessionStore.sqlite('./sessions.db'),
      },
    })
    // Save the session ID for later
    const sessionId = result.sessionId
    console.log(`Session: ${sessionId}`) // "session_abc123"
    // --- end ---
    expect(logged).toEqual([`Session: ${sessionId}`]);
    expect(sessionId).toMatch(/^session_/);
    const reopened = SessionStore.sqlite('./sessions.db');
    expect((await reopened.getMessages(sessionId)).map(messageText)).toEqual(['Help me refactor the auth module', 'Noted: "Help me refactor the auth module" (0 earlier messages from you).']);
    await reopened.close();
  });

  it('Resuming a Session', async () => {
    const agent = conversational();
    // --- example ---
    // Later... even in a different process
    const result = await Runner.run(agent, {
      messages: [{ role: 'user', content: 'Now update the tests for the refactored code' }],
      session: {
        resume: 'session_abc123',
        store: SessionStore.sqlite('./sessions.db'),
      },
    })
    // Agent has full context from the previous conversation
    // --- end ---
    expect(result.sessionId).toBe('session_abc123');
    expect(result.output).toBe('Noted: "Now update the tests for the refactored code" (1 earlier message from you).');
  });

  it('Forking a Session', async () => {
    const agent = conversational();
    const store = SessionStore.sqlite('./sessions.db');
    const before = await store.getMessages('session_abc123');
    // --- example ---
    // Fork from a specific message
    const fork = await SessionStore.fork('session_abc123', {
      fromMessage: 'msg_xyz', // Fork point
      store: SessionStore.sqlite('./sessions.db'),
    })
    // Run the fork with a different approach
    const resultA = await Runner.run(agent, {
      messages: [{ role: 'user', content: 'Try approach A: use JWT tokens' }],
      session: { resume: fork.sessionId, store },
    })
    // Run the original with another approach
    const resultB = await Runner.run(agent, {
      messages: [{ role: 'user', content: 'Try approach B: use session cookies' }],
      session: { resume: 'session_abc123', store },
    })
    // Compare results and keep the better one
    // --- end ---
    expect(resultA.sessionId).toBe(fork.sessionId);
    expect(fork.forkedFrom).toEqual({ sessionId: 'session_abc123', messageId: 'msg_xyz' });
    const forkTexts = (await store.getMessages(fork.sessionId)).map(messageText);
    expect(forkTexts.slice(0, 3)).toEqual(['Help me refactor the auth module', 'I will start with the token checks.', 'Try approach A: use JWT tokens']);
    const original = await store.getMessages('session_abc123');
    expect(original.slice(0, before.length)).toEqual(before);
    expect(original.map(messageText)).toContain('Try approach B: use session cookies');
    expect(original.map(messageText)).not.toContain('Try approach A: use JWT tokens');
    expect(resultB.sessionId).toBe('session_abc123');
    await store.close();
  });

  it('Rewinding a Session (with the files)', () => inFreshDirectory(paths.root, async () => {
    const agent = coder();
    // The store lives outside the working directory, whose files are checkpointed.
    const store = SessionStore.sqlite(join(paths.outside, 'rewind.db'));
    writeFileSync('auth.ts', 'export const original = true;\n');
    // The agent's turn that went wrong: it starts at the message the document calls msg_before_mistake.
    await Runner.run(agent, {
      messages: [{ id: 'msg_before_mistake', role: 'user', content: 'Refactor the auth module' } as ModelMessage],
      session: { id: 'session_abc123', store, checkpointFiles: true },
    });
    expect(readFileSync('auth.ts', 'utf8')).toBe('// refactored for: Refactor the auth module\n');
    captureLogs();
    // --- example ---
    const session = await SessionStore.get('session_abc123', store)
    // See the full message timeline
    for (const msg of session.messages) {
      console.log(`${msg.id}: [${msg.role}] ${msg.content.substring(0, 80)}...`)
    }
    // Rewind to before the agent's mistake
    await SessionStore.rewind('session_abc123', {
      toMessage: 'msg_before_mistake',
      store,
      // Also revert file changes made after this point
      rewindFiles: true,
    })
    // Continue from the rewound state
    const result = await Runner.run(agent, {
      messages: [{ role: 'user', content: 'Try a different approach instead' }],
      session: { resume: 'session_abc123', store },
    })
    // --- end ---
    expect(logged).toHaveLength(4);
    expect(logged[0]).toBe('msg_before_mistake: [user] Refactor the auth module...');
    expect(logged[1]).toMatch(/^msg_\w+: \[assistant\] \.\.\.$/);
    expect(logged[2]).toMatch(/^msg_\w+: \[tool\] wrote auth\.ts\.\.\.$/);
    expect(logged[3]).toMatch(/^msg_\w+: \[assistant\] Done: auth\.ts is refactored\.\.\.\.$/);
    expect(readFileSync('auth.ts', 'utf8')).toBe('export const original = true;\n');
    expect((await store.getMessages('session_abc123')).map(messageText)).toEqual([
      'Refactor the auth module',
      'Try a different approach instead',
      'Noted: "Try a different approach instead" (1 earlier message from you).',
    ]);
    expect(result.sessionId).toBe('session_abc123');
    await store.close();
  }));

  it('File Checkpointing', () => inFreshDirectory(paths.root, async () => {
    const agent = coder();
    const store = SessionStore.sqlite(join(paths.outside, 'checkpoints.db'));
    writeFileSync('auth.ts', 'export const before = 1;\n');
    // --- example ---
    const result = await Runner.run(agent, {
      messages: [{ role: 'user', content: 'Refactor the auth module' }],
      session: {
        persist: true,
        store,
        checkpointFiles: true, // Track file changes
      },
    })
    // Agent modified 5 files... but the changes are wrong
    // Revert all file changes back to a specific point
    await SessionStore.rewind(result.sessionId, {
      toMessage: result.messages[0]!.id, // the document's placeholder 'msg_before_refactor'
      store,
      rewindFiles: true, // Reverts files to their state at that message
    })
    // --- end ---
    expect(result.messages.map(messageText)).toContain('wrote auth.ts');
    expect(readFileSync('auth.ts', 'utf8')).toBe('export const before = 1;\n');
    await store.close();
  }));

  it('Session Stores', async () => {
    const postgresUrl = inject('postgresUrl');
    const previous = process.env.DATABASE_URL;
    if (postgresUrl) process.env.DATABASE_URL = postgresUrl;
    try {
      // --- example ---
      // SQLite (single-process, local)
      SessionStore.sqlite('./sessions.db')
      // Redis (distributed, multi-process)
      SessionStore.redis({ url: 'redis://localhost:6379' })
      // PostgreSQL (persistent, scalable)
      SessionStore.postgres({ connectionString: process.env.DATABASE_URL })
      // In-memory (testing)
      SessionStore.inMemory()
      // --- end ---
    } finally {
      if (previous === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = previous;
    }
    // The same calls give working stores (the Redis one connects on first use; nothing listens on 6379 here).
    const memory = SessionStore.inMemory();
    expect(memory).toBeInstanceOf(SessionStore);
    expect((await memory.create()).state).toBe('active');
    const sqlite = SessionStore.sqlite('./sessions.db');
    expect(await sqlite.get('session_abc123')).toBeDefined();
    await Promise.all([memory.close(), sqlite.close()]);
  });

  it('Querying Sessions', async () => {
    const store = SessionStore.sqlite('./sessions.db');
    await store.create({ userId: 'user-123', metadata: { project: 'other' } });
    captureLogs();
    // --- example ---
    // List all sessions
    const sessions = await SessionStore.list(store, {
      userId: 'user-123',
      limit: 20,
      orderBy: 'updatedAt',
    })
    // Get a specific session
    const session = await SessionStore.get('session_abc123', store)
    console.log(session.messages)
    console.log(session.createdAt)
    console.log(session.updatedAt)
    console.log(session.metadata)
    // Get messages from a session
    const messages = await SessionStore.getMessages('session_abc123', store, {
      limit: 50,
      after: 'msg_xyz', // Pagination
    })
    // --- end ---
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    expect(sessions.every((listed) => listed.userId === 'user-123')).toBe(true);
    expect(sessions.map((listed) => listed.id)).toContain('session_abc123');
    expect(logged).toHaveLength(4);
    expect(logged[1]).toBe(String(session.createdAt));
    expect(session.messages[1]).toMatchObject({ id: 'msg_xyz', role: 'assistant', content: 'I will start with the token checks.' });
    const all = await store.getMessages('session_abc123');
    expect(messages.map((message) => message.id)).toEqual(all.slice(2).map((message) => message.id));
    await store.close();
  });

  it('Session Metadata', async () => {
    const agent = conversational();
    const store = SessionStore.sqlite('./sessions.db');
    const messages: ModelMessage[] = [{ role: 'user', content: 'Plan the auth refactor' }];
    // --- example ---
    const result = await Runner.run(agent, {
      messages,
      session: {
        persist: true,
        store,
        metadata: {
          userId: 'user-123',
          project: 'auth-refactor',
          tags: ['refactoring', 'authentication'],
        },
      },
    })
    // Query by metadata
    const sessions = await SessionStore.list(store, {
      filter: { project: 'auth-refactor' },
    })
    // --- end ---
    expect(sessions.map((listed) => listed.id)).toEqual([result.sessionId]);
    expect(sessions[0]?.metadata).toEqual({ userId: 'user-123', project: 'auth-refactor', tags: ['refactoring', 'authentication'] });
    await store.close();
  });

  const postgresUrl = inject('postgresUrl');
  it.skipIf(postgresUrl === undefined)('Multi-Turn Conversations (PostgreSQL)', async () => {
    const agent = conversational();
    const connectionString = postgresUrl!;
    // --- example ---
    async function chat(sessionId: string | null, userMessage: string) {
      const result = await Runner.run(agent, {
        messages: [{ role: 'user', content: userMessage }],
        session: {
          ...(sessionId ? { resume: sessionId } : { persist: true }),
          store: SessionStore.postgres({ connectionString }),
        },
      })
      return {
        sessionId: result.sessionId,
        response: result.output,
      }
    }
    // Usage
    let session = await chat(null, 'Help me build a REST API')
    // session.sessionId = "session_abc"
    session = await chat(session.sessionId, 'Add authentication')
    session = await chat(session.sessionId, 'Now add rate limiting')
    // Each call builds on the full conversation history
    // --- end ---
    expect(session.response).toBe('Noted: "Now add rate limiting" (2 earlier messages from you).');
    const store = SessionStore.postgres({ connectionString });
    expect(await store.getMessages(session.sessionId)).toHaveLength(6);
    await store.delete(session.sessionId);
    await store.close();
  });
});
