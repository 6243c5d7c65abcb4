/**
 * The live-run phases of one store (see live-runs.ts): follow latency to another process on every
 * store another process can open, and the cost of idle followers on SQLite, the polled default.
 */
import type { Counts } from './configuration.js';
import { followLatency, idleFollowerCost, latencyFigure } from './live-runs.js';
import { inPhase } from './progress.js';
import type { Line } from './report.js';
import type { StoreTarget } from './store-targets.js';

export async function benchLiveRuns(target: StoreTarget, counts: Counts): Promise<{ lines: Line[]; results: Record<string, unknown> }> {
  const lines: Line[] = [];
  const results: Record<string, unknown> = {};
  if (!target.url) return { lines, results };
  const name = target.name;
  const url = target.url('live');
  const store = await target.open('live');
  try {
    const follow = await inPhase(name, `follow latency: ${counts.followEvents} events, recordRunEvents here to a follower in another process`, (phase) =>
      followLatency(store, url, counts.followEvents, phase.advance),
    );
    lines.push({ measure: `follow latency, recordRunEvents to another process (${follow.events} events)`, figure: latencyFigure(follow) });
    results.followLatency = follow;
    if (name === 'sqlite') {
      const idle = await inPhase(name, `${counts.idleFollowers} idle followers in one process, ${counts.idleSeconds} s`, () =>
        idleFollowerCost(store, url, counts.idleFollowers, counts.idleSeconds),
      );
      lines.push({
        measure: `${idle.followers} idle followers (runs recording nothing), CPU of their process`,
        figure: `${idle.cpuPercentOfCore.toFixed(1)}% of a core above an idle process (${idle.baselineCpuPercentOfCore.toFixed(1)}%)`,
      });
      results.idleFollowers = idle;
    }
  } finally {
    await store.close();
  }
  return { lines, results };
}
