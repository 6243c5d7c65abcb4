/**
 * Live runs across real processes, on SQLite, PostgreSQL and Redis: followers started before, during
 * and after a run each see every event exactly once and in order; a follower killed with SIGKILL and
 * restarted from its last seq misses nothing; `cancelRun` from another process stops a run within a
 * second; a writer killed mid-run ends its followers once the run reads `interrupted`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SessionStore } from '../../src/index.js';
import { spawnAgentChild, type AgentChild } from './agent-spawn.js';
import { durableStores } from './durable-stores.js';

const children: AgentChild[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.child.kill('SIGKILL');
});

function spawn(script: 'live-run-writer.ts' | 'live-run-follower.ts', args: string[]): AgentChild {
  const child = spawnAgentChild(`./${script}`, args);
  children.push(child);
  return child;
}

/** The seqs a follower printed, in order. */
function seqsOf(child: AgentChild): number[] {
  return child.lines.filter((line) => line.startsWith('event ')).map((line) => Number(line.split(' ')[1]));
}

async function until(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function withStore<Result>(url: string, work: (store: SessionStore) => Promise<Result>): Promise<Result> {
  const store = await SessionStore.open(url);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

const stores = durableStores().filter((store) => store.name !== 'file');

describe.each(stores)('$name: live runs across processes', ({ newUrl }) => {
  it('gives followers started before, during and after a run every event exactly once, in order', async () => {
    const url = newUrl();
    const session = await withStore(url, (store) => store.create());
    const writer = spawn('live-run-writer.ts', [url, session.id, 'events']);
    const runId = (await writer.lineStartingWith('run ')).slice('run '.length);
    const before = spawn('live-run-follower.ts', [url, runId, '0']);
    await before.lineStartingWith('following');
    writer.child.stdin.write('go\n');
    await until(() => writer.lines.filter((line) => line.startsWith('recorded ')).length >= 12, 'the writer to be well into its run');
    // Live, not at the end: the first follower has the first batches while the writer is still writing.
    await until(() => seqsOf(before).length >= 30, 'the first follower to see 30 events');
    expect(writer.lines).not.toContain('done completed');
    const during = spawn('live-run-follower.ts', [url, runId, '0']);
    expect(await writer.exited).toBe(0);
    const after = spawn('live-run-follower.ts', [url, runId, '0']);
    for (const follower of [before, during, after]) expect(await follower.exited, follower.stderr.join('')).toBe(0);

    const stored = await withStore(url, (store) => store.runEvents(runId));
    expect(stored).toHaveLength(91);
    const everySeq = stored.map((event) => event.seq);
    for (const follower of [before, during, after]) {
      expect(seqsOf(follower)).toEqual(everySeq);
      expect(follower.lines.filter((line) => line.startsWith('event ')).map((line) => line.split(' ')[2])).toEqual(stored.map((event) => event.type));
      expect(follower.lines.at(-1)).toMatch(/^end (running|completed)$/);
    }
  });

  it('lets a follower killed with SIGKILL resume from its last seq in a new process, missing nothing', async () => {
    const url = newUrl();
    const session = await withStore(url, (store) => store.create());
    const writer = spawn('live-run-writer.ts', [url, session.id, 'events']);
    const runId = (await writer.lineStartingWith('run ')).slice('run '.length);
    const first = spawn('live-run-follower.ts', [url, runId, '0']);
    await first.lineStartingWith('following');
    writer.child.stdin.write('go\n');
    await until(() => seqsOf(first).length >= 20, 'the first follower to see 20 events');
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const seen = seqsOf(first);
    const last = seen.at(-1)!;
    const second = spawn('live-run-follower.ts', [url, runId, String(last)]);
    expect(await writer.exited).toBe(0);
    expect(await second.exited, second.stderr.join('')).toBe(0);
    const all = [...seen, ...seqsOf(second)];
    expect(all).toEqual(Array.from({ length: 91 }, (_, index) => index + 1));
  });

  it('stops a run within a second when another process cancels it, keeping what it wrote', async () => {
    const url = newUrl();
    const session = await withStore(url, (store) => store.create());
    const writer = spawn('live-run-writer.ts', [url, session.id, 'agent']);
    const runId = (await writer.lineStartingWith('run ')).slice('run '.length);
    await withStore(url, async (store) => {
      // Let it write some text first.
      const deadline = Date.now() + 20_000;
      while ((await store.runEvents(runId)).filter((event) => event.type === 'text-delta').length < 3) {
        if (Date.now() > deadline) throw new Error('the run wrote no text');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const askedAt = Date.now();
      await store.cancelRun(runId, { reason: 'from another process' });
      expect(await writer.lineStartingWith('done ')).toBe('done cancelled');
      expect(Date.now() - askedAt).toBeLessThan(1_000);
      const run = await store.getRun(runId);
      expect(run).toMatchObject({ status: 'cancelled', error: { message: 'The run was cancelled: from another process' } });
      const events = await store.runEvents(runId);
      expect(events.at(-1)).toMatchObject({ type: 'run-end', data: { status: 'cancelled' } });
      expect(events.filter((event) => event.type === 'text-delta').length).toBeGreaterThanOrEqual(3);
      expect((await store.getMessages(session.id)).map((message) => message.role)).toEqual(['user']);
    });
    expect(await writer.exited).toBe(0);
  });

  it('ends the followers of a run whose writer was killed once the run reads interrupted', async () => {
    const url = newUrl();
    const staleRunMs = '1500';
    const session = await withStore(url, (store) => store.create());
    const writer = spawn('live-run-writer.ts', [url, session.id, 'hang', staleRunMs]);
    const runId = (await writer.lineStartingWith('run ')).slice('run '.length);
    const follower = spawn('live-run-follower.ts', [url, runId, '0', staleRunMs]);
    await until(() => seqsOf(follower).length === 2, 'the follower to catch up');
    writer.child.kill('SIGKILL');
    const killedAt = Date.now();
    expect(await follower.exited, follower.stderr.join('')).toBe(0);
    expect(Date.now() - killedAt).toBeLessThan(Number(staleRunMs) + 3_000);
    expect(follower.lines.at(-1)).toBe('end interrupted');
  });
});
