/**
 * `sessionloom show ID --message MSG`: one message whole, wherever it lives for the session (on its
 * path, behind a compaction, or rewound off the path), and where that is.
 */
import type { FoundMessage, MessageLocation } from '../../audit-types.js';
import { describeTime, formatFields } from '../output.js';
import { messageBodyLines } from '../message-body.js';

export function foundMessageLines(sessionId: string, found: FoundMessage): string[] {
  const { message, location } = found;
  return [
    ...formatFields([
      ['message', message.id],
      ['session', sessionId],
      ['role', message.role],
      ['written', describeTime(message.createdAt)],
      ['run', message.runId],
      ['where', describePlacement(location)],
      ['written by', location.writtenBy === sessionId ? undefined : `${location.writtenBy} (history this session shares)`],
      ['metadata', message.metadata === undefined ? undefined : JSON.stringify(message.metadata)],
    ]),
    '',
    ...messageBodyLines(message),
  ];
}

export function describePlacement(location: MessageLocation): string {
  switch (location.placement) {
    case 'path':
      return `on the path, message ${location.position}`;
    case 'compacted':
      return `message ${location.position} of the path, behind a compaction${location.compactedBy === undefined ? '' : ` (${location.compactedBy} stands for it)`}`;
    case 'rewound':
      return `rewound off the path (it was message ${location.position}); still stored, readable for audit`;
  }
}
