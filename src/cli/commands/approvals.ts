/**
 * `sessionloom approvals [--user ID]`: tool calls waiting for a person, oldest first.
 * `sessionloom approve RUN [APPROVAL...] [--deny] [--reason TEXT] [--agents MODULE]`: answers a
 * waiting run's requests (all of them when none is named); with `--agents` the run then continues
 * in this process with its agent (else whoever runs the agent resumes it: `Runner.resume`, or a
 * server started with `--agents`).
 */
import type { Command } from 'commander';
import { Runner } from '../../agent/runner.js';
import { InvalidArgumentError } from '../../errors.js';
import { agentForRun, agentRegistry } from '../../server/agents.js';
import { loadAgents } from '../load-agents.js';
import { formatTable, plural, printJson, printLines, relativeTime, truncate, wantsJson } from '../output.js';
import { suggestCommand, withReadOnlyStore, withStore } from '../store-url.js';

const INPUT_PREVIEW_LENGTH = 60;

interface ApproveOptions {
  deny?: boolean;
  reason?: string;
  agents?: string;
}

export function addApprovalCommands(program: Command): void {
  program
    .command('approvals')
    .description('list the tool calls waiting for a person\'s approval, oldest first')
    .option('--user <id>', 'only this user\'s sessions')
    .option('--session <id>', 'only this session')
    .action(async (options: { user?: string; session?: string }, command: Command) => {
      const pending = await withReadOnlyStore(command, (store) =>
        store.pendingApprovals({ ...(options.user === undefined ? {} : { userId: options.user }), ...(options.session === undefined ? {} : { sessionId: options.session }) }),
      );
      if (wantsJson(command)) {
        printJson({ approvals: pending });
        return;
      }
      if (pending.length === 0) {
        printLines('No tool call is waiting for approval.');
        return;
      }
      const now = Date.now();
      printLines(
        `${plural(pending.length, 'tool call')} waiting for approval:`,
        ...formatTable(
          ['RUN', 'APPROVAL', 'SESSION', 'USER', 'TOOL', 'ASKED', 'INPUT'],
          pending.map((request) => [
            request.runId,
            request.approvalId,
            request.sessionId,
            request.userId ?? '',
            request.toolName,
            relativeTime(request.requestedAt, now),
            truncate(JSON.stringify(request.input) ?? '', INPUT_PREVIEW_LENGTH),
          ]),
        ),
        '',
        `Answer: ${suggestCommand(command, 'approve', pending[0]!.runId)}   (add --deny --reason TEXT to refuse)`,
      );
    });

  program
    .command('approve')
    .description('answer a waiting run\'s approval requests (all of them unless some are named); --deny refuses')
    .argument('<run>', 'the waiting run')
    .argument('[approvals...]', 'approval ids (default: every request of the run still waiting)')
    .option('--deny', 'deny instead of approving')
    .option('--reason <text>', 'why (a denial\'s reason is sent to the model)')
    .option('--agents <module>', 'a module exporting the run\'s agent: continue the run here once every request is answered')
    .action(async (runId: string, approvalIds: string[], options: ApproveOptions, command: Command) => {
      const agents = options.agents === undefined ? undefined : agentRegistry(await loadAgents(options.agents));
      const outcome = await withStore(command, async (store) => {
        const ids = approvalIds.length > 0 ? approvalIds : (await store.pendingApprovals({ runId })).map((request) => request.approvalId);
        if (ids.length === 0) throw new InvalidArgumentError({ argument: 'run', message: `run "${runId}" has no request waiting for an answer.` });
        const answers = ids.map((approvalId) => ({ approvalId, approved: options.deny !== true, ...(options.reason === undefined ? {} : { reason: options.reason }) }));
        const run = await store.answerApprovals(runId, answers);
        if (!agents) return { run, answered: ids };
        const agent = agentForRun(agents, run);
        if (!agent) throw new InvalidArgumentError({ argument: '--agents', message: `no agent in ${options.agents} matches the run's agent "${run.agentName ?? ''}".` });
        const result = await Runner.resume(agent, { runId, store });
        return { run: (await store.getRun(runId)) ?? run, answered: ids, result };
      });
      if (wantsJson(command)) {
        printJson(outcome);
        return;
      }
      const verb = options.deny ? 'Denied' : 'Approved';
      const still = (outcome.run.approvals ?? []).filter((approval) => !approval.decision).length;
      printLines(
        `${verb} ${plural(outcome.answered.length, 'request')} of ${runId}${options.reason ? ` (${options.reason})` : ''}.`,
        outcome.result
          ? `The run continued: ${outcome.run.status}${outcome.result.output ? `. ${truncate(outcome.result.output.replace(/\s+/g, ' '), 200)}` : ''}`
          : still > 0
            ? `${plural(still, 'request')} of the run still wait${still === 1 ? 's' : ''}.`
            : 'Every request is answered: the run continues when its agent resumes it (Runner.resume, a server with --agents, or approve --agents MODULE).',
      );
    });
}
