/**
 * How an error reads on stderr: the message and, for sessionloom errors, the stable `code`. Shared
 * by main.ts (an error that ends a command) and the chat REPL (an error that ends only one turn).
 * Stack traces only with SESSIONLOOM_DEBUG=1: a person at a terminal needs the message, not our internals.
 */
import { inspect } from 'node:util';
import { SessionloomError } from '../errors.js';

export function describeError(error: unknown): string[] {
  if (process.env.SESSIONLOOM_DEBUG === '1') return [`error: ${inspect(error, { depth: 6 })}`];
  const message = error instanceof Error ? error.message : String(error);
  const known = SessionloomError.isSessionloomError(error);
  const lines = [`error: ${message}${known ? ` [${error.code}]` : ''}`];
  // A store failure's own message is generic; the driver's cause (a missing directory, a locked file) is
  // what helps. Other sessionloom errors already say everything (an invalid argument's cause is a schema dump).
  const showCause = !known || error.code === 'STORE_UNAVAILABLE';
  const cause = showCause ? newCause(error, message) : undefined;
  if (cause !== undefined) lines.push(`  cause: ${cause}`);
  if (!known) lines.push('  (set SESSIONLOOM_DEBUG=1 for the stack trace)');
  return lines;
}

/**
 * The first message down the cause chain that the error's own message does not already say: a
 * wrapper often repeats its cause ("Could not open the store: The store is unavailable: ECONNREFUSED"),
 * and printing it again under "cause:" says it twice.
 */
function newCause(error: unknown, said: string): string | undefined {
  let cause = error instanceof Error ? error.cause : undefined;
  for (let depth = 0; cause instanceof Error && depth < 5; depth += 1) {
    if (cause.message !== '' && !said.includes(cause.message)) return cause.message;
    cause = cause.cause;
  }
  return undefined;
}

export function reportError(error: unknown): void {
  process.stderr.write(`${describeError(error).join('\n')}\n`);
}

/** The stable code of a sessionloom error, for JSON output; undefined for anything else. */
export function errorCode(error: unknown): string | undefined {
  return SessionloomError.isSessionloomError(error) ? error.code : undefined;
}

/**
 * Thrown by a command whose failures were already reported as they happened (a chat turn that
 * failed): main.ts exits with 1 without printing anything more.
 */
export class ReportedFailure extends Error {
  constructor(readonly failures: number) {
    super(`${failures} failure${failures === 1 ? '' : 's'} reported above`);
    this.name = 'ReportedFailure';
  }
}
