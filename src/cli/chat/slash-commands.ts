/**
 * The REPL's commands: a line whose first word is `/name` (a letters-only word, so a message
 * such as "/etc/hosts is missing" is still sent as text).
 */
import { InvalidArgumentError } from '../../errors.js';
import type { Conversation } from './conversation.js';
import type { ChatEntry } from './entries.js';

const DEFAULT_HISTORY_LENGTH = 20;
const MAX_HISTORY_LENGTH = 1000;
const RECENT_SESSIONS = 10;

export const HELP_LINES = [
  'Commands:',
  '  /history [N]   the newest N messages (default 20), numbered by their place in the conversation',
  '  /fork [N]      fork the conversation at message N (default: the latest) and continue in the fork',
  '  /rewind N      go back to message N: later messages leave the conversation (they stay stored)',
  '  /sessions      your recent sessions',
  '  /help          this list',
  '  /quit          leave (as does Ctrl-D); Ctrl-C stops an answer in progress',
];

export interface SlashCommand {
  name: string;
  argument: string | undefined;
}

export type SlashOutcome = { entry: ChatEntry } | { lines: string[] } | { quit: true };

export function parseSlashCommand(line: string): SlashCommand | undefined {
  const match = /^\/([a-z]+)(?:\s+(.*))?$/i.exec(line.trim());
  if (!match) return undefined;
  const argument = match[2]?.trim();
  return { name: (match[1] ?? '').toLowerCase(), argument: argument === '' ? undefined : argument };
}

export async function runSlashCommand(conversation: Conversation, command: SlashCommand): Promise<SlashOutcome> {
  switch (command.name) {
    case 'quit':
    case 'exit':
      return { quit: true };
    case 'help':
      return { lines: HELP_LINES };
    case 'history': {
      const limit = command.argument === undefined ? DEFAULT_HISTORY_LENGTH : parseCount(command, 1, MAX_HISTORY_LENGTH);
      const page = await conversation.history(limit);
      return { entry: { type: 'history', sessionId: conversation.sessionId, ...page } };
    }
    case 'fork': {
      const position = command.argument === undefined ? undefined : parseCount(command, 1, Number.MAX_SAFE_INTEGER);
      const { fromSessionId, session } = await conversation.fork(position);
      return { entry: { type: 'fork', fromSessionId, sessionId: session.id, messageCount: session.messageCount } };
    }
    case 'rewind': {
      if (command.argument === undefined) throw usage(command, 'give the number of the message to go back to (see /history), e.g. /rewind 2.');
      const outcome = await conversation.rewind(parseCount(command, 1, Number.MAX_SAFE_INTEGER));
      return {
        entry: {
          type: 'rewind',
          sessionId: outcome.session.id,
          position: outcome.position,
          toMessageId: outcome.toMessageId,
          removedMessages: outcome.removedMessages,
          messageCount: outcome.session.messageCount,
        },
      };
    }
    case 'sessions':
      return { entry: { type: 'sessions', userId: conversation.userId, currentSessionId: conversation.sessionId, sessions: await conversation.recentSessions(RECENT_SESSIONS) } };
    default:
      throw usage(command, 'unknown command; /help lists them.');
  }
}

function parseCount(command: SlashCommand, minimum: number, maximum: number): number {
  const value = Number(command.argument);
  if (!/^\d+$/.test(command.argument ?? '') || value < minimum || value > maximum) {
    throw usage(command, `expected a whole number${maximum === Number.MAX_SAFE_INTEGER ? ` of at least ${minimum}` : ` from ${minimum} to ${maximum}`}.`);
  }
  return value;
}

function usage(command: SlashCommand, message: string): InvalidArgumentError {
  return new InvalidArgumentError({ argument: `/${command.name}`, message });
}
