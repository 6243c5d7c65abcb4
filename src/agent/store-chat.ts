/**
 * `store.chat(agent)`, wired onto `SessionStore` by the package entry: the chat handle lives with
 * the agent code, and the core store knows nothing of agents.
 */
import { SessionStore } from '../session/store.js';
import type { Agent } from './agent.js';
import { openChat, type Chat, type ChatOptions } from './chat.js';

declare module '../session/store.js' {
  interface SessionStore {
    /**
     * A conversation handle for chat apps: `send`, `stream`, `history`, `runs`. The AI SDK is
     * loaded on the first model call, so a store that never runs an agent never loads it.
     *
     * @example
     * const chat = await store.chat(agent, { id: 'user-7-support' }); // created if it does not exist
     * const { output } = await chat.send('Where is my order?');
     * const later = await store.chat(agent, { resume: chat.id });    // e.g. after a restart
     */
    chat(agent: Agent, options?: ChatOptions): Promise<Chat>;
  }
}

SessionStore.prototype.chat = function chat(this: SessionStore, agent: Agent, options?: ChatOptions): Promise<Chat> {
  return openChat(this, agent, options);
};
