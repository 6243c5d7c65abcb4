/**
 * `sessionloom/compat`: the store names and session calls of the five documents sessionloom was
 * specified from (SPEC section 11), with their names, arguments and return shapes, as thin layers
 * over sessionloom's stores, `Runner` and chat handle. Porting code from one of them means changing
 * its import line. The README's "Porting from other SDKs" section lists each name and where two
 * documents use one name differently.
 */

// Shared: messages with their text as `content`, and model ids.
export { messageText } from '../common/message-text.js';
export { toCompatMessage, fromCompatMessage, replaceMessages, type CompatMessage, type CompatMessageInput } from './messages.js';
export { setModelResolver, type ModelResolver } from './models.js';
export { Runner, type RunOptions } from '../agent/runner.js';
export type { RunResult } from '../agent/run-result.js';
export {
  SessionloomError,
  SessionNotFoundError,
  MessageNotFoundError,
  SessionConflictError,
  SessionExpiredError,
  InvalidArgumentError,
  StoreUnavailableError,
} from '../errors.js';
export type { Session, StoredMessage, ModelMessage, Metadata, Usage, Run, RunEvent } from '../types.js';

// Seed 000: SessionStore with static helpers that take the store; Runner.run sessions.
export { SessionStore, type SessionWithMessages, type SessionList, type ForkedSession } from './session-store.js';

// Seed 001: Agent.create, agent.session / agent.resumeSession, FileSessionStore, MemorySessionStore.
export { Agent } from './agent.js';
export { FileSessionStore, MemorySessionStore } from './session-store.js';
export { CodeSession, type CodeSessionOptions, type CodeTurnResult } from './code-session.js';

// Seed 002: the store interface and its factories, createAgent.
export {
  DbSessionStore,
  InMemorySessionStore,
  FallbackSessionStore,
  type AgentDb,
  type CreateSessionData,
  type FallbackSessionStoreOptions,
  type InMemorySessionStoreOptions,
  type SessionData,
} from './db-session-store.js';
export type { CompatMessage as SessionMessage } from './messages.js';
export {
  createInMemoryStore,
  createSqliteStore,
  createRedisStore,
  createFallbackSessionStore,
  SqliteAgentDb,
  PostgresAgentDb,
  type RedisStoreConfig,
  type RedisConnectionOptions,
} from './store-factories.js';
export { createAgent, type CreateAgentConfig, type AgentRunOptions, type AgentRunResult, type CompatAgent } from './create-agent.js';

// Seed 003: SessionStorage, createSession and friends.
export {
  MemorySessionStorage,
  FileSessionStorage,
  StoreSessionStorage,
  createSessionStorage,
  setDefaultStorage,
  getDefaultStorage,
  storeOfStorage,
} from './session-storage.js';
export type { SessionStorage, SessionState, SessionStateInput } from './storage-types.js';
export { storageAdapter } from './storage-adapter.js';
export { createSession, resumeSession, forkSession, StreamingSession, type CreateSessionOptions, type SessionEvent } from './streaming-session.js';
export { builtinTools } from './builtin-tools.js';

// Seed 004: createSessionStore over an adapter, affinity.
export {
  createSessionStore,
  AssistantSessionStore,
  type AssistantSessionStoreConfig,
  type CreateAssistantSession,
  type FindSessionsQuery,
} from './assistant-store.js';
export {
  InMemorySessionStoreAdapter,
  recordAdapterOf,
  type SessionStoreAdapter,
  type AdapterSession,
  type AdapterSessionQuery,
} from './session-store-adapter.js';
export { defaultAffinityResolver, resolveSession, type AffinityResolver, type InboundMessage } from './affinity.js';
