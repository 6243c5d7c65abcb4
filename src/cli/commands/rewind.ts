/** `sessionloom rewind ID --to MSG`: moves the session's head back; later messages leave its path but stay stored. */
import type { Command } from 'commander';
import { plural, printJson, printLines, wantsJson } from '../output.js';
import { suggestCommand, withStore } from '../store-url.js';

export function addRewindCommand(program: Command): void {
  program
    .command('rewind')
    .description('move a session\'s head back to an earlier message')
    .argument('<id>', 'session id')
    .requiredOption('--to <message-id>', 'the message that becomes the head')
    .action(async (id: string, options: { to: string }, command: Command) => {
      const result = await withStore(command, (store) => store.rewind(id, { toMessage: options.to }));
      if (wantsJson(command)) {
        printJson({ sessionId: id, headMessageId: options.to, removedMessages: result.removedMessages, session: result.session });
        return;
      }
      const summary =
        result.removedMessages === 0
          ? `${id} was already at ${options.to}; nothing changed.`
          : `Rewound ${id}: ${plural(result.removedMessages, 'message')} left the path (still stored; see ${suggestCommand(command, 'tree', id)}).`;
      printLines(summary, `Head: ${options.to} (${plural(result.session.messageCount, 'message')} on the path, version ${result.session.version}).`);
    });
}
