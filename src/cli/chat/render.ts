/** The readable view of a chat entry (a turn's answer was already printed as it streamed). */
import type { Session } from '../../types.js';
import { formatTable, plural, previewMessage, relativeTime } from '../output.js';
import type { ChatEntry } from './entries.js';

const PREVIEW_LENGTH = 70;

export function renderEntry(entry: ChatEntry): string[] {
  switch (entry.type) {
    case 'turn':
    case 'error':
    case 'approval':
      return [];
    case 'fork':
      return [`Forked ${entry.fromSessionId} into ${entry.sessionId} (${plural(entry.messageCount, 'message')}); continuing in ${entry.sessionId}.`];
    case 'rewind':
      return entry.removedMessages === 0
        ? [`${entry.sessionId} is already at message ${entry.position}; nothing changed.`]
        : [
            `Rewound ${entry.sessionId} to message ${entry.position}: ${plural(entry.removedMessages, 'message')} left the path (still stored, for audit).`,
            'Continuing from there.',
          ];
    case 'history':
      return renderHistory(entry);
    case 'sessions':
      return renderSessions(entry.userId, entry.currentSessionId, entry.sessions);
  }
}

function renderHistory(entry: Extract<ChatEntry, { type: 'history' }>): string[] {
  if (entry.messages.length === 0) return ['No messages yet.'];
  const last = entry.firstPosition + entry.messages.length - 1;
  const heading =
    entry.firstPosition > 1
      ? `Messages ${entry.firstPosition} to ${last} of ${entry.messageCount} in ${entry.sessionId} (/history N shows more):`
      : `${plural(entry.messageCount, 'message')} in ${entry.sessionId}:`;
  const width = String(last).length;
  return [
    heading,
    ...entry.messages.map(
      (message, offset) => `  ${String(entry.firstPosition + offset).padStart(width)}. ${message.role.padEnd(9)} ${previewMessage(message, PREVIEW_LENGTH)}`,
    ),
  ];
}

function renderSessions(userId: string, currentSessionId: string | undefined, sessions: Session[]): string[] {
  if (sessions.length === 0) return [`${userId} has no sessions yet.`];
  const now = Date.now();
  return [
    `Recent sessions of ${userId} (* the current one; continue another with sessionloom chat --session ID):`,
    ...formatTable(
      ['', 'ID', 'STATE', 'MESSAGES', 'LAST ACTIVE'],
      sessions.map((session) => [
        session.id === currentSessionId ? '*' : '',
        session.id,
        session.state,
        String(session.messageCount),
        relativeTime(session.lastActiveAt, now),
      ]),
    ).map((line) => `  ${line}`),
  ];
}
