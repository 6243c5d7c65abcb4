/**
 * `--fallback` (or SESSIONLOOM_FALLBACK=1): the command's store wrapped in `SessionStore.fallback`,
 * so the CLI still answers what it can while the primary (Redis, PostgreSQL) is down, and says so.
 * The primary is opened without connecting: a down primary must not stop the CLI from starting.
 */
import type { Command } from 'commander';
import { SessionStore } from '../session-store.js';
import { reportDegraded, reportPendingJournal, reportRecovered } from './degraded-notice.js';

export const FALLBACK_ENVIRONMENT_VARIABLE = 'SESSIONLOOM_FALLBACK';

/** Journal length when each fallback store was opened, to tell at the end what this command added. */
const journalLengthAtOpen = new WeakMap<SessionStore, number>();

/** `--fallback`, else `$SESSIONLOOM_FALLBACK` set to 1 (or true). */
export function wantsFallback(command: Command): boolean {
  if (command.optsWithGlobals<{ fallback?: boolean }>().fallback === true) return true;
  const fromEnvironment = process.env[FALLBACK_ENVIRONMENT_VARIABLE]?.trim().toLowerCase();
  return fromEnvironment === '1' || fromEnvironment === 'true';
}

export async function openFallbackStore(url: string): Promise<SessionStore> {
  const primary = await SessionStore.open(url, { connect: false });
  const backend = primary.backend;
  // `store` is assigned before any call can fail over, so the callbacks always see it.
  const store: SessionStore = SessionStore.fallback(primary, {
    onFallback: () => reportDegraded(backend, store.status()),
    onRecover: (report) => reportRecovered(backend, report),
  });
  if (store.isDegraded()) {
    // A journal left by an earlier command: replay it now rather than at the first probe (a second
    // away, when a short command has long finished), so this command sees the store as it really is.
    await store.recover().catch((error: unknown) => reportDegraded(backend, store.status(), error));
  }
  journalLengthAtOpen.set(store, store.status()?.journalLength ?? 0);
  return store;
}

/** Said before a fallback store is closed: writes of this command still waiting in the journal. */
export function reportFallbackStoreAtClose(store: SessionStore): void {
  const atOpen = journalLengthAtOpen.get(store);
  if (atOpen !== undefined) reportPendingJournal(store.backend, store.status(), atOpen);
}
