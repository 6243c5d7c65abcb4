/**
 * `store.pendingApprovals()` with no session or run named: 10,000 sessions of which a handful have a
 * run waiting for approval. Before `hasLiveRuns` it read every session in scope; now it reads the
 * few the index holds. Prints the median of repeated calls, unscoped and for one user (20 users).
 * Run: `npx tsx bench/pending-approvals.ts [sqlite|postgres|redis] [sessions] [waiting]` (PostgreSQL
 * and Redis on private servers, as the bench starts them).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { StorageDriver } from '../src/driver/driver.js';
import { PostgresDriver } from '../src/drivers/postgres/driver.js';
import { RedisDriver } from '../src/drivers/redis/driver.js';
import { SqliteDriver } from '../src/drivers/sqlite/driver.js';
import { SessionStore } from '../src/index.js';
import { startServer, type BenchServer } from './servers.js';

const kind = process.argv[2] ?? 'sqlite';
const sessions = Number(process.argv[3] ?? 10_000);
const waiting = Number(process.argv[4] ?? 5);
const USERS = 20;

async function median(repeat: number, call: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let index = 0; index < repeat; index++) {
    const start = performance.now();
    await call();
    times.push(performance.now() - start);
  }
  times.sort((left, right) => left - right);
  return times[Math.floor(times.length / 2)]!;
}

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-pending-bench-'));
let server: BenchServer | undefined;
async function openDriver(): Promise<StorageDriver> {
  if (kind === 'sqlite') return new SqliteDriver({ path: join(directory, 'bench.db') });
  if (kind !== 'postgres' && kind !== 'redis') throw new Error(`unknown store ${kind}: sqlite, postgres or redis`);
  const started = await startServer(kind);
  if (!('url' in started)) throw new Error(`no ${kind} server here: ${started.missing}`);
  server = started;
  return kind === 'postgres' ? PostgresDriver.connect({ connectionString: started.url }) : RedisDriver.connect({ url: started.url });
}
const store = SessionStore.fromDriver(await openDriver());
try {
  for (let index = 0; index < sessions; index++) {
    const session = await store.create({ userId: `user-${index % USERS}`, messages: [{ role: 'user', content: `hello ${index}` }] });
    if (index % Math.floor(sessions / waiting) !== 0) continue;
    const run = await store.startRun(session.id, { agentName: 'bench' });
    await store.awaitApproval(run.id, { approvals: [{ approvalId: `approval-${index}`, toolCallId: `call-${index}`, toolName: 'refund', input: {}, step: 1 }] });
  }
  const found = (await store.pendingApprovals()).length;
  if (found !== waiting) throw new Error(`expected ${waiting} pending requests, found ${found}`);
  await median(3, () => store.pendingApprovals());
  const all = await median(15, () => store.pendingApprovals());
  const one = await median(15, () => store.pendingApprovals({ userId: 'user-0' }));
  console.log(`${kind}, ${sessions} sessions, ${found} waiting: pendingApprovals() ${all.toFixed(2)} ms, pendingApprovals({ userId }) ${one.toFixed(2)} ms (median of 15)`);
} finally {
  await store.close();
  await server?.destroy();
  rmSync(directory, { recursive: true, force: true });
}
