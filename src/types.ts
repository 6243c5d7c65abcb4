/**
 * Public data types: the session, its messages and the options of the store's methods.
 * Messages are the AI SDK's `ModelMessage`, plus an id, a time and optional metadata.
 */
import type { ModelMessage as AiModelMessage } from 'ai';

export type * from './checkpoint-types.js';
export type * from './approval-types.js';
import type { RunApproval } from './approval-types.js';

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

/**
 * `interrupted`: the run never finished and its writer has shown no sign of life (an event or a
 * heartbeat) for the store's `staleRunMs`: the process running it most likely died. It is how a
 * `running` run reads once stale; its writer can still finish it, and any process may finish it
 * explicitly with `finishRun(id, { status: 'interrupted' })`.
 */
export type RunStatus = 'running' | 'awaiting-approval' | 'completed' | 'failed' | 'cancelled' | 'interrupted';


/** One agent invocation inside a session. */
export interface Run {
  id: string;
  sessionId: string;
  status: RunStatus;
  startedAt: number;
  endedAt?: number;
  /** The last sign of life of the run's writer: its start, its latest event or heartbeat. */
  lastActiveAt: number;
  usage: Usage;
  error?: { message: string; name?: string };
  agentName?: string;
  metadata: Metadata;
  /** Set while a running run has been asked to stop (`cancelRun`) and its writer has not yet ended it. */
  cancelRequested?: { at: number; reason?: string };
  /** The tool calls the run asked a person about, answered or not (see `status: 'awaiting-approval'`). */
  approvals?: RunApproval[];
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
  /** Start beside a run in progress; by default a session runs one at a time (`SessionConflictError`). */
  allowConcurrent?: boolean;
}

export interface FollowRunOptions {
  /** Only events after this seq (a reconnecting follower passes the last seq it saw). Default 0: all. */
  afterSeq?: number;
  /** Stops following (the iteration ends quietly). */
  signal?: AbortSignal;
}

export interface CancelRunOptions {
  /** Why, kept with the request and in the run's error (at most 1,000 characters). */
  reason?: string;
}

export interface RunEventInput {
  type: string;
  data?: unknown;
  /** When it happened (default: now). */
  at?: number;
}

export interface FinishRunOptions {
  status: Exclude<RunStatus, 'running' | 'awaiting-approval'>;
  /** Added to the run's usage and, in the same write, to the session's. */
  usage?: Partial<Usage>;
  error?: { message: string; name?: string };
}

export interface Session {
  id: string;
  /** Set at create, update or fork, or else taken from the first user message (shortened to one line). */
  title?: string;
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
  /**
   * Messages on the session's current path (its history up to the head). After a compaction it
   * counts the stored path: what the compaction replaced, its summary and the kept copies too.
   */
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
  /** One line of text, at most 200 characters (default: taken from the first user message). */
  title?: string;
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
  /**
   * `path` (default): what a model is sent, from the newest compaction's summary on. `history`: every
   * message as written, through every compaction (without the summaries and the copies they carry).
   */
  view?: 'path' | 'history';
}

export interface ForkOptions {
  /** The last message the fork keeps (default: the source's head). */
  fromMessage?: string;
  /** Default: the source's title. */
  title?: string;
  id?: string;
  metadata?: Metadata;
  tags?: string[];
}

export interface RewindOptions {
  /** The message that becomes the head (give this or `toStart`). */
  toMessage?: string;
  /** Rewind to before the first message: an empty path, the old messages kept as a rewound tail. */
  toStart?: true;
  /** Also put the workspace's files back as they were at `toMessage` (it needs a file checkpoint: see `checkpoint`). */
  rewindFiles?: boolean;
  /**
   * The workspace directory to restore (with `rewindFiles`). Default: the one the checkpoint was
   * taken of, used only while that path still leads to that same directory (otherwise name it).
   */
  workspace?: string;
  /** Report what would change (messages and files) without changing anything. */
  dryRun?: boolean;
  /** Overwrite files someone other than the agent changed since its last turn (otherwise a `WorkspaceConflictError`). */
  force?: boolean;
}

export interface RewindResult {
  session: Session;
  /** How many messages left the session's path (they stay readable through `branches`). */
  removedMessages: number;
  /** With `rewindFiles`: what was (or, with `dryRun`, would be) changed in the workspace. Paths are workspace-relative. */
  files?: RewoundFiles;
  /** True when nothing was changed because of `dryRun`. */
  dryRun?: boolean;
}

export interface RewoundFiles {
  /** The workspace restored, as a real path (the one given, or the one the checkpoint was taken of). */
  workspace: string;
  /** Files (and symlinks) written back: changed or deleted since the checkpoint. */
  restored: string[];
  /** Files created since the checkpoint, removed. */
  removed: string[];
  /** Files someone other than the agent changed since its last turn (overwritten only with `force`). */
  conflicts: string[];
  /** Directories created since the checkpoint and removed once empty. */
  removedDirectories: string[];
  /** Files the checkpoint skipped (too large, unreadable): left as they are. */
  skipped: string[];
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
  /** Sessions whose title starts with this text (case-sensitive, as written; untitled sessions never match). */
  titlePrefix?: string;
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
  /** Replaces the title (one line of text, at most 200 characters). */
  title?: string;
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
  /** The compactions on the session's path, oldest first (`history` reads what they replaced). */
  compactions: Compaction[];
}

/** What `metadata.sessionloom.compaction` of a compaction message records. */
export interface CompactionMarker {
  /** The first message the compaction replaced. */
  from: string;
  /** The last message it replaced (the kept tail follows it). */
  to: string;
  /** How many messages it replaced (an earlier compaction's summary counts as one). */
  count: number;
  /** The summary message's tokens: what it costs in a window. */
  tokens: number;
  /** How many messages were kept after it (copied behind the summary, with new ids). */
  kept: number;
  /** How many messages the compaction brought in after the kept ones (`replacement`). */
  added?: number;
}

/** A compaction on a session's path. */
export interface Compaction extends CompactionMarker {
  /** The compaction message (the summary). */
  messageId: string;
  createdAt: number;
  runId?: string;
}

export interface CompactOptions {
  /** The summary of what is replaced (give this or `summarize`). */
  summary?: string;
  /** Writes the summary from the messages it replaces, oldest first (give this or `summary`). */
  summarize?: (messages: StoredMessage[]) => string | Promise<string>;
  /**
   * The newest messages kept after the summary: at most `lastMessages` messages and at most
   * `lastTokens` tokens (an assistant message and its tool results are kept or replaced together).
   * Default: nothing kept.
   */
  keep?: { lastMessages?: number; lastTokens?: number };
  /** Fail with `SessionConflictError` unless the session is at this version. */
  expectedVersion?: number;
  /** How to count tokens (default: `gpt-tokenizer`'s `o200k_base`). */
  countTokens?: (message: ModelMessage | StoredMessage) => number;
  /** The run that compacts (recorded on the compaction message). */
  runId?: string;
  /**
   * New messages that follow the summary instead of a kept tail (not with `keep`), written in the
   * same write: for an SDK whose compaction returns its own replacement history (the OpenAI
   * Agents SDK's `OpenAIResponsesCompactionSession`). Checked as `append` checks messages.
   */
  replacement?: MessageInput[];
  /** Metadata of the compaction message, besides sessionloom's own `sessionloom` key. */
  metadata?: Metadata;
}

export interface CompactResult {
  /** False when there was nothing to compact (`reason` says why); nothing was written then. */
  compacted: boolean;
  session: Session;
  compaction?: Compaction;
  reason?: string;
}
