/**
 * The fallback store against real Redis and PostgreSQL servers that are stopped (clean shutdown)
 * and killed (SIGKILL) and restarted at random points of 500-append conversations: every
 * acknowledged append is on the primary afterwards, in order, exactly once; no call takes longer
 * than its deadline plus a margin. Then the same with the writing process itself killed during the
 * outage and restarted, and with two processes degraded at once, each replaying its own journal.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SessionStore } from '../src/index.js';
import { postgresAvailable, startPostgres } from './servers/postgres.js';
import { redisAvailable, startRedis } from './servers/redis.js';
import { spawnFallbackWriter, acknowledgedContents, type FallbackWriter } from './process/fallback-spawn.js';

interface ControlledServer {
  url: string;
  stop(): Promise<void>;
  kill(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

interface Backend {
  name: 'redis' | 'postgres';
  available: boolean;
  startServer(): Promise<ControlledServer>;
  /** A URL for a fresh, empty store on that server. */
  storeUrl(serverUrl: string): string;
}

const backends: Backend[] = [
  {
    name: 'redis',
    available: redisAvailable(),
    startServer: startRedis,
    storeUrl: (serverUrl) => `${serverUrl}?keyPrefix=fallback:${randomUUID().slice(0, 8)}:`,
  },
  {
    name: 'postgres',
    available: postgresAvailable(),
    startServer: startPostgres,
    storeUrl: (serverUrl) => `${serverUrl}?tablePrefix=fallback_${randomUUID().slice(0, 8)}_`,
  },
];

const SCHEDULES_PER_BACKEND = 10;
const APPENDS_PER_SCHEDULE = 500;
const PRIMARY_DEADLINE_MS = 1000;
/** Slack over the deadline for a call that also writes the journal (an fsync) on a loaded machine. */
const MARGIN_MS = 1500;

/** A small seeded generator, so a failing schedule can be replayed from the seed in its name. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

interface Outage {
  /** The append index at which the server goes down. */
  downAt: number;
  /** The append index at which it is started again. */
  upAt: number;
  how: 'stop' | 'kill';
}

function scheduleFor(seed: number): Outage[] {
  const random = seededRandom(seed);
  const outages: Outage[] = [];
  let cursor = 10 + Math.floor(random() * 100);
  const count = 1 + Math.floor(random() * 2);
  for (let index = 0; index < count && cursor < APPENDS_PER_SCHEDULE - 30; index += 1) {
    const length = 5 + Math.floor(random() * 80);
    outages.push({ downAt: cursor, upAt: Math.min(cursor + length, APPENDS_PER_SCHEDULE - 1), how: random() < 0.5 ? 'stop' : 'kill' });
    cursor += length + 20 + Math.floor(random() * 150);
  }
  return outages;
}

