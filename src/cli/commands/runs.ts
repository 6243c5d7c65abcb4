/** `sessionloom runs ID`: a session's agent runs, oldest first, with their outcome, timing and usage. */
import type { Command } from 'commander';
import type { Run } from '../../types.js';
import { formatTable, plural, printJson, printLines, truncate, wantsJson } from '../output.js';
import { formatCost, runDuration } from '../run-format.js';
import { suggestCommand, withReadOnlyStore } from '../store-url.js';

const ERROR_PREVIEW_LENGTH = 60;

export function addRunsCommand(program: Command): void {
  program
    .command('runs')
    .description('list the agent runs of a session, oldest first')
    .argument('<id>', 'session id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const runs = await withReadOnlyStore(command, (store) => store.runs(id));
      if (wantsJson(command)) {
        printJson({ sessionId: id, runs });
        return;
      }
      if (runs.length === 0) {
        printLines(`${id} has no recorded runs (runs are recorded when an agent runs on the session: Runner.run, store.chat, sessionloom chat).`);
        return;
      }
      printLines(`${plural(runs.length, 'run')} of ${id}:`, ...runTable(runs));
      const last = runs[runs.length - 1];
      if (last) printLines('', `Replay one: ${suggestCommand(command, 'replay', last.id)}`);
    });
}

function runTable(runs: Run[]): string[] {
  const now = Date.now();
  return formatTable(
    ['RUN', 'STATUS', 'STARTED', 'DURATION', 'TOKENS', 'COST', 'ERROR'],
    runs.map((run) => [
      run.id,
      run.status,
      new Date(run.startedAt).toISOString(),
      runDuration(run, now),
      // In and out are what a reader compares between runs; the replay has the full breakdown.
      `${run.usage.totalTokens} (${run.usage.inputTokens} in, ${run.usage.outputTokens} out)`,
      formatCost(run.usage.costUsd),
      run.error === undefined ? '' : truncate(run.error.message.replace(/\s+/g, ' '), ERROR_PREVIEW_LENGTH),
    ]),
  );
}
