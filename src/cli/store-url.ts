/**
 * Which store a command works on, and its lifetime: opened once per command and always closed,
 * so a SQLite file is never left with an open handle (or an unflushed WAL) when the process ends.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { localUrlPath } from '../drivers/registry.js';
import { InvalidArgumentError, MessageNotFoundError } from '../errors.js';
import { SessionStore } from '../session-store.js';
import { openFallbackStore, reportFallbackStoreAtClose, wantsFallback } from './fallback-store.js';

export const DEFAULT_STORE_URL = 'sqlite:./sessions.db';
export const STORE_ENVIRONMENT_VARIABLE = 'SESSIONLOOM_STORE';

/** `--store`, else `$SESSIONLOOM_STORE`, else the SQLite file in the current directory. */
export function resolveStoreUrl(command: Command): string {
  const option = command.optsWithGlobals<{ store?: string }>().store;
  if (option !== undefined && option !== '') return option;
  const fromEnvironment = process.env[STORE_ENVIRONMENT_VARIABLE];
  if (fromEnvironment !== undefined && fromEnvironment !== '') return fromEnvironment;
  return DEFAULT_STORE_URL;
}

/** The store at `url`, wrapped in a fallback store when the command asked for one (`--fallback`). */
export function openStore(command: Command, url: string = resolveStoreUrl(command)): Promise<SessionStore> {
  return wantsFallback(command) ? openFallbackStore(url) : SessionStore.open(url);
}

export async function closeStore(store: SessionStore): Promise<void> {
  reportFallbackStoreAtClose(store);
  await store.close();
}

/** Runs `work` on the command's store and closes the store afterwards, whether `work` succeeded or threw. */
export async function withStore<Result>(command: Command, work: (store: SessionStore, url: string) => Promise<Result>): Promise<Result> {
  const url = resolveStoreUrl(command);
  const store = await openStore(command, url);
  try {
    return await work(store, url);
  } finally {
    await closeStore(store);
  }
}

/**
 * `withStore` for commands that only read (list, show, tree, runs, replay, export): opening a
 * SQLite file or a file-store directory creates it, so one that does not exist is refused first; a
 * mistyped `--store sqlite:./typo.db` is then "no such store", not an empty new one left behind.
 */
export function withReadOnlyStore<Result>(command: Command, work: (store: SessionStore, url: string) => Promise<Result>): Promise<Result> {
  const url = resolveStoreUrl(command);
  const path = localStorePath(url);
  if (path !== undefined && !existsSync(path)) {
    throw new InvalidArgumentError({
      argument: '--store',
      message: `no such store: ${path} does not exist (${url}). Check --store or $${STORE_ENVIRONMENT_VARIABLE}; commands that write (demo, chat, import) create it.`,
    });
  }
  return withStore(command, work);
}

/** The file or directory a `sqlite:` or `file:` URL names (not `sqlite::memory:`), else undefined. */
function localStorePath(url: string): string | undefined {
  const path = localUrlPath(url);
  return path === undefined || path === ':memory:' || path === '' ? undefined : path;
}

/**
 * A follow-up command line to suggest, e.g. `sessionloom --store sqlite:/tmp/a.db show ID`. `--store` is
 * repeated only when it was given: with the environment variable or the default, the plain command finds the same store.
 */
export function suggestCommand(command: Command, ...args: string[]): string {
  const given = command.optsWithGlobals<{ store?: string }>().store;
  const storeArgs = given === undefined || given === '' ? [] : ['--store', given];
  return ['sessionloom', ...storeArgs, ...args].map(quoteForShell).join(' ');
}

function quoteForShell(word: string): string {
  return /^[\w:./@%+=,-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * The library's "message not on the path" names its own methods (getMessages(), branches()); on the
 * command line the same advice is the commands that list the ids.
 */
export function messageNotFoundForCli(command: Command, error: unknown): unknown {
  if (!MessageNotFoundError.isInstance(error)) return error;
  const { sessionId, messageId } = error;
  return new MessageNotFoundError({
    sessionId,
    messageId,
    message:
      `Message "${messageId}" is not on the path of session "${sessionId}". ` +
      `See the ids on its path with \`${suggestCommand(command, 'show', sessionId)}\`, and rewound tails with \`${suggestCommand(command, 'tree', sessionId)}\`.`,
  });
}
