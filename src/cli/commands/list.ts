/** `sessionloom list`: sessions matching filters, one page at a time. */
import { type Command, InvalidArgumentError as CommanderArgumentError, Option } from 'commander';
import type { ListOptions, Session, SessionOrderBy, SessionState } from '../../types.js';
import { formatTable, plural, printJson, printLines, relativeTime, truncate, wantsJson } from '../output.js';
import { withReadOnlyStore } from '../store-url.js';

// The store refuses more than this per page; checking here turns it into a usage error with the flag's name.
const MAX_LIMIT = 1000;

interface ListCommandOptions {
  user?: string;
  agent?: string;
  workspace?: string;
  state?: SessionState;
  tag?: string[];
  title?: string;
  limit?: number;
  cursor?: string;
  orderBy?: SessionOrderBy;
  order?: 'asc' | 'desc';
}

export function addListCommand(program: Command): void {
  program
    .command('list')
    .description('list sessions, most recently updated first')
    .option('--user <id>', 'only this user\'s sessions')
    .option('--agent <id>', 'only this agent\'s sessions')
    .option('--workspace <id>', 'only sessions in this workspace')
    .addOption(new Option('--state <state>', 'only sessions in this state').choices(['active', 'suspended', 'expired']))
    .option('--tag <tag...>', 'only sessions carrying every one of these tags')
    .option('--title <prefix>', 'only sessions whose title starts with this text (case-sensitive)')
    .option('--limit <n>', `sessions per page, 1 to ${MAX_LIMIT} (default 50)`, parseLimit)
    .option('--cursor <cursor>', 'the next page: the cursor printed by the previous page')
    .addOption(new Option('--order-by <field>', 'sort field').choices(['createdAt', 'updatedAt', 'lastActiveAt']))
    .addOption(new Option('--order <direction>', 'sort direction (default desc)').choices(['asc', 'desc']))
    .action(async (options: ListCommandOptions, command: Command) => {
      const { result, status } = await withReadOnlyStore(command, async (store) => {
        const listed = await store.list(toListOptions(options));
        // Taken after the listing, which is what may have found the primary down.
        return { result: listed, status: store.status() };
      });
      if (wantsJson(command)) {
        // `status` only for a fallback store (--fallback): whether this list came from the journal and cache.
        printJson(status === undefined ? result : { ...result, status });
        return;
      }
      if (result.sessions.length === 0) {
        printLines(options.cursor === undefined ? 'No sessions match.' : 'No more sessions.');
        return;
      }
      printLines(...sessionTable(result.sessions));
      if (result.nextCursor !== undefined) {
        // The cursor only works with the same filters and order, so the hint asks for them to be repeated.
        printLines('', `${plural(result.sessions.length, 'session')} shown. Next page: the same command with --cursor ${result.nextCursor}`);
      }
    });
}

function toListOptions(options: ListCommandOptions): ListOptions {
  return {
    ...(options.user === undefined ? {} : { userId: options.user }),
    ...(options.agent === undefined ? {} : { agentId: options.agent }),
    ...(options.workspace === undefined ? {} : { workspaceId: options.workspace }),
    ...(options.state === undefined ? {} : { state: options.state }),
    ...(options.tag === undefined ? {} : { tags: options.tag }),
    ...(options.title === undefined ? {} : { titlePrefix: options.title }),
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
    ...(options.orderBy === undefined ? {} : { orderBy: options.orderBy }),
    ...(options.order === undefined ? {} : { order: options.order }),
  };
}

/** Titles are shortened in the table (show prints them whole), so a row stays one line. */
const TITLE_COLUMN_LENGTH = 40;

function sessionTable(sessions: Session[]): string[] {
  const now = Date.now();
  return formatTable(
    ['ID', 'STATE', 'MESSAGES', 'USER', 'UPDATED', 'TITLE'],
    sessions.map((session) => [
      session.id,
      session.state,
      String(session.messageCount),
      session.userId ?? '-',
      relativeTime(session.updatedAt, now),
      session.title === undefined ? '-' : truncate(session.title, TITLE_COLUMN_LENGTH),
    ]),
  );
}

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!/^\d+$/.test(value) || limit < 1 || limit > MAX_LIMIT) {
    throw new CommanderArgumentError(`Expected a whole number from 1 to ${MAX_LIMIT}.`);
  }
  return limit;
}
