/**
 * Seed 003 ("Session Storage"): every example as the document writes it, with its import lines
 * changed (`from "formagent-sdk"` to sessionloom/compat; the Redis example's `from "redis"` to a
 * node-redis-shaped client over ioredis, as the `redis` package is not installed). Model ids reach
 * a scripted model through `setModelResolver` (offline). The custom storages of the document
 * (Redis, SQLite) run as the backends of real sessions. The two interfaces the document declares
 * are checked against what compat implements.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import Database from 'better-sqlite3';
import {
  builtinTools,
  createSession,
  createSessionStorage,
  FileSessionStorage,
  forkSession,
  MemorySessionStorage,
  resumeSession,
  setDefaultStorage,
  setModelResolver,
  type SessionState,
  type SessionStorage,
} from '../src/compat/index.js';
import { messageText, ScriptedLanguageModel } from '../src/index.js';
import { conversationalModel, temporaryWorkingDirectory } from './fixtures/compat.js';
import { closeClients, createClient } from './fixtures/node-redis.js';

temporaryWorkingDirectory('003');
const redisUrl = inject('redisUrl');

beforeAll(() => setModelResolver(() => conversationalModel()));
afterAll(async () => {
  setModelResolver(undefined);
  setDefaultStorage(new MemorySessionStorage());
  await closeClients();
});

/** What a session printed through `process.stdout.write` while `body` ran. */
async function printed(body: () => Promise<void>): Promise<string> {
  let text = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  try {
    await body();
  } finally {
    spy.mockRestore();
  }
  return text;
}

/** A stored session to resume, as an earlier run of the application would have left it. */
async function earlierSession(storage: SessionStorage, id: string): Promise<void> {
  const session = await createSession({ model: 'claude-sonnet-4-20250514', sessionStorage: storage, sessionId: id });
  await session.send('Let us plan the billing migration');
  for await (const _event of session.receive());
  await session.close();
}