const directories: string[] = [];
function journalDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'sessionloom-fallback-journal-'));
  directories.push(directory);
  return directory;
}
afterAll(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

async function waitUntilRecovered(store: SessionStore): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (store.isDegraded()) {
    if (Date.now() > deadline) throw new Error(`still degraded after 60 s: ${JSON.stringify(store.status())}`);
    await store.recover().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function contentsOnPrimary(url: string, sessionId: string): Promise<string[]> {
  const direct = await SessionStore.open(url);
  try {
    return (await direct.getMessages(sessionId)).map((message) => String(message.content));
  } finally {
    await direct.close();
  }
}

const totals = { schedules: 0, appendsChecked: 0, slowestCallMs: 0 };
afterAll(() => {
  if (totals.schedules > 0) {
    console.log(
      `fallback outage schedules: ${totals.schedules} run, ${totals.appendsChecked} acknowledged appends checked, ` +
        `slowest call ${totals.slowestCallMs.toFixed(0)} ms (primary deadline ${PRIMARY_DEADLINE_MS} ms)`,
    );
  }
});

describe.each(backends)('fallback over a real $name server', (backend) => {
  let server: ControlledServer;
  const writers: FallbackWriter[] = [];

  beforeAll(async () => {
    if (!backend.available) return;
    server = await backend.startServer();
  }, 120_000);
  afterAll(async () => {
    await server?.destroy();
  });
  afterEach(() => {
    for (const writer of writers.splice(0)) writer.child.kill('SIGKILL');
  });

  const seeds = Array.from({ length: SCHEDULES_PER_BACKEND }, (_, index) => 1000 * (backend.name === 'redis' ? 1 : 2) + index);

  it.skipIf(!backend.available).each(seeds)(
    'schedule %i: loses and duplicates no acknowledged append of 500 through random stops and kills',
    async (seed) => {
      const outages = scheduleFor(seed);
      const url = backend.storeUrl(server.url);
      const primary = await SessionStore.open(url, { connect: false });
      const store = SessionStore.fallback(primary, {
        fallback: { directory: journalDirectory() },
        probeIntervalMs: 100,
        primaryDeadlineMs: PRIMARY_DEADLINE_MS,
      });
      try {
        const session = await store.create();
        const acknowledged: string[] = [];
        let serverChange: Promise<void> = Promise.resolve();
        let slowest = 0;
        for (let index = 0; index < APPENDS_PER_SCHEDULE; index += 1) {
          for (const outage of outages) {
            // Not awaited: the server goes down or comes back while appends are in flight.
            if (outage.downAt === index) serverChange = serverChange.then(() => (outage.how === 'kill' ? server.kill() : server.stop()));
            if (outage.upAt === index) serverChange = serverChange.then(() => server.start());
          }
          const content = `append ${index}`;
          const startedAt = performance.now();
          await store.append(session.id, { role: 'user', content });
          slowest = Math.max(slowest, performance.now() - startedAt);
          acknowledged.push(content);
        }
        await serverChange;
        await waitUntilRecovered(store);
        const stored = await contentsOnPrimary(url, session.id);
        expect(stored).toEqual(acknowledged);
        expect(slowest).toBeLessThan(PRIMARY_DEADLINE_MS + MARGIN_MS);
        totals.schedules += 1;
        totals.appendsChecked += acknowledged.length;
        totals.slowestCallMs = Math.max(totals.slowestCallMs, slowest);
      } finally {
        await store.close();
      }
    },
    180_000,
  );

  it.skipIf(!backend.available)('keeps the journal of a writer killed during the outage; the restarted writer replays it', async () => {
    const url = backend.storeUrl(server.url);
    const session = await (async () => {
      const direct = await SessionStore.open(url);
      try {
        return await direct.create();
      } finally {
        await direct.close();
      }
    })();
    const journal = journalDirectory();
    const first = spawnFallbackWriter(url, journal, session.id, 'w', 0, 0);
    writers.push(first);
    await first.ready;
    first.child.stdin.write('go\n');
    await first.waitForAcks(30);
    await server.stop();
    const before = acknowledgedContents(first).length;
    await first.waitForAcks(before + 40); // appends acknowledged while degraded, in the journal only
    first.child.kill('SIGKILL');
    await first.exited;

    // Restarted while the primary is still down: it serves from the journal and keeps writing.
    const second = spawnFallbackWriter(url, journal, session.id, 'v', 0, 20);
    writers.push(second);
    await second.ready;
    expect(second.lines[0]).toBe('ready degraded');
    second.child.stdin.write('go\n');
    await second.waitForAcks(20);
    await server.start();
    expect(await second.exited).toBe(0);
    expect(second.lines).toContain('recovered');

    const stored = await contentsOnPrimary(url, session.id);
    const firstAcks = acknowledgedContents(first);
    const secondAcks = acknowledgedContents(second);
    // The first writer's acknowledged appends, in order (its one in-flight append may have been journaled too), then the second's.
    expect(stored.slice(0, firstAcks.length)).toEqual(firstAcks);
    const inFlight = stored.length - firstAcks.length - secondAcks.length;
    expect(inFlight === 0 || inFlight === 1).toBe(true);
    expect(stored.slice(stored.length - secondAcks.length)).toEqual(secondAcks);
    expect(new Set(stored).size).toBe(stored.length);
  });

  it.skipIf(!backend.available)('lets two processes degraded at once each replay their own journal', async () => {
    const url = backend.storeUrl(server.url);
    const direct = await SessionStore.open(url);
    const [left, right] = [await direct.create(), await direct.create()];
    await direct.close();
    const journal = journalDirectory(); // shared directory: each process takes its own journal slot
    const pair = [spawnFallbackWriter(url, journal, left.id, 'l', 0, 0), spawnFallbackWriter(url, journal, right.id, 'r', 0, 0)];
    writers.push(...pair);
    await Promise.all(pair.map((writer) => writer.ready));
    for (const writer of pair) writer.child.stdin.write('go\n');
    await Promise.all(pair.map((writer) => writer.waitForAcks(10)));
    await server.kill();
    await Promise.all(pair.map((writer) => writer.waitForLine('degraded')));
    const acknowledgedAtOutage = pair.map((writer) => acknowledgedContents(writer).length);
    await Promise.all(pair.map((writer, index) => writer.waitForAcks(acknowledgedAtOutage[index]! + 25)));
    await server.start();
    for (const writer of pair) writer.child.stdin.write('stop\n');
    expect(await Promise.all(pair.map((writer) => writer.exited))).toEqual([0, 0]);
    expect(await contentsOnPrimary(url, left.id)).toEqual(acknowledgedContents(pair[0]!));
    expect(await contentsOnPrimary(url, right.id)).toEqual(acknowledgedContents(pair[1]!));
    for (const writer of pair) expect(writer.lines).toContain('recovered');
  });
});
