/**
 * Append throughput under concurrency, from one process: one writer on one session; 16 writers on
 * 16 sessions at once (Promise.all), which a store can overlap (a connection pool, pipelining,
 * group commit: issue 18 asks SQLite for at least 4x the one writer's rate); and 8 writers on ONE session without `expectedVersion`, where every append must
 * still land exactly once, so the store serialises them (conflicts are retried), which is what a
 * chat with several tools writing at once costs. Each call appends one message and is durable
 * before it returns.
 *
 * The three kinds run in interleaved blocks, round after round (the kind that goes first rotates),
 * so machine drift touches all three alike, as the depth ratios do. A collection runs between
 * blocks, untimed. Afterwards every session is read back: none lost, none duplicated.
 */
import type { SessionStore } from '../src/index.js';
import { collectGarbage, timeOnce } from './measure.js';
import { sampleMessage, type OnProgress } from './workload.js';

export const WRITERS = 8;
/** Sessions written at once in the many-sessions kind (issue 18's server with many chats). */
export const SESSIONS = 16;
const WARM_UP_PER_WRITER = 1;

export interface Throughput {
  /** Appends made by this kind in all rounds. */
  appends: number;
  /** Appends per second. */
  perSecond: number;
}

export interface ConcurrencyThroughput {
  oneWriter: Throughput;
  manySessions: Throughput;
  eightWritersOneSession: Throughput;
  /** 16 sessions / 1 writer: above 1 when the store overlaps independent writes. */
  sessionsRatio: number;
  /** 8 writers on one session / 1 writer: below 1 when contention costs retries. */
  oneSessionRatio: number;
}

async function appendMany(store: SessionStore, sessionId: string, count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) await store.append(sessionId, sampleMessage(index));
}

export async function concurrencyThroughput(store: SessionStore, appends: number, rounds: number, onProgress?: OnProgress): Promise<ConcurrencyThroughput> {
  const perWriter = Math.max(1, Math.round(appends / rounds / SESSIONS));
  const single = (await store.create()).id;
  const separate = await Promise.all(Array.from({ length: SESSIONS }, async () => (await store.create()).id));
  const shared = (await store.create()).id;
  const kinds = [
    (count: number) => appendMany(store, single, count * SESSIONS),
    (count: number) => Promise.all(separate.map((id) => appendMany(store, id, count))),
    (count: number) => Promise.all(Array.from({ length: WRITERS }, () => appendMany(store, shared, (count * SESSIONS) / WRITERS))),
  ];
  // One untimed append per writer first: the first concurrent calls open the pool's connections
  // (PostgreSQL) and compile code paths, a cost of starting that belongs to no kind.
  for (const kind of kinds) await kind(WARM_UP_PER_WRITER);
  const elapsed = [0, 0, 0];
  for (let round = 0; round < rounds; round += 1) {
    for (let step = 0; step < kinds.length; step += 1) {
      const kind = (round + step) % kinds.length;
      collectGarbage();
      elapsed[kind]! += await timeOnce(() => kinds[kind]!(perWriter));
    }
    onProgress?.(round + 1, rounds);
  }
  const perSession = perWriter * rounds + WARM_UP_PER_WRITER;
  // Every kind writes the same number of appends: one session takes them all, 16 share them.
  await assertNoneLost(store, [single, shared], perSession * SESSIONS);
  await assertNoneLost(store, separate, perSession);
  const total = perWriter * SESSIONS * rounds;
  const rate = (milliseconds: number): Throughput => ({ appends: total, perSecond: total / (milliseconds / 1000) });
  const [oneWriter, manySessions, eightWritersOneSession] = elapsed.map(rate) as [Throughput, Throughput, Throughput];
  return {
    oneWriter,
    manySessions,
    eightWritersOneSession,
    sessionsRatio: manySessions.perSecond / oneWriter.perSecond,
    oneSessionRatio: eightWritersOneSession.perSecond / oneWriter.perSecond,
  };
}

/** A throughput figure means nothing if appends went missing: check every session holds what was written. */
async function assertNoneLost(store: SessionStore, sessionIds: string[], expected: number): Promise<void> {
  for (const id of sessionIds) {
    const session = await store.get(id);
    if (session?.messageCount !== expected) {
      throw new Error(`session ${id} holds ${session?.messageCount} messages after the throughput run, expected ${expected}`);
    }
    const stored = await store.getMessages(id);
    if (stored.length !== expected || new Set(stored.map((message) => message.id)).size !== expected) {
      throw new Error(`session ${id} reads back ${stored.length} messages after the throughput run, expected ${expected} distinct`);
    }
  }
}
