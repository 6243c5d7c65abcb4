/** The agent behind `sessionloom chat`, and whose conversation it is when `--user` is not given. */
import { userInfo } from 'node:os';
import type { LanguageModel } from 'ai';
import { Agent } from '../../agent/agent.js';
import { resolveModel } from '../../agent/resolve-model.js';

/** The sessions `chat` creates carry this agent id (`sessionloom list --agent sessionloom-chat`). */
export const CHAT_AGENT_ID = 'sessionloom-chat';
const FALLBACK_USER_ID = 'cli-user';
/** What the store accepts as an id (see SPEC: `[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}`). */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$/;
/** Between streamed words of the scripted model at a terminal: its answers arrive at once otherwise, and streaming would not show. */
const SCRIPTED_TYPING_DELAY_MS = 15;

export async function resolveChatModel(spec: string, atTerminal: boolean): Promise<LanguageModel> {
  return resolveModel(spec, { scripted: { chunkDelayMs: atTerminal ? SCRIPTED_TYPING_DELAY_MS : 0 } });
}

export function createChatAgent(model: LanguageModel): Agent {
  return new Agent({ name: 'sessionloom chat', id: CHAT_AGENT_ID, instructions: 'You are a helpful assistant. Answer concisely.', model });
}

/** The person at the terminal: their login name when it is a valid id, else a fixed one. */
export function defaultUserId(): string {
  try {
    const name = userInfo().username;
    return ID_PATTERN.test(name) ? name : FALLBACK_USER_ID;
  } catch {
    // No passwd entry for this uid (some containers): the login name is unknown.
    return FALLBACK_USER_ID;
  }
}
