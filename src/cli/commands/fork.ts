/** `sessionloom fork ID`: a new session sharing the source's history up to a message; the source is untouched. */
import type { Command } from 'commander';
import type { ForkOptions } from '../../types.js';
import { printJson, printLines, sessionFields, wantsJson } from '../output.js';
import { messageNotFoundForCli, suggestCommand, withStore } from '../store-url.js';

interface ForkCommandOptions {
  from?: string;
  id?: string;
}

export function addForkCommand(program: Command): void {
  program
    .command('fork')
    .description('fork a session: a new session whose history is the source\'s up to a message')
    .argument('<id>', 'the session to fork')
    .option('--from <message-id>', 'the last message the fork keeps (default: the head)')
    .option('--id <new-id>', 'the new session\'s id (default: a generated one)')
    .action(async (id: string, options: ForkCommandOptions, command: Command) => {
      const forkOptions: ForkOptions = {
        ...(options.from === undefined ? {} : { fromMessage: options.from }),
        ...(options.id === undefined ? {} : { id: options.id }),
      };
      const fork = await withStore(command, (store) =>
        store.fork(id, forkOptions).catch((error: unknown) => {
          throw messageNotFoundForCli(command, error);
        }),
      );
      if (wantsJson(command)) {
        printJson(fork);
        return;
      }
      printLines(
        `Forked ${id} into ${fork.id}.`,
        '',
        ...sessionFields(fork),
        '',
        `Next: ${suggestCommand(command, 'show', fork.id)}   or   ${suggestCommand(command, 'tree', fork.id)}`,
      );
    });
}
