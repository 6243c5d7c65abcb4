/**
 * Public data types: the session, its messages and the options of the store's methods.
 * Messages are the AI SDK's `ModelMessage`, plus an id, a time and optional metadata.
 */
import type { ModelMessage as AiModelMessage } from 'ai';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type Metadata = Record<string, JsonValue>;

export type SessionState = 'active' | 'suspended' | 'expired';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cachedInputTokens?: number;
  reasoningTokens?: number;
  costUsd?: number;
}

export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled';

/** One agent invocation inside a session. */
export interface Run {
  id: string;
  sessionId: string;
  status: RunStatus;
  startedAt: number;
  endedAt?: number;
  usage: Usage;
  error?: { message: string; name?: string };
  agentName?: string;
  metadata: Metadata;
}

/** One entry of a run's ordered event log (model step, text, tool-call, tool-result, error, ...). */
export interface RunEvent {
  runId: string;
  /** 1, 2, 3, ... in the order the events happened. */
  seq: number;
  type: string;
  at: number;
  data: unknown;
}

export interface StartRunOptions {
  id?: string;
  agentName?: string;
  metadata?: Metadata;
}

export interface RunEventInput {
  type: string;
  data?: unknown;
  /** When it happened (default: now). */
  at?: number;
}

export interface FinishRunOptions {
  status: Exclude<RunStatus, 'running'>;
  /** Added to the run's usage and, in the same write, to the session's. */
  usage?: Partial<Usage>;
  error?: { message: string; name?: string };
}

export interface Session {
  id: string;
  state: SessionState;
  userId?: string;
  agentId?: string;
  workspaceId?: string;
  metadata: Metadata;
  tags: string[];
  attachedSurfaces: string[];
  /** The session this one was forked from. */
  parentId?: string;
  forkedFrom?: { sessionId: string; messageId: string };
  usage: Usage;
  /** Messages on the session's current path (its history up to the head). */
  messageCount: number;
  /** Grows by one with every change: the optimistic-concurrency token for `expectedVersion`. */
  version: number;
  createdAt: number;
  updatedAt: number;
  lastActiveAt: number;
  /** Idle time after which `sweepStale` suspends the session. */
  ttlMs: number;
  /** When `sweepStale` will expire the session if nothing touches it before (last activity + TTL + retention). */
  expiresAt?: number;
}

/**
 * The AI SDK's message type, re-exported: a stored message goes to `generateText` as it is.
 * Only the type is imported; the core never loads the `ai` package at run time.
 */
export type ModelMessage = AiModelMessage;

/** What `append` accepts: a model message, optionally with a caller-chosen id, time and metadata. */
export type MessageInput = ModelMessage & {
  id?: string;
  createdAt?: number;
  metadata?: Metadata;
};

/** A stored message: the model message as written, plus its id, time and run. */
export type StoredMessage = ModelMessage & {
  id: string;
  createdAt: number;
  runId?: string;
  metadata?: Metadata;
};

export interface CreateSessionInit {
  id?: string;
  userId?: string;
  agentId?: string;
  workspaceId?: string;
  surfaceId?: string;
  metadata?: Metadata;
  tags?: string[];
  messages?: MessageInput[];
  ttlMs?: number;
}

export interface AppendOptions {
  /** Fail with `SessionConflictError` (changing nothing) unless the session is at this version. */
  expectedVersion?: number;
  runId?: string;
  /** Idempotency key: a retried call with the same id returns the first call's messages and appends nothing. */
  operationId?: string;
}

export interface GetMessagesOptions {
  /** At most this many messages, taken from the start of `order`. */
  limit?: number;
  /** Only messages after this message id on the path. */
  after?: string;
  /** Only messages before this message id on the path. */
  before?: string;
  order?: 'asc' | 'desc';
  /** The newest N messages (of the range), returned oldest first unless `order: 'desc'`; costs N, not the history. */
  last?: number;
}

export interface ForkOptions {
  /** The last message the fork keeps (default: the source's head). */
  fromMessage?: string;
  id?: string;
  metadata?: Metadata;
  tags?: string[];
}

export interface RewindOptions {
  /** The message that becomes the head. */
  toMessage: string;
}

export interface RewindResult {
  session: Session;
  /** How many messages left the session's path (they stay readable through `branches`). */
  removedMessages: number;
}

export type SessionOrderBy = 'createdAt' | 'updatedAt' | 'lastActiveAt';

export interface ListOptions {
  userId?: string;
  agentId?: string;
  workspaceId?: string;
  state?: SessionState | SessionState[];
  /** Sessions carrying every one of these tags. */
  tags?: string[];
  /** Metadata keys that must equal these values (strings, numbers, booleans or null). */
  filter?: Record<string, JsonPrimitive>;
  /** Sessions attached to this surface. */
  surfaceId?: string;
  /** Sessions forked from this one. */
  parentId?: string;
  orderBy?: SessionOrderBy;
  order?: 'asc' | 'desc';
  limit?: number;
  cursor?: string;
}

export interface ListResult {
  sessions: Session[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

export interface UpdateSessionPatch {
  /** Shallow-merged into the metadata; a key set to `null` is stored as null. */
  metadata?: Metadata;
  /** Replaces the tags. */
  tags?: string[];
  agentId?: string;
  workspaceId?: string;
  ttlMs?: number;
}

export interface SweepResult {
  suspended: number;
  expired: number;
}

export interface PruneResult {
  sessions: number;
  messages: number;
  blobs: number;
}

export interface ResolveOptions {
  userId: string;
  workspaceId?: string;
  surfaceId?: string;
}

/** A contiguous stretch of a session's own messages that is no longer on its path (left by a rewind). */
export interface RewoundTail {
  /** The message the rewound tail followed (absent when it started at the beginning). */
  afterMessageId?: string;
  messageIds: string[];
  messageCount: number;
}

export interface BranchNode {
  session: Session;
  /** The message of the parent the fork was taken at. */
  forkedAtMessageId?: string;
  children: BranchNode[];
}

export interface Branches {
  session: Session;
  /** Ancestors, nearest first (the session it was forked from, then that one's parent, ...). */
  parents: Session[];
  /** Sessions forked from this one, recursively. */
  forks: BranchNode[];
  /** Stretches of messages a rewind took off this session's path, oldest first. */
  rewoundTails: RewoundTail[];
}
