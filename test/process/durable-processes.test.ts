/**
 * Process-level promises on every durable store: several processes appending to one session lose
 * and duplicate nothing, and a writer killed with SIGKILL mid-stream loses none of the appends it
 * acknowledged, and leaves the store healthy.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SessionStore } from '../../src/index.js';
import { durableStores } from './durable-stores.js';
import { acknowledged, spawnWriter, type Writer } from './spawn.js';

const writers: Writer[] = [];

afterEach(() => {
  for (const writer of writers.splice(0)) writer.child.kill('SIGKILL');
});

async function withStore<Result>(url: string, action: (store: SessionStore) => Promise<Result>): Promise<Result> {
  const store = await SessionStore.open(url);
  try {
    return await action(store);
  } finally {
    await store.close();
  }
}

describe.each(durableStores())('$name store across processes', ({ newUrl, verifyIntegrity }) => {
  it('keeps every append of 4 concurrent writer processes exactly once, each writer in its own order', async () => {
    const url = newUrl();
    const session = await withStore(url, (store) => store.create());
    const perWriter = 40;
    const names = ['w0', 'w1', 'w2', 'w3'];
    const started = names.map((name) => spawnWriter(url, session.id, name, perWriter));
    writers.push(...started);
    await Promise.all(started.map((writer) => writer.ready));
    for (const writer of started) writer.child.stdin.write('go\n');
    const codes = await Promise.all(started.map((writer) => writer.exited));
    expect(codes, started.flatMap((writer) => writer.stderr).join('\n')).toEqual([0, 0, 0, 0]);

    await withStore(url, async (store) => {
      const stored = await store.getMessages(session.id);
      const contents = stored.map((message) => String(message.content));
      expect(contents).toHaveLength(names.length * perWriter);
      expect(new Set(contents).size).toBe(contents.length);
      for (const name of names) {
        const mine = contents.filter((content) => content.startsWith(`${name}:`));
        expect(mine).toEqual(Array.from({ length: perWriter }, (_, index) => `${name}:${index}`));
      }
      // Every acknowledged id is the id stored for that content.
      const idByContent = new Map(stored.map((message) => [String(message.content), message.id]));
      for (const writer of started) {
        for (const ack of acknowledged(writer)) expect(idByContent.get(ack.content)).toBe(ack.id);
      }
      const after = await store.get(session.id);
      expect(after?.messageCount).toBe(names.length * perWriter);
      expect(after?.version).toBe(1 + names.length * perWriter);
    });
  });

  it('loses no acknowledged append when the writer is killed with SIGKILL mid-stream, and stays healthy', async () => {
    const url = newUrl();
    const session = await withStore(url, (store) => store.create());
    const writer = spawnWriter(url, session.id, 'crash', 0);
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

    await withStore(url, async (store) => {
      const stored = await store.getMessages(session.id);
      const storedContents = stored.map((message) => String(message.content));
      // Every acknowledged append is there, in order; at most the one in flight beyond them.
      expect(storedContents.slice(0, acks.length)).toEqual(acks.map((ack) => ack.content));
      expect(stored.length - acks.length).toBeLessThanOrEqual(1);
      expect((await store.get(session.id))?.messageCount).toBe(stored.length);
      // Healthy: it accepts writes and reads them back.
      await store.append(session.id, { role: 'user', content: 'after the crash' });
      expect((await store.getMessages(session.id, { last: 1 }))[0]?.content).toBe('after the crash');
    });
    verifyIntegrity?.(url);
  });
});
