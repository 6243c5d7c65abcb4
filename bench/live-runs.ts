/**
 * Live runs: how long an event takes from `recordRunEvents` in this process to a follower in another
 * process (p50/p95), and what 100 idle followers cost (CPU of the process holding them, over a
 * baseline process with the store open and nothing followed).
 *
 * Latency: the follower prints each seq the moment it arrives; the time runs from just before
 * `recordRunEvents` to reading that line here (so it includes the write itself and a pipe hop of a
 * few microseconds). Events are recorded one at a time, a random 0-150 ms apart (longer than a poll),
 * so a polled store's latency samples every phase of its poll rather than locking onto one.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { SessionStore } from '../src/index.js';
import { formatMs, summarise, type Summary } from './measure.js';

const followerScript = fileURLToPath(new URL('./live-follower.ts', import.meta.url));

export interface FollowLatency {
  events: number;
  latency: Summary;
}

export interface IdleFollowerCost {
  followers: number;
  seconds: number;
  /** Extra CPU of the followers' process, in percent of one core, over the baseline's. */
  cpuPercentOfCore: number;
  baselineCpuPercentOfCore: number;
}

function follower(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', followerScript, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, lines, exited, stderr: () => stderr };
}

/** A session with a running run in it, for followers to watch. */
async function runningRun(store: SessionStore): Promise<string> {
  const session = await store.create();
  return (await store.startRun(session.id, { agentName: 'bench' })).id;
}

export async function followLatency(store: SessionStore, url: string, events: number, advance: (done: number, total: number) => void): Promise<FollowLatency> {
  const runId = await runningRun(store);
  const child = follower(['ack', url, runId]);
  const arrivals = new Map<number, number>();
  let waiting: { seq: number; resolve: () => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    child.lines.on('line', (line) => {
      if (line === 'following') return resolve();
      const seq = Number(line);
      arrivals.set(seq, performance.now());
      if (waiting?.seq === seq) waiting.resolve();
    });
    void child.exited.then((code) => reject(new Error(`the follower exited (${code}): ${child.stderr()}`)));
  });
  await ready;
  // Let the follower subscribe (LISTEN, SUBSCRIBE, or its first poll) before the clock starts.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const samples: number[] = [];
  for (let seq = 1; seq <= events; seq += 1) {
    const arrived = new Promise<void>((resolve) => (waiting = { seq, resolve }));
    const sent = performance.now();
    await store.recordRunEvents(runId, [{ type: 'text-delta', data: { text: `token ${seq} ` } }]);
    if (!arrivals.has(seq)) await arrived;
    samples.push(arrivals.get(seq)! - sent);
    advance(seq, events);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 150));
  }
  await store.recordRunEvents(runId, [{ type: 'run-end' }]);
  await store.finishRun(runId, { status: 'completed' });
  await child.exited;
  return { events, latency: summarise(samples) };
}

/** CPU of a process following `count` idle runs for `seconds`, and of one following none. */
export async function idleFollowerCost(store: SessionStore, url: string, count: number, seconds: number): Promise<IdleFollowerCost> {
  const runIds: string[] = [];
  for (let index = 0; index < count; index += 1) runIds.push(await runningRun(store));
  const measure = async (mode: 'idle' | 'baseline') => {
    const child = follower([mode, url, runIds.join(','), String(seconds)]);
    let report = '';
    child.lines.on('line', (line) => (report = line));
    if ((await child.exited) !== 0) throw new Error(`the ${mode} follower failed: ${child.stderr()}`);
    const { cpuMs, elapsedMs } = JSON.parse(report) as { cpuMs: number; elapsedMs: number };
    return (cpuMs / elapsedMs) * 100;
  };
  const baseline = await measure('baseline');
  const idle = await measure('idle');
  for (const runId of runIds) await store.finishRun(runId, { status: 'completed' });
  return { followers: count, seconds, cpuPercentOfCore: idle - baseline, baselineCpuPercentOfCore: baseline };
}

export function latencyFigure(result: FollowLatency): string {
  return `p50 ${formatMs(result.latency.median)}, p95 ${formatMs(result.latency.p95)}, mean ${formatMs(result.latency.mean)}`;
}
