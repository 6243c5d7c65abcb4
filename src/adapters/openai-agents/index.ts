/**
 * `sessionloom/openai-agents`: an OpenAI Agents SDK `Session` backed by any sessionloom store.
 * Needs `@openai/agents-core` (an optional peer dependency of sessionloom).
 */
export { SessionloomSession, type SessionloomSessionOptions, type ForkItemsOptions } from './session.js';
export { METADATA_KEY } from './stored-item.js';
export { CLEARED_FROM_KEY, CLEARED_TAG } from './reset.js';
