/**
 * The slice of better-sqlite3's API the driver uses, declared structurally so a caller can hand in a
 * `Database` they already opened (with their own options or a patched build) without this module
 * naming better-sqlite3's types in its public signature.
 */

export interface SqliteRunResult {
  changes: number;
}

export interface SqliteStatementLike {
  run(...parameters: unknown[]): SqliteRunResult;
  get(...parameters: unknown[]): unknown;
  all(...parameters: unknown[]): unknown[];
  /** Rows as arrays of values instead of objects (the message pages use it: a resume reads 10,000 rows). */
  raw(toggle?: boolean): SqliteStatementLike;
}

/** A function wrapped by `database.transaction(...)`: `immediate` takes the write lock up front. */
export interface SqliteTransactionLike<Arguments extends unknown[], Result> {
  (...parameters: Arguments): Result;
  immediate(...parameters: Arguments): Result;
}

export interface BetterSqliteDatabaseLike {
  prepare(source: string): SqliteStatementLike;
  exec(source: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  transaction<Arguments extends unknown[], Result>(
    body: (...parameters: Arguments) => Result,
  ): SqliteTransactionLike<Arguments, Result>;
  close(): unknown;
}

export type SqliteDurability = 'durable' | 'relaxed';

/** `FULL` syncs the WAL on every commit (survives power loss); `NORMAL` syncs only at checkpoints (survives a process crash). */
const synchronousModes: Record<SqliteDurability, string> = { durable: 'FULL', relaxed: 'NORMAL' };

export const defaultBusyTimeoutMs = 10_000;

/**
 * Set the connection up for several writers and the chosen durability. PRAGMA values cannot be bound
 * parameters, so each value comes from a fixed map or is checked to be a plain integer first.
 */
export function configureConnection(
  database: BetterSqliteDatabaseLike,
  settings: { durability: SqliteDurability; busyTimeoutMs: number },
): void {
  const synchronous = Object.hasOwn(synchronousModes, settings.durability)
    ? synchronousModes[settings.durability]
    : undefined;
  if (synchronous === undefined) {
    throw new Error(`SqliteDriver: durability must be 'durable' or 'relaxed', got ${String(settings.durability)}.`);
  }
  if (!Number.isSafeInteger(settings.busyTimeoutMs) || settings.busyTimeoutMs < 0) {
    throw new Error(`SqliteDriver: busyTimeoutMs must be a non-negative integer, got ${String(settings.busyTimeoutMs)}.`);
  }
  // The busy timeout comes first: switching to WAL needs a lock another process may hold.
  database.pragma(`busy_timeout = ${settings.busyTimeoutMs}`);
  // WAL lets readers run while one process writes; `:memory:` databases answer 'memory', which is fine.
  // SQLite answers SQLITE_BUSY at once, without calling the busy handler, when two connections switch
  // a new file to WAL together (each holds a shared lock the other's switch needs), so retry it here.
  retryWhileBusy(() => database.pragma('journal_mode = WAL'), settings.busyTimeoutMs);
  database.pragma(`synchronous = ${synchronous}`);
}

/**
 * Run a step that can fail with SQLITE_BUSY without SQLite waiting on its own, retrying with a short
 * randomized pause (so competing processes fall out of step) until `timeoutMs` has passed. The pause
 * blocks the thread: this runs while a driver is constructed, which is synchronous like better-sqlite3.
 */
export function retryWhileBusy<Result>(step: () => Result, timeoutMs: number): Result {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    try {
      return step();
    } catch (error) {
      if (!isBusyError(error) || Date.now() >= giveUpAt) throw error;
      sleepSync(Math.min(5 + Math.random() * 20, Math.max(1, giveUpAt - Date.now())));
    }
  }
}

function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

function sleepSync(milliseconds: number): void {
  Atomics.wait(sleepCell, 0, 0, milliseconds);
}

/** An error that names the file: better-sqlite3's own (`file is not a database`) does not say which. */
export function openingError(path: string, error: unknown): Error {
  if (error instanceof Error && error.message.startsWith('SqliteDriver:')) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`SqliteDriver: cannot open the database "${path}": ${reason}`, { cause: error });
}
