/**
 * `sessionloom show ID [--history]`: a session's fields, then the messages on its path (or with
 * `--history` every message through every compaction), marking compactions and messages with a
 * file checkpoint. `--message MSG` shows one message whole instead, rewound or compacted ones too.
 */
import { type Command, InvalidArgumentError as CommanderArgumentError } from 'commander';
import { SessionNotFoundError } from '../../errors.js';
import { compactionOf } from '../../session/compact.js';
import type { CheckpointSummary, Session, StoredMessage } from '../../types.js';
import { formatTable, plural, previewMessage, printJson, printLines, relativeTime, sessionFields, wantsJson } from '../output.js';
import { withReadOnlyStore } from '../store-url.js';
import { foundMessageLines } from './show-message.js';

export function addShowCommand(program: Command): void {
  program
    .command('show')
    .description('show a session and its messages')
    .argument('<id>', 'session id')
    .option('--last <n>', 'only the newest N messages', parseLast)
    .option('--history', 'every message written, through every compaction (instead of the compacted path)')
    .option('--message <id>', 'one message whole, wherever it lives: on the path, behind a compaction, or rewound off it')
    .action(async (id: string, options: { last?: number; history?: boolean; message?: string }, command: Command) => {
      if (options.message !== undefined) {
        const messageId = options.message;
        const found = await withReadOnlyStore(command, (store) => store.getMessage(id, messageId));
        if (wantsJson(command)) printJson(found);
        else printLines(...foundMessageLines(id, found));
        return;
      }
      const { session, messages, checkpoints } = await withReadOnlyStore(command, async (store) => {
        const found = await store.get(id);
        if (!found) throw new SessionNotFoundError({ sessionId: id });
        const history = await store.getMessages(id, {
          ...(options.last === undefined ? {} : { last: options.last }),
          ...(options.history === true ? { view: 'history' as const } : {}),
        });
        // Undefined (not empty) on a store that keeps no checkpoints, so the output does not claim there are none.
        const taken = store.supportsCheckpoints ? await store.checkpoints(id) : undefined;
        return { session: found, messages: history, checkpoints: taken };
      });
      if (wantsJson(command)) {
        printJson({ session, messages, ...(checkpoints === undefined ? {} : { checkpoints }) });
        return;
      }
      printLines(...sessionFields(session), '');
      // With --last the page starts partway along the path; number messages by their place on the whole
      // path (which a compaction makes unknown without reading it all: the page is numbered from 1 then).
      const compacted = messages.some((message) => compactionOf(message) !== undefined) || options.history === true;
      const firstIndex = options.last === undefined || compacted ? 1 : Math.max(1, session.messageCount - messages.length + 1);
      printLines(...messageLines(session, messages, firstIndex, checkpoints ?? []));
    });
}

function messageLines(session: Session, messages: StoredMessage[], firstIndex: number, checkpoints: CheckpointSummary[]): string[] {
  if (messages.length === 0) return ['No messages yet.'];
  const now = Date.now();
  const lastIndex = firstIndex + messages.length - 1;
  const heading =
    firstIndex > 1 ? `Messages ${firstIndex} to ${lastIndex} of ${session.messageCount}:` : `${plural(messages.length, 'message')}:`;
  const checkpointed = new Set(checkpoints.map((checkpoint) => checkpoint.messageId));
  const markOf = (message: StoredMessage): string => {
    const compaction = compactionOf(message);
    if (compaction !== undefined) return `${COMPACTION_MARK} (${plural(compaction.count, 'message')} replaced)`;
    return checkpointed.has(message.id) ? CHECKPOINT_MARK : '';
  };
  // The mark column appears only when a message has a mark, so plain sessions read as before.
  const marked = messages.some((message) => markOf(message) !== '');
  const compactionShown = messages.some((message) => compactionOf(message) !== undefined);
  const mark = (message: StoredMessage): string[] => (marked ? [markOf(message)] : []);
  const lines = [
    heading,
    ...formatTable(
      ['#', 'ID', 'ROLE', ...(marked ? [compactionShown ? 'MARK' : 'FILES'] : []), 'PREVIEW', 'TIME'],
      messages.map((message, offset) => [
        String(firstIndex + offset),
        message.id,
        message.role,
        ...mark(message),
        previewMessage(message),
        relativeTime(message.createdAt, now),
      ]),
    ),
  ];
  if (messages.some((message) => checkpointed.has(message.id))) {
    lines.push('', `${CHECKPOINT_MARK}: the workspace's files were saved before the next turn; rewind --files --to that message restores them.`);
  }
  if (compactionShown) lines.push('', `${COMPACTION_MARK}: a summary of the messages before it, which stay stored; show --history reads them.`);
  return lines;
}

const CHECKPOINT_MARK = 'checkpoint';
const COMPACTION_MARK = 'compaction';

function parseLast(value: string): number {
  const last = Number(value);
  if (!/^\d+$/.test(value) || last < 1 || !Number.isSafeInteger(last)) {
    throw new CommanderArgumentError('Expected a whole number of at least 1.');
  }
  return last;
}
