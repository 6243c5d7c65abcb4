/**
 * The runs in flight on a session, as its record lists them (`SessionRecord.liveRuns`): what makes
 * "one run at a time" and "cancel from any process" compare-and-set writes on the session's
 * version. Two processes starting a run at once both read the session at one version; the second
 * commit fails, re-reads, and finds the first run in flight.
 *
 * An entry outlives its run when the writer died (it never finished the run): whoever next changes
 * the list drops entries whose run no longer reads as `running`.
 */
import type { LiveRunEntry, RunCapableDriver, RunRecord, SessionRecord } from '../driver/driver.js';
import type { StoreContext } from './context.js';

/** A `running` run whose writer has been silent for `staleRunMs` reads as `interrupted` (see runs.ts). */
export function readsAsStale(context: StoreContext, run: RunRecord): boolean {
  return run.status === 'running' && context.now() - (run.lastActiveAt ?? run.startedAt) > context.staleRunMs;
}

/**
 * The session's entries whose run is still in progress (running and not stale, or waiting for a
 * person's approval: a new run would write past the pending tool calls), not finished, not deleted.
 */
export async function runningEntries(context: StoreContext, driver: RunCapableDriver, session: SessionRecord): Promise<LiveRunEntry[]> {
  const entries = session.liveRuns ?? [];
  const runs = await Promise.all(entries.map((entry) => driver.getRun(entry.runId)));
  return entries.filter((_, index) => {
    const run = runs[index];
    return run !== undefined && ((run.status === 'running' && !readsAsStale(context, run)) || run.status === 'awaiting-approval');
  });
}

/** The record with its list of live runs replaced (the field left out when the list is empty). */
export function withLiveRuns(record: SessionRecord, entries: LiveRunEntry[]): SessionRecord {
  const { liveRuns: _previous, ...rest } = record;
  return entries.length === 0 ? rest : { ...rest, liveRuns: entries };
}

/** The cancel request recorded for a run, if any. */
export function cancelRequestOf(session: SessionRecord | undefined, runId: string): LiveRunEntry['cancel'] {
  return session?.liveRuns?.find((entry) => entry.runId === runId)?.cancel;
}
