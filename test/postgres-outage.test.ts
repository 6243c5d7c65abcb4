/**
 * A PostgreSQL outage seen through a store: a PRIVATE server (so stopping it disturbs no other test)
 * is stopped, killed, or frozen under a store with a 1.5 s deadline. Every call must fail with
 * StoreUnavailableError within the deadline (plus a margin: a correctness bound, not a benchmark),
 * never hang; once the server is back the same store object works again and every acknowledged
 * message is still there.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadlineExceededError } from '../src/driver/deadline.js';
import { PostgresDriver } from '../src/drivers/postgres/driver.js';
import { SessionStore, StoreUnavailableError } from '../src/index.js';
import type { Session, StoredMessage } from '../src/index.js';
import { conversation } from '../src/testing/helpers.js';
import { postgresAvailable, startPostgres, type PostgresServer } from './servers/postgres.js';

const deadlineMs = 1_500;
const marginMs = 1_000;
const tablePrefix = `outage_${randomBytes(5).toString('hex')}_`;

/** Runs the call and returns its error, failing the test unless it is StoreUnavailableError within deadline + margin. */
async function unavailableInTime(label: string, call: () => Promise<unknown>): Promise<StoreUnavailableError> {
  const started = performance.now();
  const error: unknown = await call().then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  const elapsed = performance.now() - started;
  expect(StoreUnavailableError.isInstance(error), `${label}: expected StoreUnavailableError, got ${String(error)}`).toBe(true);
  expect(elapsed, `${label} took ${Math.round(elapsed)} ms`).toBeLessThan(deadlineMs + marginMs);
  return error as StoreUnavailableError;
}

/** Every kind of store call, each against the session that existed before the outage. */
function storeCalls(store: SessionStore, session: Session, anchor: StoredMessage): Array<[string, () => Promise<unknown>]> {
  return [
    ['get', () => store.get(session.id)],
    ['append', () => store.append(session.id, { role: 'user', content: 'during the outage' })],
    ['getMessages', () => store.getMessages(session.id)],
    ['getMessages last', () => store.getMessages(session.id, { last: 2 })],
    ['list', () => store.list({ userId: 'outage-user' })],
    ['create', () => store.create({ userId: 'outage-user' })],
    ['fork', () => store.fork(session.id, { fromMessage: anchor.id })],
    ['update', () => store.update(session.id, { metadata: { during: true } })],
    ['touch', () => store.touch(session.id)],
    ['branches', () => store.branches(session.id)],
  ];
}

/** The postmaster and its backends, found from a backend's parent: to freeze the whole server. */
function serverProcesses(postmaster: number): number[] {
  const processes = [postmaster];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === postmaster) processes.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return processes;
}

/** Sends a signal, ignoring a process that has ended meanwhile (a backend whose client just left). */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

if (!postgresAvailable()) {
  // Under CI=true the global setup fails the run when PostgreSQL is missing, so this never passes silently there.
  describe.skip('postgres outage (SKIPPED: PostgreSQL 15 is not installed; apt-get install -y postgresql)', () => {
    it('needs PostgreSQL', () => {});
  });
} else {
  describe('postgres outage', () => {
    let server: PostgresServer;
    beforeAll(async () => {
      server = await startPostgres();
    });
    afterAll(async () => {
      await server?.destroy();
    });

    async function openStore(): Promise<SessionStore> {
      const driver = await PostgresDriver.connect({ connectionString: server.url, tablePrefix, connectionTimeoutMs: 1_000 });
      return SessionStore.fromDriver(driver, { deadlineMs });
    }

    /** A session with acknowledged messages, and a pool holding several idle connections for the outage to break. */
    async function prepare(store: SessionStore): Promise<{ session: Session; acknowledged: StoredMessage[] }> {
      const session = await store.create({ userId: 'outage-user' });
      const acknowledged = [
        ...(await store.append(session.id, conversation('before', 3))),
        ...(await store.append(session.id, conversation('also before', 2))),
      ];
      await Promise.all([store.get(session.id), store.getMessages(session.id), store.list({ userId: 'outage-user' })]);
      return { session, acknowledged };
    }

    async function expectWorkingAgain(store: SessionStore, session: Session, acknowledged: StoredMessage[]): Promise<void> {
      const appended = await store.append(session.id, { role: 'user', content: 'after the outage' });
      const ids = (await store.getMessages(session.id)).map((message) => message.id);
      expect(ids).toEqual([...acknowledged, ...appended].map((message) => message.id));
      expect((await store.get(session.id))?.messageCount).toBe(acknowledged.length + 1);
      const fork = await store.fork(session.id);
      expect((await store.getMessages(fork.id)).map((message) => message.id)).toEqual(ids);
    }

    const interruptions: Array<[string, (target: PostgresServer) => Promise<void>]> = [
      ['stopped', (target) => target.stop()],
      ['killed with SIGKILL', (target) => target.kill()],
    ];
    for (const [how, interrupt] of interruptions) {
      it(`fails every call within the deadline while the server is ${how}, and the same store works when it is back`, async () => {
        const store = await openStore();
        try {
          const { session, acknowledged } = await prepare(store);
          const anchor = acknowledged[1];
          if (anchor === undefined) throw new Error('no anchor message');
          await interrupt(server);
          try {
            // Twice: the first round meets the broken pooled connections, the second only new attempts.
            for (const round of [1, 2]) {
              for (const [label, call] of storeCalls(store, session, anchor)) {
                const error = await unavailableInTime(`${label} (round ${round})`, call);
                // A refused connection is recognised by the driver at once, not left to the deadline.
                expect(error.cause, label).not.toBeInstanceOf(DeadlineExceededError);
              }
            }
          } finally {
            await server.start();
          }
          await expectWorkingAgain(store, session, acknowledged);
        } finally {
          await store.close();
        }
      });
    }

    it('fails every call within the deadline while the server is frozen (SIGSTOP), and recovers after SIGCONT', async () => {
      const store = await openStore();
      const frozen: number[] = [];
      try {
        const { session, acknowledged } = await prepare(store);
        const anchor = acknowledged[1];
        if (anchor === undefined) throw new Error('no anchor message');
        const processes = serverProcesses(await postmasterPid(server.url));
        for (const pid of processes) {
          signal(pid, 'SIGSTOP');
          frozen.push(pid);
        }
        try {
          // A frozen server accepts TCP connections and answers nothing: only timeouts can end a call.
          for (const [label, call] of storeCalls(store, session, anchor)) await unavailableInTime(label, call);
        } finally {
          for (const pid of frozen.splice(0)) signal(pid, 'SIGCONT');
        }
        // Writes that timed out may still have been applied after SIGCONT (a deadline says nothing of
        // the outcome), so only the acknowledged messages are certain: they must be there, in order.
        const appended = await store.append(session.id, { role: 'user', content: 'after the thaw' });
        const ids = (await store.getMessages(session.id)).map((message) => message.id);
        expect(ids.slice(0, acknowledged.length)).toEqual(acknowledged.map((message) => message.id));
        expect(ids.at(-1)).toBe(appended[0]?.id);
      } finally {
        for (const pid of frozen) signal(pid, 'SIGCONT');
        await store.close();
      }
    });
  });
}

/** The postmaster's pid: the parent of the backend serving a connection, read while it is open. */
async function postmasterPid(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return parentOf(Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid));
  } finally {
    await client.end();
  }
}