describe('seed 003: session storage, as the document writes it', () => {
  it('Quick Start: Using FileSessionStorage', async () => {
    const logs: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(line));
    // --- example ---
    // Create a persistent storage instance
    const storage = new FileSessionStorage("./sessions")

    // Create session with persistent storage
    const session = await createSession({
      model: "claude-sonnet-4-20250514",
      tools: builtinTools,
      sessionStorage: storage,
    })

    // Save the session ID for later resumption
    const sessionId = session.id
    console.log(`Session created: ${sessionId}`)

    // ... use the session ...

    await session.close()
    // --- end ---
    vi.restoreAllMocks();
    expect(logs).toEqual([`Session created: ${sessionId}`]);
    expect(await new FileSessionStorage('./sessions').list()).toContain(sessionId);
  });

  it('Resuming a Session', async () => {
    await earlierSession(new FileSessionStorage('./sessions'), 'previous-session-id');
    const output = await printed(async () => {
      // --- example ---
      const storage = new FileSessionStorage("./sessions")

      // Resume from a previous session
      const session = await createSession({
        model: "claude-sonnet-4-20250514",
        tools: builtinTools,
        sessionStorage: storage,
        resume: "previous-session-id",  // The session ID from before
      })

      // Continue the conversation with full context
      await session.send("What were we discussing?")

      for await (const event of session.receive()) {
        if (event.type === "text") {
          process.stdout.write(event.text)
        }
      }
      // --- end ---
    });
    expect(output).toBe('We discussed: Let us plan the billing migration');
  });

  it('Global Storage Configuration', async () => {
    // --- example ---
    // Set once at application startup
    setDefaultStorage(new FileSessionStorage("./sessions"))

    // All sessions now use file storage by default
    const session1 = await createSession({ model: "claude-sonnet-4-20250514" })
    const session2 = await createSession({ model: "claude-sonnet-4-20250514" })

    // Both sessions are persisted to ./sessions/
    // --- end ---
    const listed = await new FileSessionStorage('./sessions').list();
    expect(listed).toEqual(expect.arrayContaining([session1.id, session2.id]));
    setDefaultStorage(new MemorySessionStorage());
  });

  it('Storage Interface and SessionState Structure: the built-in storages implement them', async () => {
    // --- example (the document's declarations) ---
    interface SessionStorage {
      /** Save session state */
      save(state: SessionState): Promise<void>

      /** Load session state by ID */
      load(sessionId: string): Promise<SessionState | undefined>

      /** Delete session state */
      delete(sessionId: string): Promise<void>

      /** List all stored session IDs */
      list(): Promise<string[]>
    }
    // --- end ---
    const storages: SessionStorage[] = [new MemorySessionStorage(), new FileSessionStorage('./interface-check')];
    for (const storage of storages) {
      const state: SessionState = {
        id: 'state-check',
        messages: [],
        usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
        metadata: { team: 'billing' },
        createdAt: 0,
        updatedAt: 0,
      };
      await storage.save({ ...state, messages: [{ id: 'msg-a', role: 'user', content: 'hello', createdAt: 1 }] });
      const loaded = await storage.load('state-check');
      expect(loaded).toMatchObject({ id: 'state-check', metadata: { team: 'billing' }, messages: [{ id: 'msg-a', role: 'user', content: 'hello' }] });
      expect(typeof loaded?.createdAt).toBe('number');
      expect(typeof loaded?.updatedAt).toBe('number');
      // Saving what was loaded, plus a message, appends just that message.
      await storage.save({ ...loaded!, messages: [...loaded!.messages, { id: 'msg-b', role: 'assistant', content: 'hi', createdAt: 2 }] });
      expect((await storage.load('state-check'))?.messages.map((message) => message.id)).toEqual(['msg-a', 'msg-b']);
      expect(await storage.list()).toEqual(['state-check']);
      await storage.delete('state-check');
      expect(await storage.load('state-check')).toBeUndefined();
    }
  });

  it('MemorySessionStorage', async () => {
    // --- example ---
    const storage = new MemorySessionStorage()

    // Additional methods
    storage.clear()     // Clear all sessions
    storage.size()      // Get number of stored sessions
    // --- end ---
    await (await createSession({ model: 'claude-sonnet-4-20250514', sessionStorage: storage })).close();
    await (await createSession({ model: 'claude-sonnet-4-20250514', sessionStorage: storage })).close();
    expect(storage.size()).toBe(2);
    storage.clear();
    expect(storage.size()).toBe(0);
    expect(await storage.list()).toEqual([]);
  });

  it('FileSessionStorage', async () => {
    // --- example ---
    // Sessions stored as ./sessions/{session-id}.json
    const storage = new FileSessionStorage("./sessions")
    // --- end ---
    expect(storage.directory).toBe('./sessions');
    expect(await storage.list()).toContain('previous-session-id');
  });

  it.skipIf(redisUrl === undefined)('Custom Storage Examples: Redis Storage, as the backend of sessions', async () => {
    // --- example ---
    class RedisSessionStorage implements SessionStorage {
      private client: ReturnType<typeof createClient>
      private prefix: string

      constructor(redisUrl: string, prefix = "session:") {
        this.client = createClient({ url: redisUrl })
        this.prefix = prefix
      }

      async save(state: SessionState): Promise<void> {
        await this.client.set(
          this.prefix + state.id,
          JSON.stringify(state)
        )
      }

      async load(sessionId: string): Promise<SessionState | undefined> {
        const data = await this.client.get(this.prefix + sessionId)
        return data ? JSON.parse(data) : undefined
      }

      async delete(sessionId: string): Promise<void> {
        await this.client.del(this.prefix + sessionId)
      }

      async list(): Promise<string[]> {
        const keys = await this.client.keys(this.prefix + "*")
        return keys.map(k => k.slice(this.prefix.length))
      }
    }
    // --- end ---
    const prefix = `compat-003-${Date.now()}:`;
    const first = await createSession({ model: 'claude-sonnet-4-20250514', sessionStorage: new RedisSessionStorage(redisUrl!, prefix) });
    await first.send('Remember the invoice number 7731');
    for await (const _event of first.receive());
    await first.close();
    // Another storage object (as after a restart) resumes the session from Redis.
    const resumed = await createSession({ model: 'claude-sonnet-4-20250514', sessionStorage: new RedisSessionStorage(redisUrl!, prefix), resume: first.id });
    await resumed.send('What were we discussing?');
    let answer = '';
    for await (const event of resumed.receive()) if (event.type === 'text') answer += event.text;
    expect(answer).toBe('We discussed: Remember the invoice number 7731');
    expect((await resumed.getMessages()).map((message) => message.content)).toHaveLength(4);
  });

  it('Custom Storage Examples: SQLite Storage, as the backend of sessions', async () => {
    // --- example ---
    class SQLiteSessionStorage implements SessionStorage {
      private db: Database.Database

      constructor(dbPath: string) {
        this.db = new Database(dbPath)
        this.db.exec(`
          CREATE TABLE IF NOT EXISTS sessions (
            id TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            updated_at INTEGER NOT NULL
          )
        `)
      }

      async save(state: SessionState): Promise<void> {
        this.db.prepare(`
          INSERT OR REPLACE INTO sessions (id, state, updated_at)
          VALUES (?, ?, ?)
        `).run(state.id, JSON.stringify(state), Date.now())
      }

      async load(sessionId: string): Promise<SessionState | undefined> {
        const row = this.db.prepare(
          "SELECT state FROM sessions WHERE id = ?"
        ).get(sessionId) as { state: string } | undefined
        return row ? JSON.parse(row.state) : undefined
      }

      async delete(sessionId: string): Promise<void> {
        this.db.prepare("DELETE FROM sessions WHERE id = ?").run(sessionId)
      }

      async list(): Promise<string[]> {
        const rows = this.db.prepare("SELECT id FROM sessions").all() as { id: string }[]
        return rows.map(r => r.id)
      }
    }
    // --- end ---
    const storage = new SQLiteSessionStorage('./custom-sessions.db');
    const session = await createSession({ model: 'claude-sonnet-4-20250514', sessionStorage: storage });
    await session.send('Draft the release notes');
    for await (const _event of session.receive());
    const fork = await forkSession(session.id, { model: 'claude-sonnet-4-20250514', sessionStorage: storage });
    await fork.send('Make them shorter');
    for await (const _event of fork.receive());
    expect((await session.getMessages()).map(messageText)).toEqual(['Draft the release notes', 'Noted: "Draft the release notes" (0 earlier messages from you).']);
    expect((await fork.getMessages()).map(messageText).slice(2)).toEqual(['Make them shorter', 'Noted: "Make them shorter" (1 earlier message from you).']);
  });

  it('Best Practices 1: Use Shared Storage Instance', async () => {
    // --- example: storage.ts ---
    const sessionStorage = new FileSessionStorage("./data/sessions")
    // --- example: app.ts ---
    const session = await createSession({
      sessionStorage,
      // ...
    })
    // --- end ---
    await session.send('hello');
    for await (const _event of session.receive());
    expect(await sessionStorage.list()).toEqual([session.id]);
  });

  it('Best Practices 2: Handle Missing Sessions', async () => {
    const sessionStorage = new MemorySessionStorage();
    const sessionId = 'never-stored';
    // --- example ---
    try {
      const session = await createSession({
        sessionStorage,
        resume: sessionId,
      })
    } catch (error) {
      // @ts-expect-error the document reads `message` from the caught value as it is
      if (error.message.includes("Session not found")) {
        // Start a fresh session instead
        const session = await createSession({ sessionStorage })
      }
    }
    // --- end ---
    expect(sessionStorage.size()).toBe(1);
  });

  it('Best Practices 3: Clean Up Old Sessions', async () => {
    const storage = new FileSessionStorage('./cleanup');
    for (let index = 0; index < 3; index += 1) await (await createSession({ sessionStorage: storage })).close();
    // --- example ---
    async function cleanupOldSessions(storage: FileSessionStorage, maxAgeDays: number) {
      const sessionIds = await storage.list()
      const maxAge = maxAgeDays * 24 * 60 * 60 * 1000

      for (const id of sessionIds) {
        const state = await storage.load(id)
        if (state && Date.now() - state.updatedAt > maxAge) {
          await storage.delete(id)
        }
      }
    }
    // --- end ---
    await cleanupOldSessions(storage, 1);
    expect(await storage.list()).toHaveLength(3);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await cleanupOldSessions(storage, 0);
    expect(await storage.list()).toEqual([]);
  });

  it('builtinTools read, write and list files under the working directory, and refuse a path outside it', async () => {
    const model = new ScriptedLanguageModel({
      turns: [
        { toolCalls: [{ toolName: 'Write', input: { path: 'notes/todo.md', content: '- ship compat\n' } }] },
        { toolCalls: [{ toolName: 'Read', input: { path: 'notes/todo.md' } }, { toolName: 'List', input: { path: 'notes' } }, { toolName: 'Read', input: { path: '../escape.txt' } }] },
        { text: 'done' },
      ],
    });
    const session = await createSession({ model, tools: builtinTools, sessionStorage: new MemorySessionStorage() });
    await session.send('Write and read the notes');
    const results: Array<{ name: string; content: string; is_error: boolean }> = [];
    for await (const event of session.receive()) if (event.type === 'tool_result') results.push({ name: event.name, content: event.content, is_error: event.is_error });
    expect(readFileSync('notes/todo.md', 'utf8')).toBe('- ship compat\n');
    // Tools of one step run side by side: their results come in the order they finish.
    expect(results).toHaveLength(4);
    expect(results).toEqual(
      expect.arrayContaining([
        { name: 'Write', content: 'wrote 14 bytes to notes/todo.md', is_error: false },
        { name: 'Read', content: '- ship compat\n', is_error: false },
        { name: 'List', content: '["todo.md"]', is_error: false },
        { name: 'Read', content: expect.stringContaining('"../escape.txt" is outside the working directory'), is_error: true },
      ]),
    );
  });

  it('API Reference: createSession fork, resumeSession, forkSession, createSessionStorage, setDefaultStorage', async () => {
    const memory = createSessionStorage('memory');
    const file = createSessionStorage('file', { directory: './api-reference' });
    expect(memory).toBeInstanceOf(MemorySessionStorage);
    expect(file).toBeInstanceOf(FileSessionStorage);
    setDefaultStorage(memory);
    const original = await createSession({ model: 'claude-sonnet-4-20250514' });
    await original.send('First point');
    for await (const _event of original.receive());
    const branch = await createSession({ model: 'claude-sonnet-4-20250514', fork: original.id });
    expect(branch.id).not.toBe(original.id);
    const again = await resumeSession(original.id, { model: 'claude-sonnet-4-20250514' });
    expect(again.id).toBe(original.id);
    const other = await forkSession(original.id, { model: 'claude-sonnet-4-20250514' });
    expect((await other.getMessages()).map(messageText)).toEqual((await original.getMessages()).map(messageText));
    await expect(resumeSession('missing-one', { model: 'claude-sonnet-4-20250514' })).rejects.toThrow('Session not found: missing-one');
    setDefaultStorage(new MemorySessionStorage());
  });
});
