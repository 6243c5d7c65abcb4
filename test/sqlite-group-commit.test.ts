/**
 * SQLite group commit (src/drivers/sqlite/group-commit.ts): sessions writing at once in one process
 * share one transaction and one fsync; each append is acknowledged only after that transaction's
 * COMMIT returned, a failing batch fails alone, and a writer process killed with SIGKILL mid-stream
 * loses no acknowledged append.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { BetterSqliteDatabaseLike } from '../src/drivers/sqlite/database.js';
import { SqliteDriver } from '../src/drivers/sqlite/driver.js';
import { InvalidArgumentError, SessionStore } from '../src/index.js';

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function temporaryPath(name: string): string {
  const directory = mkdtempSync(join(tmpdir(), 'sessionloom-group-'));
  directories.push(directory);
  return join(directory, name);
}

/**
 * A better-sqlite3 database whose write transactions say into `events` when one returns (`commit`:
 * its COMMIT, and with it the fsync, done). The driver uses it as it would any database it is handed.
 */
function recordingDatabase(path: string, events: string[]): { database: BetterSqliteDatabaseLike; raw: Database.Database } {
  const raw = new Database(path);
  const database: BetterSqliteDatabaseLike = {
    prepare: (source) => raw.prepare(source),
    exec: (source) => raw.exec(source),
    pragma: (source, options) => raw.pragma(source, options),
    close: () => raw.close(),
    transaction: (body) => {
      const transaction = raw.transaction(body as (...parameters: unknown[]) => unknown);
      const wrapped = Object.assign((...parameters: unknown[]) => transaction(...parameters), {
        immediate: (...parameters: unknown[]) => {
          const result = transaction.immediate(...parameters);
          events.push('commit');
          return result;
        },
      });
      return wrapped as never;
    },
  };
  return { database, raw };
}

/** A store on a recording database (see above), with what it records. */
function recordedStore(name: string): { store: SessionStore; events: string[]; close: () => Promise<void> } {
  const events: string[] = [];
  const path = temporaryPath(name);
  const { database, raw } = recordingDatabase(path, events);
  const store = SessionStore.fromDriver(new SqliteDriver({ path, database }));
  return {
    store,
    events,
    close: async () => {
      await store.close();
      raw.close();
    },
  };
}

