/**
 * The `sessionloom` command line: global options and the subcommands. Building the program is
 * kept apart from running it (main.ts) so tests and embedders can construct it without a process exit.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { addApprovalCommands } from './commands/approvals.js';
import { addChatCommand } from './commands/chat.js';
import { addCheckpointsCommand } from './commands/checkpoints.js';
import { addDemoCommand } from './commands/demo.js';
import { addExportCommand } from './commands/export.js';
import { addForkCommand } from './commands/fork.js';
import { addImportCommand } from './commands/import.js';
import { addListCommand } from './commands/list.js';
import { addMigrateCommand } from './commands/migrate.js';
import { addReplayCommand } from './commands/replay.js';
import { addCompactCommand } from './commands/compact.js';
import { addRewindCommand } from './commands/rewind.js';
import { addRunsCommand } from './commands/runs.js';
import { addSearchCommand } from './commands/search.js';
import { addShowCommand } from './commands/show.js';
import { addServeCommand } from './commands/serve.js';
import { addSweepCommand } from './commands/sweep.js';
import { addTreeCommand } from './commands/tree.js';
import { FALLBACK_ENVIRONMENT_VARIABLE } from './fallback-store.js';
import { DEFAULT_STORE_URL, STORE_ENVIRONMENT_VARIABLE } from './store-url.js';

export function buildProgram(): Command {
  const program = new Command('sessionloom')
    .description('Persistent, resumable, forkable and rewindable sessions for AI agents.')
    .version(packageVersion(), '-V, --version', 'print the version')
    // Program options are recognised after the subcommand too (`sessionloom list --store ...`),
    // because commander only stops at subcommands when positional options are enabled; they are not.
    .option(
      '--store <url>',
      `store URL: memory:, sqlite:PATH (?searchIndex=off: no full-text index, search scans), file:DIR, postgres://..., redis://... (default: $${STORE_ENVIRONMENT_VARIABLE}, else ${DEFAULT_STORE_URL})`,
    )
    .option('--json', 'print one JSON document on stdout instead of the readable view')
    .option(
      '--fallback',
      `keep working when the store is down: serve from a local journal and replay it when the store is back (also $${FALLBACK_ENVIRONMENT_VARIABLE}=1)`,
    )
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .showSuggestionAfterError(true)
    // Throw instead of exiting, so main.ts decides the exit code. Set before the subcommands are
    // added, since `.command()` copies these settings into each subcommand at creation.
    .exitOverride();

  addDemoCommand(program);
  addChatCommand(program);
  addListCommand(program);
  addShowCommand(program);
  addTreeCommand(program);
  addSearchCommand(program);
  addForkCommand(program);
  addRewindCommand(program);
  addCheckpointsCommand(program);
  addCompactCommand(program);
  addRunsCommand(program);
  addApprovalCommands(program);
  addReplayCommand(program);
  addSweepCommand(program);
  addExportCommand(program);
  addImportCommand(program);
  addMigrateCommand(program);
  addServeCommand(program);

  program.addHelpText(
    'after',
    [
      '',
      'Examples:',
      '  sessionloom demo                      try an agent run, resume, fork and rewind on ./sessions.db',
      '  sessionloom chat                      talk to an agent (offline scripted model; --model openai:NAME)',
      '  sessionloom list --user user-7        that user\'s sessions, most recently updated first',
      '  sessionloom show ID --last 20         a session and its newest 20 messages',
      '  sessionloom tree ID                   the fork tree around a session',
      '  sessionloom search lisbon flight      messages holding those words, rewound ones too, best first',
      '  sessionloom checkpoints ID            the messages whose files can be restored (every message of a checkpointing run)',
      '  sessionloom rewind ID --to MSG --files --dry-run   what rewinding the files too would change',
      '  sessionloom runs ID                   the agent runs of a session',
      '  sessionloom replay RUN                a run\'s events, step by step, with timings',
      '  sessionloom approvals                 tool calls waiting for a person; answer with approve RUN [--deny --reason TEXT]',
      '  sessionloom export --out backup.jsonl   every session, with its runs and checkpoints, in one private file',
      '  sessionloom import backup.jsonl       read an export back in (safe to repeat: sessions already there are kept)',
      '  sessionloom migrate --to postgres://localhost/app   copy every session of the store into PostgreSQL',
      '  sessionloom serve                     the web inspector and HTTP API on http://127.0.0.1:4300/',
      '  sessionloom --store memory: list      any command on another store',
      '  sessionloom --fallback list           keep answering while the store is down',
    ].join('\n'),
  );
  return program;
}

/** Read at run time rather than imported, so the version can never drift from the published package. */
function packageVersion(): string {
  // src/cli/ and dist/cli/ are both two levels below the package root.
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
}
