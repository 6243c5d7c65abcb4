/** `sessionloom replay RUN`: a run's event log in order, each event timed from the run's start. */
import type { Command } from 'commander';
import { RunNotFoundError } from '../../errors.js';
import type { SessionStore } from '../../session/store.js';
import type { Run, RunEvent } from '../../types.js';
import { formatFields, plural, printJson, printLines, wantsJson } from '../output.js';
import { formatCost, formatUsage, runDuration } from '../run-format.js';
import { runEventLines } from '../run-event-lines.js';
import { withReadOnlyStore } from '../store-url.js';

/** Events read per call: a long run's log is paged, never loaded by one unbounded query. */
const EVENT_PAGE = 500;

export function addReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('replay a run: its events in order, timed from the run\'s start')
    .argument('<run-id>', 'run id (from `sessionloom runs ID`)')
    .action(async (runId: string, _options: unknown, command: Command) => {
      const { run, events } = await withReadOnlyStore(command, (store) => loadRun(store, runId));
      if (wantsJson(command)) {
        printJson({ run, events: events.map((event) => ({ ...event, offsetMs: event.at - run.startedAt })) });
        return;
      }
      const context = { startedAt: run.startedAt, model: typeof run.metadata.model === 'string' ? run.metadata.model : undefined };
      printLines(...runHeader(run), '', `${plural(events.length, 'event')}:`, ...events.flatMap((event) => runEventLines(event, context)));
    });
}

async function loadRun(store: SessionStore, runId: string): Promise<{ run: Run; events: RunEvent[] }> {
  const run = await store.getRun(runId);
  if (!run) throw new RunNotFoundError({ runId });
  const events: RunEvent[] = [];
  for (;;) {
    const page = await store.runEvents(runId, { afterSeq: events[events.length - 1]?.seq ?? 0, limit: EVENT_PAGE });
    events.push(...page);
    if (page.length < EVENT_PAGE) return { run, events };
  }
}

function runHeader(run: Run): string[] {
  const model = run.metadata.model;
  return formatFields([
    ['run', run.id],
    ['session', run.sessionId],
    ['agent', run.agentName],
    ['model', typeof model === 'string' ? model : undefined],
    ['status', run.status],
    ['started', new Date(run.startedAt).toISOString()],
    ['duration', runDuration(run)],
    ['usage', formatUsage(run.usage)],
    ['cost', run.usage.costUsd === undefined ? undefined : formatCost(run.usage.costUsd)],
    ['error', run.error === undefined ? undefined : `${run.error.message}${run.error.name ? ` (${run.error.name})` : ''}`],
  ]);
}
