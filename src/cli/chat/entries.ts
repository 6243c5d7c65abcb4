/**
 * What happened in a chat, one entry per line of input: what `--json` prints at the end (one
 * document, so a script driving the REPL through a pipe gets everything it needs) and what the
 * readable view renders as it goes.
 */
import type { Session, StoredMessage, Usage } from '../../types.js';

export type ChatEntry =
  | {
      type: 'turn';
      sessionId: string;
      input: string;
      output: string;
      runId: string;
      usage: Usage;
      steps: number;
      /** Set when the turn stopped to ask about tool calls (the REPL then asks y/n). */
      awaitingApproval?: Array<{ approvalId: string; toolName: string; input: unknown }>;
    }
  | { type: 'approval'; runId: string; approvalId: string; approved: boolean }
  | { type: 'fork'; fromSessionId: string; sessionId: string; messageCount: number }
  | { type: 'rewind'; sessionId: string; position: number; toMessageId: string; removedMessages: number; messageCount: number }
  | { type: 'history'; sessionId: string | undefined; firstPosition: number; messageCount: number; messages: StoredMessage[] }
  | { type: 'sessions'; userId: string; currentSessionId: string | undefined; sessions: Session[] }
  | { type: 'error'; input: string; message: string; code?: string };
