/**
 * What a bench run does, from the environment:
 *
 *   BENCH_QUICK=1              smaller counts, for a smoke run (the ratios are noisier)
 *   BENCH_STORES=sqlite,redis  only these stores (default: every store)
 *   BENCH_DIR=/path            where the SQLite and file stores live (default: the OS temp dir)
 *   BENCH_PHASES=compaction    only these phases: core (append, fork, rewind, reads, throughput),
 *                              list, sqlite, compaction, live (follow latency, idle followers), search,
 *                              filestore (fork from the middle, list flatness), checkpoint (default: every phase)
 */
export const STORE_NAMES = ['memory', 'sqlite', 'file', 'postgres', 'redis'] as const;
export type StoreName = (typeof STORE_NAMES)[number];

export interface Counts {
  /** The deep history: messages in the deep session of every depth comparison, and in the resumed session. */
  deep: number;
  /** Appends timed at each depth. */
  appends: number;
  /** Forks timed at each depth. */
  forks: number;
  /** Rewinds timed at each depth (each rewinds by one message, then one is appended back, untimed). */
  rewinds: number;
  /** Full reads (resume) timed. */
  reads: number;
  /** `last: 50` pages timed. */
  pages: number;
  /** Sessions in the store that `list` picks the 20 most recent from. */
  listSessions: number;
  /** `list` calls timed. */
  listCalls: number;
  /** Appends timed for each kind of writer (1 writer, 8 sessions, 8 writers on one session), split over rounds. */
  throughputAppends: number;
  /** Rounds the throughput blocks are interleaved over (each round runs every kind once). */
  throughputRounds: number;
  /** Messages in the long session of the token-window and compaction phase. */
  compactionDepth: number;
  /** Messages in the short session compaction is compared with. */
  compactionShallow: number;
  /** Compactions timed at each length (interleaved), and token windows timed cold and warm. */
  compactionRounds: number;
  /** Events timed from `recordRunEvents` to a follower in another process. */
  followEvents: number;
  /** Idle followers whose cost is measured (SQLite), and for how many seconds. */
  idleFollowers: number;
  idleSeconds: number;
  /** Messages the search phase writes (the stores that scan write at most 10,000). */
  searchMessages: number;
  searchMessagesPerSession: number;
  /** Times each kind of query is timed. */
  searchQueries: number;
  /** File store: forks from the middle timed at each depth, each by a freshly opened store. */
  fileForks: number;
  /** File store: `list` calls timed at each number of sessions. */
  fileListCalls: number;
  /** Checkpoints of the 10,000-file workspace timed (SQLite and file stores). */
  checkpoints: number;
}

const FULL: Counts = {
  deep: 10_000,
  appends: 500,
  forks: 500,
  rewinds: 500,
  reads: 20,
  pages: 100,
  listSessions: 10_000,
  listCalls: 20,
  throughputAppends: 2_000,
  throughputRounds: 10,
  compactionDepth: 100_000,
  compactionShallow: 1_000,
  compactionRounds: 30,
  followEvents: 300,
  idleFollowers: 100,
  idleSeconds: 10,
  searchMessages: 100_000,
  searchMessagesPerSession: 100,
  searchQueries: 50,
  fileForks: 200,
  fileListCalls: 100,
  checkpoints: 30,
};

const QUICK: Counts = {
  deep: 2_000,
  appends: 100,
  forks: 50,
  rewinds: 50,
  reads: 5,
  pages: 20,
  listSessions: 1_000,
  listCalls: 5,
  throughputAppends: 200,
  throughputRounds: 5,
  compactionDepth: 10_000,
  compactionShallow: 1_000,
  compactionRounds: 10,
  followEvents: 60,
  idleFollowers: 100,
  idleSeconds: 3,
  searchMessages: 10_000,
  searchMessagesPerSession: 100,
  searchQueries: 20,
  fileForks: 20,
  fileListCalls: 20,
  checkpoints: 5,
};

export interface Configuration {
  quick: boolean;
  counts: Counts;
  stores: StoreName[];
  /** Parent of the run's temporary directory. */
  directory: string | undefined;
  phases: PhaseName[];
}

export const PHASE_NAMES = ['core', 'list', 'sqlite', 'compaction', 'live', 'search', 'filestore', 'checkpoint'] as const;
export type PhaseName = (typeof PHASE_NAMES)[number];

function selectedPhases(value: string | undefined): PhaseName[] {
  if (value === undefined || value.trim() === '') return [...PHASE_NAMES];
  const names = value.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '');
  const unknown = names.filter((name) => !(PHASE_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`BENCH_PHASES names unknown phase(s) ${unknown.join(', ')}; choose from ${PHASE_NAMES.join(', ')}.`);
  return PHASE_NAMES.filter((name) => names.includes(name));
}

function isStoreName(value: string): value is StoreName {
  return (STORE_NAMES as readonly string[]).includes(value);
}

/** The stores named in BENCH_STORES, in the canonical order; a misspelt name stops the run before anything starts. */
function selectedStores(value: string | undefined): StoreName[] {
  if (value === undefined || value.trim() === '') return [...STORE_NAMES];
  const names = value.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '');
  const unknown = names.filter((name) => !isStoreName(name));
  if (unknown.length > 0) {
    throw new Error(`BENCH_STORES names unknown store(s) ${unknown.join(', ')}; choose from ${STORE_NAMES.join(', ')}.`);
  }
  return STORE_NAMES.filter((name) => names.includes(name));
}

export function readConfiguration(environment: NodeJS.ProcessEnv = process.env): Configuration {
  const quick = environment.BENCH_QUICK === '1';
  return {
    quick,
    counts: quick ? QUICK : FULL,
    stores: selectedStores(environment.BENCH_STORES),
    directory: environment.BENCH_DIR,
    phases: selectedPhases(environment.BENCH_PHASES),
  };
}
