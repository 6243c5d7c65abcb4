#!/usr/bin/env node
/**
 * The `sessionloom` executable. Exit codes: 0 success, 1 a handled error (the message and, for
 * sessionloom errors, the stable `code` on stderr), 2 a usage error reported by commander.
 * Stack traces only with SESSIONLOOM_DEBUG=1: a person at a terminal needs the message, not our internals.
 */
import { inspect } from 'node:util';
import { CommanderError } from 'commander';
import { SessionloomError } from '../errors.js';
import { buildProgram } from './program.js';

const EXIT_SUCCESS = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

async function run(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return EXIT_SUCCESS;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message; help and --version also arrive here, with exit code 0.
      return error.exitCode === 0 ? EXIT_SUCCESS : EXIT_USAGE;
    }
    reportError(error);
    return EXIT_FAILURE;
  }
}

function reportError(error: unknown): void {
  if (process.env.SESSIONLOOM_DEBUG === '1') {
    process.stderr.write(`error: ${inspect(error, { depth: 6 })}\n`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  const known = SessionloomError.isSessionloomError(error);
  const lines = [`error: ${message}${known ? ` [${error.code}]` : ''}`];
  // A store failure's own message is generic; the driver's cause (a missing directory, a locked file) is
  // what helps. Other sessionloom errors already say everything (an invalid argument's cause is a schema dump).
  const showCause = !known || error.code === 'STORE_UNAVAILABLE';
  if (showCause && error instanceof Error && error.cause instanceof Error) lines.push(`  cause: ${error.cause.message}`);
  if (!known) lines.push('  (set SESSIONLOOM_DEBUG=1 for the stack trace)');
  process.stderr.write(`${lines.join('\n')}\n`);
}

// `sessionloom list | head` closes the pipe early; that is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT_SUCCESS);
  throw error;
});

// exitCode rather than process.exit(), so output still buffered for a pipe is flushed first.
process.exitCode = await run(process.argv);
