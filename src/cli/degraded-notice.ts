/**
 * What the CLI says on stderr about a fallback store: when it starts serving from its journal
 * because the primary is down, when it recovers, and where degraded writes wait. On stderr, so
 * `--json` output stays one clean document; said as soon as it happens, so a person watching a
 * slow command (or a chat) knows at once why it may see less than usual.
 */
import type { FallbackStatus, ReplayReport } from '../driver/degradable.js';
import { plural } from './output.js';

function warn(lines: string[]): void {
  process.stderr.write(lines.map((line) => `${line}\n`).join(''));
}

/** The notice for a store that is (now) degraded. */
export function degradedNotice(backend: string, status: FallbackStatus): string[] {
  const since = status.since === undefined ? '' : ` since ${new Date(status.since).toISOString()}`;
  return [
    `warning: the ${backend} store is unavailable; running degraded${since}.`,
    ...(status.lastError === undefined ? [] : [`  cause: ${status.lastError}`]),
    `  journal: ${plural(status.journalLength, 'unreplayed write')} in ${status.journalLocation}`,
    '  Only sessions this process has seen or written are visible; writes made now are kept in the',
    '  journal and replayed to the store when it answers again (by the next command run with --fallback).',
  ];
}

/** `cause` overrides the status's last error: the reason a recovery just failed says more than the original outage. */
export function reportDegraded(backend: string, status: FallbackStatus | undefined, cause?: unknown): void {
  if (!status?.degraded) return;
  const lastError = cause === undefined ? status.lastError : cause instanceof Error ? cause.message : String(cause);
  warn(degradedNotice(backend, { ...status, ...(lastError === undefined ? {} : { lastError }) }));
}

export function reportRecovered(backend: string, report: ReplayReport): void {
  warn([
    `note: the ${backend} store is back; replayed ${plural(report.entries, 'journal entry', 'journal entries')} to it.`,
    ...report.conflicts.map(
      (conflict) => `  ${conflict.sessionId} changed on the store meanwhile: the writes made while degraded are in its fork ${conflict.forkId}.`,
    ),
    ...report.renamed.map(
      (rename) => `  message ${rename.messageId} of ${rename.sessionId}: the store had that id meanwhile; it is kept as ${rename.renamedTo}.`,
    ),
  ]);
}

/** At the end of a command that wrote while degraded: how much is waiting, and where. */
export function reportPendingJournal(backend: string, status: FallbackStatus | undefined, journalLengthAtStart: number): void {
  if (!status?.degraded || status.journalLength <= journalLengthAtStart) return;
  warn([
    `warning: ${plural(status.journalLength - journalLengthAtStart, 'write')} of this command went to the journal ${status.journalLocation}`,
    `  (${status.journalLength} waiting in all); they reach the ${backend} store when it is back.`,
  ]);
}
