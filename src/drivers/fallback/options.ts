/**
 * The fallback's options, checked at construction: a bad value (`fallback: 'in-memory'`, a negative
 * `probeIntervalMs`) is an `InvalidArgumentError` naming the option, before anything is opened.
 */
import { DEFAULT_DEADLINE_MS } from '../../driver/deadline.js';
import type { ReplayConflict, ReplayReport } from '../../driver/degradable.js';
import { InvalidArgumentError } from '../../errors.js';

export interface FallbackOptions {
  /** Where degraded writes are journaled: an SQLite journal in `directory` (default: under the OS temp dir), or `memory` (lost if the process dies). */
  fallback?: 'sqlite' | 'memory' | { directory: string };
  /** Called once per outage, with the error that started it. */
  onFallback?: (error: unknown) => void;
  /** Called when the journal has been replayed and the primary serves again. */
  onRecover?: (report: ReplayReport) => void;
  /** Called for each session whose degraded writes became a fork because it changed on both sides. */
  onConflict?: (conflict: ReplayConflict) => void;
  /** How often to check whether the primary is back (default 1000 ms). */
  probeIntervalMs?: number;
  /** Deadline for each primary call before falling back (default: the store's deadline, 10 s). */
  primaryDeadlineMs?: number;
  /** Sessions remembered for reads during an outage (default 1000), and newest messages per segment (default 200). */
  cacheSessions?: number;
  cacheMessagesPerSegment?: number;
  clock?: () => number;
}

/** Where the journal lives, as chosen. */
export type JournalChoice = { kind: 'memory' } | { kind: 'sqlite'; directory?: string };

/** The options with their defaults filled in. */
export interface ResolvedFallbackOptions {
  journal: JournalChoice;
  onFallback: (error: unknown) => void;
  onRecover: (report: ReplayReport) => void;
  onConflict: (conflict: ReplayConflict) => void;
  probeIntervalMs: number;
  primaryDeadlineMs: number;
  cacheSessions: number;
  cacheMessagesPerSegment: number;
  clock: () => number;
}

const OPTION_NAMES = new Set<string>([
  'fallback',
  'onFallback',
  'onRecover',
  'onConflict',
  'probeIntervalMs',
  'primaryDeadlineMs',
  'cacheSessions',
  'cacheMessagesPerSegment',
  'clock',
]);

/**
 * A callback that cannot break the store: one that throws must not turn a call served during an
 * outage into a failed call, nor leave a finished replay looking unfinished. Its error is dropped.
 */
function notification<Value>(handler: ((value: Value) => void) | undefined): (value: Value) => void {
  return (value) => {
    try {
      handler?.(value);
    } catch {
      // the handler's own failure is its own business
    }
  };
}

export function resolveFallbackOptions(options: unknown): ResolvedFallbackOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError({ argument: 'fallback options', message: 'expected an object.' });
  }
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!OPTION_NAMES.has(key) && given[key] !== undefined) {
      throw new InvalidArgumentError({ argument: `fallback option "${key}"`, message: `there is no such option (known: ${[...OPTION_NAMES].join(', ')}).` });
    }
  }
  return {
    journal: journalChoice(given.fallback),
    onFallback: notification(callback(given.onFallback, 'onFallback')),
    onRecover: notification(callback(given.onRecover, 'onRecover')),
    onConflict: notification(callback(given.onConflict, 'onConflict')),
    probeIntervalMs: positiveMilliseconds(given.probeIntervalMs, 'probeIntervalMs') ?? 1000,
    primaryDeadlineMs: positiveMilliseconds(given.primaryDeadlineMs, 'primaryDeadlineMs') ?? DEFAULT_DEADLINE_MS,
    cacheSessions: count(given.cacheSessions, 'cacheSessions') ?? 1000,
    cacheMessagesPerSegment: count(given.cacheMessagesPerSegment, 'cacheMessagesPerSegment') ?? 200,
    clock: callback(given.clock, 'clock') ?? Date.now,
  };
}

function journalChoice(value: unknown): JournalChoice {
  if (value === undefined || value === 'sqlite') return { kind: 'sqlite' };
  if (value === 'memory') return { kind: 'memory' };
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const directory = (value as { directory?: unknown }).directory;
    if (typeof directory === 'string' && directory.length > 0 && !directory.includes('\0')) return { kind: 'sqlite', directory };
    throw new InvalidArgumentError({ argument: 'fallback option "fallback"', message: 'expected { directory } with a non-empty directory path.' });
  }
  throw new InvalidArgumentError({
    argument: 'fallback option "fallback"',
    message: `expected 'sqlite', 'memory' or { directory: string }, got ${JSON.stringify(value) ?? String(value)}.`,
  });
}

function callback<Fn>(value: unknown, name: string): Fn | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new InvalidArgumentError({ argument: `fallback option "${name}"`, message: `expected a function, got ${typeof value}.` });
  return value as Fn;
}

function positiveMilliseconds(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  // setInterval and setTimeout clamp anything past 2^31 - 1 ms to 1 ms, which would turn a long interval into a busy loop.
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 2 ** 31 - 1) {
    throw new InvalidArgumentError({ argument: `fallback option "${name}"`, message: `expected milliseconds greater than 0 and at most 2147483647, got ${String(value)}.` });
  }
  return value;
}

function count(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError({ argument: `fallback option "${name}"`, message: `expected a whole number (0 or more), got ${String(value)}.` });
  }
  return value;
}
