/**
 * Process-level promises on SQLite: several processes appending to one session lose and duplicate
 * nothing, and a writer killed with SIGKILL mid-stream loses none of the appends it acknowledged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionStore } from '../../src/index.js';
import { acknowledged, spawnWriter, type Writer } from './spawn.js';

const directories: string[] = [];
const writers: Writer[] = [];

function temporaryDatabase(): string {
  const directory = mkdtempSync(join(tmpdir(), 'sessionloom-process-'));
  directories.push(directory);
  return join(directory, 'sessions.db');
}

afterEach(() => {
  for (const writer of writers.splice(0)) writer.child.kill('SIGKILL');
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

async function contentsOf(path: string, sessionId: string): Promise<string[]> {
  const store = SessionStore.sqlite(path);
  try {
    return (await store.getMessages(sessionId)).map((message) => String(message.content));
  } finally {
    await store.close();
  }
}

describe('SQLite across processes', () => {
  it('keeps every append of 4 concurrent writer processes exactly once, each writer in its own order', async () => {
    const path = temporaryDatabase();
    const setup = SessionStore.sqlite(path);
    const session = await setup.create();
    await setup.close();

    const perWriter = 40;
    const names = ['w0', 'w1', 'w2', 'w3'];
    for (const name of names) writers.push(spawnWriter(path, session.id, name, perWriter));
    await Promise.all(writers.map((writer) => writer.ready));
    for (const writer of writers) writer.child.stdin.write('go\n');
    const codes = await Promise.all(writers.map((writer) => writer.exited));
    expect(codes, writers.flatMap((writer) => writer.stderr).join('\n')).toEqual([0, 0, 0, 0]);

    const contents = await contentsOf(path, session.id);
    expect(contents).toHaveLength(names.length * perWriter);
    expect(new Set(contents).size).toBe(contents.length);
    for (const name of names) {
      const mine = contents.filter((content) => content.startsWith(`${name}:`));
      expect(mine).toEqual(Array.from({ length: perWriter }, (_, index) => `${name}:${index}`));
    }
    // Every acknowledged id is the id stored for that content.
    const store = SessionStore.sqlite(path);
    const stored = await store.getMessages(session.id);
    const idByContent = new Map(stored.map((message) => [String(message.content), message.id]));
    for (const writer of writers) {
      for (const ack of acknowledged(writer)) expect(idByContent.get(ack.content)).toBe(ack.id);
    }
    const after = await store.get(session.id);
    expect(after?.messageCount).toBe(names.length * perWriter);
    expect(after?.version).toBe(1 + names.length * perWriter);
    await store.close();
  });

  it('loses no acknowledged append when the writer is killed with SIGKILL mid-stream, and stays healthy', async () => {
    const path = temporaryDatabase();
    const setup = SessionStore.sqlite(path);
    const session = await setup.create();
    await setup.close();

    const writer = spawnWriter(path, session.id, 'crash', 0);
    writers.push(writer);
    await writer.ready;
    writer.child.stdin.write('go\n');
    // Kill once it is well into its stream, at whatever point of an append it happens to be.
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (acknowledged(writer).length >= 60) {
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    writer.child.kill('SIGKILL');
    expect(await writer.exited).toBe('SIGKILL');
    const acks = acknowledged(writer);

    const store = SessionStore.sqlite(path);
    const stored = await store.getMessages(session.id);
    const storedContents = stored.map((message) => String(message.content));
    // Every acknowledged append is there, in order; at most the one in flight beyond them.
    expect(storedContents.slice(0, acks.length)).toEqual(acks.map((ack) => ack.content));
    expect(stored.length - acks.length).toBeLessThanOrEqual(1);
    const reopened = await store.get(session.id);
    expect(reopened?.messageCount).toBe(stored.length);

    // Healthy: it accepts writes and passes SQLite's own integrity check.
    await store.append(session.id, { role: 'user', content: 'after the crash' });
    expect((await store.getMessages(session.id, { last: 1 }))[0]?.content).toBe('after the crash');
    await store.close();
    const database = new Database(path, { readonly: true });
    expect(database.pragma('integrity_check', { simple: true })).toBe('ok');
    database.close();
  });
});