describe('SQLite group commit', () => {
  it('commits 16 sessions appending at once in one transaction, acknowledging each after it', async () => {
    const { store, events, close } = recordedStore('group.db');
    try {
      const sessions = await Promise.all(Array.from({ length: 16 }, () => store.create()));
      events.length = 0;
      await Promise.all(
        sessions.map(async (session, index) => {
          await store.append(session.id, [
            { role: 'user', content: `question ${index}` },
            { role: 'assistant', content: `answer ${index}` },
          ]);
          events.push(`ack ${index}`);
        }),
      );
      // One transaction for the 16 appends, every acknowledgement after it returned.
      expect(events[0]).toBe('commit');
      expect(events.filter((event) => event.startsWith('commit'))).toEqual(['commit']);
      expect(events.slice(1).sort()).toEqual(sessions.map((_, index) => `ack ${index}`).sort());
      for (const [index, session] of sessions.entries()) {
        expect((await store.getMessages(session.id)).map((message) => message.content)).toEqual([`question ${index}`, `answer ${index}`]);
      }
    } finally {
      await close();
    }
  });

  it('fails only the append whose batch fails; the others in its group are committed', async () => {
    const { store, events, close } = recordedStore('failure.db');
    try {
      const taken = await store.create();
      await store.append(taken.id, { id: 'msg-taken', role: 'user', content: 'first' });
      const sessions = await Promise.all(Array.from({ length: 8 }, () => store.create()));
      events.length = 0;
      const outcomes = await Promise.allSettled(
        sessions.map((session, index) =>
          store.append(session.id, { ...(index === 3 ? { id: 'msg-taken' } : {}), role: 'user', content: `from ${index}` }),
        ),
      );
      expect(events.filter((event) => event.startsWith('commit'))).toEqual(['commit']);
      outcomes.forEach((outcome, index) => expect(outcome.status).toBe(index === 3 ? 'rejected' : 'fulfilled'));
      expect((outcomes[3] as PromiseRejectedResult).reason).toBeInstanceOf(InvalidArgumentError);
      for (const [index, session] of sessions.entries()) {
        const stored = await store.getMessages(session.id);
        expect(stored.map((message) => message.content)).toEqual(index === 3 ? [] : [`from ${index}`]);
        expect((await store.get(session.id))?.messageCount).toBe(index === 3 ? 0 : 1);
      }
    } finally {
      await close();
    }
  });

  it('keeps every session exact when several writers share sessions inside groups', async () => {
    const path = temporaryPath('shared.db');
    const store = SessionStore.sqlite(path);
    try {
      const sessions = await Promise.all(Array.from({ length: 4 }, () => store.create()));
      // Four writers per session, 16 at once: groups hold version conflicts, which retry.
      await Promise.all(
        Array.from({ length: 16 }, async (_, writer) => {
          for (let turn = 0; turn < 5; turn += 1) await store.append(sessions[writer % 4]!.id, { role: 'user', content: `${writer}:${turn}` });
        }),
      );
      for (const [index, session] of sessions.entries()) {
        const contents = (await store.getMessages(session.id)).map((message) => String(message.content));
        expect(contents.sort()).toEqual(
          [0, 1, 2, 3].flatMap((group) => Array.from({ length: 5 }, (_, turn) => `${index + 4 * group}:${turn}`)).sort(),
        );
      }
    } finally {
      await store.close();
    }
  });

  it('loses no acknowledged append when the writing process is killed with SIGKILL mid-group', async () => {
    const path = temporaryPath('killed.db');
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const acks = await writeUntilKilled(path, 150 + attempt * 120);
      const store = SessionStore.sqlite(path);
      try {
        for (const [sessionId, count] of acks) {
          const stored = await store.getMessages(sessionId);
          // Every acknowledged turn is there, in order; at most the group in flight beyond it.
          expect(stored.length).toBeGreaterThanOrEqual(2 * count);
          expect(stored.slice(0, 2 * count).map((message) => message.content)).toEqual(
            Array.from({ length: count }, (_, turn) => [`q ${turn}`, `a ${turn}`]).flat(),
          );
          expect((await store.get(sessionId))?.messageCount).toBe(stored.length);
        }
      } finally {
        await store.close();
      }
    }
  }, 60_000);
});

/**
 * A real process appending turns to 16 sessions at once, printing each append once acknowledged;
 * killed with SIGKILL after `killAfter` acknowledgements. Answers how many turns each session had
 * acknowledged.
 */
async function writeUntilKilled(path: string, killAfter: number): Promise<Map<string, number>> {
  const source = `
    const { SessionStore } = await import(${JSON.stringify(pathToFileURL(join(repositoryRoot, 'src/index.ts')).href)});
    const store = SessionStore.sqlite(process.env.DATABASE_PATH);
    const sessions = await Promise.all(Array.from({ length: 16 }, () => store.create()));
    await Promise.all(sessions.map(async (session) => {
      for (let turn = 0; ; turn += 1) {
        await store.append(session.id, [{ role: 'user', content: 'q ' + turn }, { role: 'assistant', content: 'a ' + turn }]);
        process.stdout.write('ack ' + session.id + ' ' + turn + '\\n');
      }
    }));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', source], {
    cwd: repositoryRoot,
    env: { ...process.env, DATABASE_PATH: path },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acks = new Map<string, number>();
  let seen = 0;
  const stderr: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<string | number>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code ?? -1)));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [, sessionId, turn] = line.split(' ');
      if (sessionId === undefined || turn === undefined) return;
      // Each session's turns are acknowledged in order: the count is the last turn plus one.
      acks.set(sessionId, Number(turn) + 1);
      seen += 1;
      if (seen === killAfter) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    void exited.then((code) => reject(new Error(`writer exited (${code}) before ${killAfter} acknowledgements: ${stderr.join('')}`)));
  });
  expect(await exited).toBe('SIGKILL');
  return acks;
}
