#!/usr/bin/env node
/**
 * The `sessionloom` executable. Exit codes: 0 success, 1 a handled error (the message and, for
 * sessionloom errors, the stable `code` on stderr), 2 a usage error reported by commander.
 */
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { ReportedFailure, reportError } from './report-error.js';

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
    if (!(error instanceof ReportedFailure)) reportError(error);
    return EXIT_FAILURE;
  }
}

/** Resolves once everything written so far to the stream has been handed to the operating system. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

// `sessionloom list | head` closes the pipe early; that is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT_SUCCESS);
  throw error;
});

const exitCode = await run(process.argv);
// The command is done and its store closed; exit rather than wait for the event loop to drain, since a
// database client may leave a timer behind (ioredis keeps a 2 s disconnect timer after a refused
// connection, which is every command run with --fallback while Redis is down). Output is flushed
// first, so nothing buffered for a pipe is lost.
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(exitCode);
