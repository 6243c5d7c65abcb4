/**
 * `sessionloom checkpoints ID`: the messages of a session's path that have a file checkpoint,
 * oldest first (a run with checkpointFiles checkpoints every message it writes): the message, its
 * role, when the checkpoint was taken, how many files changed since the previous one and their
 * bytes, and whether the turn's end was recorded. These are the messages `rewind --files` can go to.
 */
import type { Command } from 'commander';
import { describeBytes } from '../../checkpoint/file-entry.js';
import type { CheckpointSummary } from '../../types.js';
import { formatTable, plural, printJson, printLines, wantsJson } from '../output.js';
import { suggestCommand, withReadOnlyStore } from '../store-url.js';

export function addCheckpointsCommand(program: Command): void {
  program
    .command('checkpoints')
    .description('list the file checkpoints of a session: the messages whose files rewind --files can restore, oldest first')
    .argument('<id>', 'session id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const checkpoints = await withReadOnlyStore(command, (store) => store.checkpoints(id));
      if (wantsJson(command)) {
        printJson({ sessionId: id, checkpoints });
        return;
      }
      if (checkpoints.length === 0) {
        printLines(
          `${id} has no file checkpoints (an agent run with checkpointFiles takes one at every message it writes; store.checkpoint takes one by hand).`,
        );
        return;
      }
      printLines(`${plural(checkpoints.length, 'file checkpoint')} of ${id}:`, ...checkpointTable(checkpoints));
      const last = checkpoints[checkpoints.length - 1]!;
      printLines('', `See what a rewind would change: ${suggestCommand(command, 'rewind', id, '--to', last.messageId, '--files', '--dry-run')}`);
    });
}

function checkpointTable(checkpoints: CheckpointSummary[]): string[] {
  return formatTable(
    ['MESSAGE', 'ROLE', 'TAKEN', 'FILES CHANGED', 'BYTES', 'TURN END'],
    checkpoints.map((checkpoint) => [
      checkpoint.messageId,
      checkpoint.role,
      new Date(checkpoint.createdAt).toISOString(),
      String(checkpoint.changedFiles),
      describeBytes(checkpoint.changedBytes),
      checkpoint.turnFinished ? 'recorded' : '',
    ]),
  );
}
