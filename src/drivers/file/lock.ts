/**
 * The commit lock: one writer at a time in the whole store directory, across processes.
 *
 * Across processes it is `proper-lockfile`: the lock is the directory `commit.lock`, created with
 * `mkdir` (atomic on every local and network file system). The holder refreshes its mtime every
 * `lockStaleMs / 2`; a lock whose mtime is older than `lockStaleMs` (default 4 s, at least 2 s)
 * belongs to a dead process (killed with SIGKILL, or a machine that went away) and is taken over.
 * A process that exits normally or on a signal it can catch removes its lock at once. A writer
 * waiting for the lock polls it every 2 to 40 ms (jittered, growing) and gives up with an error
 * after `lockStaleMs + 5 s`, by which time a dead holder's lock has been taken over.
 *
 * Inside one process, every `FileDriver` on the same directory first queues on an in-memory mutex:
 * waiting there costs nothing, whereas waiting on the lock directory means polling it, and
 * proper-lockfile keeps one record per lock path per process, which two holders in one process
 * would share.
 *
 * Mkdir locks with stale detection have one known limit: if two processes decide at the same
 * instant that a dead holder's lock is stale, both may take it. That needs a crash and a race
 * within microseconds; the holder is also told when its lock was taken from it (`onCompromised`),
 * and a commit whose lock was compromised stops before its commit point.
 */
import { mkdirSync, realpathSync, rmdirSync, statSync, utimesSync } from 'node:fs';
import lockfile from 'proper-lockfile';

// Well under the core's 10 s deadline, so a writer queued behind a dead holder still gets through in time.
export const DEFAULT_LOCK_STALE_MS = 4_000;
/** proper-lockfile's floor: below it, a busy event loop could let a live holder look dead. */
export const MINIMUM_LOCK_STALE_MS = 2_000;

/** What the work done under the lock can ask of it. */
export interface HeldLock {
  /** Throws if another process took the lock meanwhile: writing on would race with it. */
  assertStillHeld(): void;
}

/**
 * The file system calls proper-lockfile makes (it takes any `fs` with these methods), made
 * synchronously: each is a single metadata operation of microseconds, where a trip through libuv's
 * thread pool costs far more, and the lock is taken and released on every commit. Callbacks still
 * run asynchronously, as proper-lockfile expects.
 */
function synchronously<Result>(operation: () => Result, callback: (error: Error | null, result?: Result) => void): void {
  let result: Result;
  try {
    result = operation();
  } catch (error) {
    process.nextTick(callback, error as Error);
    return;
  }
  process.nextTick(callback, null, result);
}

const lockFileSystem = {
  mkdir: (path: string, callback: (error: Error | null) => void) => synchronously(() => mkdirSync(path), callback),
  stat: (path: string, callback: (error: Error | null, stats?: ReturnType<typeof statSync>) => void) => synchronously(() => statSync(path), callback),
  rmdir: (path: string, callback: (error: Error | null) => void) => synchronously(() => rmdirSync(path), callback),
  utimes: (path: string, accessed: Date, modified: Date, callback: (error: Error | null) => void) =>
    synchronously(() => utimesSync(path, accessed, modified), callback),
  realpath: (path: string, callback: (error: Error | null, resolved?: string) => void) => synchronously(() => realpathSync(path), callback),
  rmdirSync,
};

/** One queue per store directory per process, shared by every driver on it. */
const processQueues = new Map<string, { tail: Promise<void>; users: number }>();

export class CommitLock {
  private readonly queueKey: string;

  constructor(
    private readonly root: string,
    private readonly lockDirectory: string,
    private readonly staleMs: number,
    private readonly onWarning: (message: string) => void,
  ) {
    this.queueKey = realpathSync(root);
  }

  /** Runs `work` holding the lock, and releases it however `work` ends. */
  async run<Result>(work: (held: HeldLock) => Promise<Result>): Promise<Result> {
    return this.inProcessQueue(async () => {
      let compromised: Error | undefined;
      const release = await this.acquire((error) => {
        compromised = error;
        this.onWarning(`FileDriver: the lock ${this.lockDirectory} was taken over by another process while held (${error.message}).`);
      });
      const held: HeldLock = {
        assertStillHeld: () => {
          if (compromised) {
            throw new Error(`FileDriver: the lock ${this.lockDirectory} was lost while committing; the commit was abandoned.`, {
              cause: compromised,
            });
          }
        },
      };
      try {
        return await work(held);
      } finally {
        // A compromised lock is no longer ours: releasing it would remove the new holder's lock.
        if (!compromised) {
          await release().catch((error: unknown) => {
            this.onWarning(`FileDriver: could not release the lock ${this.lockDirectory}: ${String(error)}`);
          });
        }
      }
    });
  }

  private async acquire(onCompromised: (error: Error) => void): Promise<() => Promise<void>> {
    // Long enough to outlast a dead holder's lock (it turns stale, then is taken over) and then some.
    const waitMs = this.staleMs + 5_000;
    const deadline = Date.now() + waitMs;
    // Polled here rather than with proper-lockfile's `retries`, which precomputes and sorts every
    // delay of the whole wait on each call: a cost paid on every commit for a wait that is rare.
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await lockfile.lock(this.root, {
          lockfilePath: this.lockDirectory,
          realpath: false,
          fs: lockFileSystem,
          stale: this.staleMs,
          retries: 0,
          onCompromised,
        });
      } catch (error) {
        if ((error as NodeJS.ErrnoException | undefined)?.code !== 'ELOCKED') throw error;
        if (Date.now() >= deadline) {
          throw new Error(
            `FileDriver: another process held the lock ${this.lockDirectory} for more than ${waitMs} ms ` +
              `(a live lock is refreshed; a dead one turns stale after ${this.staleMs} ms).`,
            { cause: error },
          );
        }
        // Short, jittered polls: a commit holds the lock for milliseconds.
        const delay = Math.min(2 * 1.3 ** attempt, 40) * (0.5 + Math.random());
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Serialises work on this directory within the process, in arrival order. */
  private async inProcessQueue<Result>(work: () => Promise<Result>): Promise<Result> {
    let entry = processQueues.get(this.queueKey);
    if (!entry) {
      entry = { tail: Promise.resolve(), users: 0 };
      processQueues.set(this.queueKey, entry);
    }
    entry.users += 1;
    const previous = entry.tail;
    let done: () => void = () => {};
    const mine = new Promise<void>((resolve) => (done = resolve));
    entry.tail = previous.then(() => mine);
    await previous;
    try {
      return await work();
    } finally {
      done();
      entry.users -= 1;
      if (entry.users === 0) processQueues.delete(this.queueKey);
    }
  }
}

/** The stale time to use: the caller's, or the default, never below proper-lockfile's floor. */
export function lockStaleTime(requested: number | undefined): number {
  if (requested === undefined) return DEFAULT_LOCK_STALE_MS;
  if (!Number.isFinite(requested) || requested <= 0) {
    throw new Error(`FileDriver: lockStaleMs must be a positive number of milliseconds, got ${String(requested)}.`);
  }
  return Math.max(MINIMUM_LOCK_STALE_MS, Math.round(requested));
}
