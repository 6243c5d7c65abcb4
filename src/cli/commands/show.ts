/** `sessionloom show ID`: a session's fields, then the messages on its path. */
import { type Command, InvalidArgumentError as CommanderArgumentError } from 'commander';
import { SessionNotFoundError } from '../../errors.js';
import type { Session, StoredMessage } from '../../types.js';
import { formatTable, plural, previewMessage, printJson, printLines, relativeTime, sessionFields, wantsJson } from '../output.js';
import { withStore } from '../store-url.js';

export function addShowCommand(program: Command): void {
  program
    .command('show')
    .description('show a session and its messages')
    .argument('<id>', 'session id')
    .option('--last <n>', 'only the newest N messages', parseLast)
    .action(async (id: string, options: { last?: number }, command: Command) => {
      const { session, messages } = await withStore(command, async (store) => {
        const found = await store.get(id);
        if (!found) throw new SessionNotFoundError({ sessionId: id });
        const history = await store.getMessages(id, options.last === undefined ? {} : { last: options.last });
        return { session: found, messages: history };
      });
      if (wantsJson(command)) {
        printJson({ session, messages });
        return;
      }
      printLines(...sessionFields(session), '');
      // With --last the page starts partway along the path; number messages by their place on the whole path.
      const firstIndex = options.last === undefined ? 1 : Math.max(1, session.messageCount - messages.length + 1);
      printLines(...messageLines(session, messages, firstIndex));
    });
}

function messageLines(session: Session, messages: StoredMessage[], firstIndex: number): string[] {
  if (messages.length === 0) return ['No messages yet.'];
  const now = Date.now();
  const lastIndex = firstIndex + messages.length - 1;
  const heading =
    firstIndex > 1 ? `Messages ${firstIndex} to ${lastIndex} of ${session.messageCount}:` : `${plural(messages.length, 'message')}:`;
  return [
    heading,
    ...formatTable(
      ['#', 'ID', 'ROLE', 'PREVIEW', 'TIME'],
      messages.map((message, offset) => [String(firstIndex + offset), message.id, message.role, previewMessage(message), relativeTime(message.createdAt, now)]),
    ),
  ];
}

function parseLast(value: string): number {
  const last = Number(value);
  if (!/^\d+$/.test(value) || last < 1 || !Number.isSafeInteger(last)) {
    throw new CommanderArgumentError('Expected a whole number of at least 1.');
  }
  return last;
}
