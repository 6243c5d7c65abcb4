/**
 * `sessionloom rewind ID --to MSG [--files [--workspace DIR]] [--dry-run] [--force]`: moves the
 * session's head back (later messages leave its path but stay stored) and, with `--files`, puts the
 * workspace's files back as they were at that message (by default the workspace the checkpoint was
 * taken of, which the library uses only while it is still that same directory).
 */
import type { Command } from 'commander';
import { InvalidArgumentError, WorkspaceConflictError } from '../../errors.js';
import type { RewindResult } from '../../types.js';
import { plural, printJson, printLines, wantsJson } from '../output.js';
import { messageNotFoundForCli, suggestCommand, withStore } from '../store-url.js';
import { isStoreInWorkspaceError } from '../../checkpoint/store-files.js';
import { fileLines, storeInWorkspaceMessage, workspaceConflictMessage } from '../rewind-files.js';

interface RewindCommandOptions {
  to: string;
  files?: boolean;
  workspace?: string;
  dryRun?: boolean;
  force?: boolean;
}

export function addRewindCommand(program: Command): void {
  program
    .command('rewind')
    .description('move a session\'s head back to an earlier message, and with --files its workspace\'s files too')
    .argument('<id>', 'session id')
    .requiredOption('--to <message-id>', 'the message that becomes the head')
    .option('--files', 'also restore the workspace\'s files to the checkpoint taken at that message')
    .option('--workspace <dir>', 'the workspace directory to restore (with --files; default: the one the checkpoint was taken of)')
    .option('--dry-run', 'print what would change, and change nothing')
    .option('--force', 'with --files, overwrite files someone else changed since the agent\'s last turn')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  sessionloom checkpoints ID                        the messages whose files can be restored',
        '  sessionloom rewind ID --to MSG --files --dry-run   what a rewind of the files would change',
      ].join('\n'),
    )
    .action(async (id: string, options: RewindCommandOptions, command: Command) => {
      const workspace = workspaceOption(options);
      const result = await withStore(command, async (store, url) => {
        try {
          return await store.rewind(id, {
            toMessage: options.to,
            ...(options.files === true ? { rewindFiles: true, ...(workspace === undefined ? {} : { workspace }) } : {}),
            ...(options.dryRun === true ? { dryRun: true } : {}),
            ...(options.force === true ? { force: true } : {}),
          });
        } catch (error) {
          // The library's message names its own options (force: true); a CLI user needs the flags.
          if (WorkspaceConflictError.isInstance(error)) {
            throw new WorkspaceConflictError({ sessionId: id, files: error.files, message: workspaceConflictMessage(id, error.files) });
          }
          if (isStoreInWorkspaceError(error)) {
            throw new InvalidArgumentError({ argument: '--workspace', message: storeInWorkspaceMessage(workspace ?? "the checkpoint's workspace", url), cause: error });
          }
          throw messageNotFoundForCli(command, error);
        }
      });
      if (wantsJson(command)) {
        printJson({ sessionId: id, headMessageId: options.to, dryRun: result.dryRun === true, removedMessages: result.removedMessages, session: result.session, files: result.files });
        return;
      }
      printLines(...summaryLines(command, id, options.to, result), ...(result.files === undefined ? [] : ['', ...fileLines(result.files, result.dryRun === true)]));
    });
}

/** `--workspace` only with `--files`; without it the library restores the directory the checkpoint was taken of (never a guess). */
function workspaceOption(options: RewindCommandOptions): string | undefined {
  if (options.workspace === '') throw new InvalidArgumentError({ argument: '--workspace', message: '--workspace needs a directory.' });
  if (options.files !== true && options.workspace !== undefined) {
    throw new InvalidArgumentError({ argument: '--workspace', message: '--workspace is only used with --files; add --files to restore the workspace too.' });
  }
  return options.workspace;
}

function summaryLines(command: Command, id: string, to: string, result: RewindResult): string[] {
  if (result.dryRun === true) {
    return [
      `Dry run: nothing was changed. Rewinding ${id} to ${to} would take ${plural(result.removedMessages, 'message')} off its path.`,
    ];
  }
  const summary =
    result.removedMessages === 0
      ? `${id} was already at ${to}; no message left the path.`
      : `Rewound ${id}: ${plural(result.removedMessages, 'message')} left the path (still stored; see ${suggestCommand(command, 'tree', id)}).`;
  return [summary, `Head: ${to} (${plural(result.session.messageCount, 'message')} on the path, version ${result.session.version}).`];
}
