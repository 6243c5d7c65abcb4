/**
 * `SessionStore`: the public face of sessionloom. Every method validates its input first (so bad
 * input changes nothing), then runs one of the operations in this folder over the driver.
 *
 * @example
 * const store = SessionStore.sqlite('./sessions.db');
 * const session = await store.create({ userId: 'user-7' });
 * await store.append(session.id, { role: 'user', content: 'Hello' });
 * const history = await store.getMessages(session.id);
 */
import { isDegradable, type FallbackStatus, type ReplayReport } from '../driver/degradable.js';
import { supportsCheckpoints, type StorageDriver } from '../driver/driver.js';
import type { FoundMessage, SearchOptions, SearchResult } from '../audit-types.js';
import { assertValidId } from '../common/ids.js';
import type {
  AppendOptions, Branches, CancelRunOptions, CheckpointOptions, CheckpointResult, CheckpointSummary, CompactOptions,
  CompactResult, CreateSessionInit, FinishRunOptions, FollowRunOptions, ForkOptions, GetMessagesOptions, ListOptions, ListResult,
  MessageInput, Metadata, ModelMessage, PruneResult, ResolveOptions, RewindOptions, RewindResult, Run, RunEvent, RunEventInput,
  Session, StartRunOptions, StoredMessage, SweepResult, UpdateSessionPatch
} from '../types.js';
import { findSession } from './access.js';
import { resolveSession } from './affinity.js';
import { appendMessages } from './append.js';
import * as approvals from './approvals.js';
import { getBranches } from './branches.js';
import { compactSession } from './compact.js';
import type { StoreContext } from './context.js';
import { cancelRun, watchCancel, type CancelWatch } from './cancel-run.js';
import { createSession } from './create.js';
import { followRun } from './follow-run.js';
import { forkSession } from './fork.js';
import {
  attachSurface,
  detachSurface,
  expireSession,
  suspendSession,
  sweepStale,
  touchSession,
  updateMetadata,
  updateSession,
} from './lifecycle.js';
import { listSessions } from './list.js';
import { getMessage } from './get-message.js';
import { getMessages } from './read.js';
import { recordAccess, type RecordAccess } from './record-access.js';
import { toSession } from './records.js';
import { deleteSession, pruneSessions } from './retention.js';
import { rewindSession } from './rewind.js';
import { searchMessages } from './search.js';
import { createStoreContext, type DriverStoreOptions } from './store-options.js';
import { finishRun, getRun, heartbeatRun, listRuns, readRunEvents, recordRunEvents, startRun } from './runs.js';
import { readTranscript, type TranscriptOptions } from './transcript.js';

export { STORE_OPTION_KEYS, type DriverStoreOptions, type StoreOptions } from './store-options.js';

export class SessionStore {
  private readonly context: StoreContext;
  private readonly ownsDriver: boolean;
  /** The driver as given, before the deadline wrapper: what `fallback` wraps and `status` asks. */
  private readonly baseDriver: StorageDriver;

  private constructor(context: StoreContext, ownsDriver: boolean, baseDriver: StorageDriver) {
    this.context = context;
    this.ownsDriver = ownsDriver;
    this.baseDriver = baseDriver;
  }

  /**
   * A store over any driver (yours, or one of ours); `runDriverConformance` and
   * `runConformanceSuite` in `sessionloom/testing` check it. The factories (`SessionStore.memory()`,
   * `.sqlite(path)`, `.open(url)`, ...) are built on this.
   */
  static fromDriver(driver: StorageDriver, options: DriverStoreOptions = {}): SessionStore {
    return new SessionStore(createStoreContext(driver, options), options.ownsDriver ?? true, driver);
  }

  /** True while a fallback store serves from its journal because the primary is down (always false for other stores). */
  isDegraded(): boolean {
    return isDegradable(this.baseDriver) && this.baseDriver.isDegraded();
  }

  /** For a fallback store: degraded or not, journal length and location, last replay. Undefined for other stores. */
  status(): FallbackStatus | undefined {
    return isDegradable(this.baseDriver) ? this.baseDriver.status() : undefined;
  }

  /** For a fallback store: replay the journal now if the primary answers (the probe also does this). */
  async recover(): Promise<ReplayReport | undefined> {
    return isDegradable(this.baseDriver) ? this.baseDriver.recover() : undefined;
  }

  /**
   * The records under this store, for tools built on it (export and import, `fallback`): the
   * driver under the store's deadline, its scope, clock and limits. Applications use the methods.
   */
  get records(): RecordAccess {
    return recordAccess(this.context, this.baseDriver);
  }

  /** The backend's name (`memory`, `sqlite`, ...). */
  get backend(): string {
    return this.context.driver.name;
  }

  /** A view of this store that sees and changes only `scope.userId`'s sessions. Closing it leaves this store open. */
  withScope(scope: { userId: string }): SessionStore {
    assertValidId(scope?.userId, 'scope.userId');
    return new SessionStore({ ...this.context, scopeUserId: scope.userId }, false, this.baseDriver);
  }

  /** A new session, optionally with initial messages; `create('order-42')` is `create({ id: 'order-42' })`. */
  create(init?: CreateSessionInit | string): Promise<Session> {
    return createSession(this.context, typeof init === 'string' ? { id: init } : init);
  }

  /** The session, or undefined when it does not exist (or is another user's). */
  async get(id: string): Promise<Session | undefined> {
    assertValidId(id, 'session id');
    const record = await findSession(this.context, id);
    return record && toSession(record);
  }

  /** Adds messages at the head; one version bump per call. */
  append(id: string, messages: MessageInput | MessageInput[], options?: AppendOptions): Promise<StoredMessage[]> {
    return appendMessages(this.context, id, messages, options);
  }

  /** Alias of `append`. */
  appendMessage(id: string, messages: MessageInput | MessageInput[], options?: AppendOptions): Promise<StoredMessage[]> {
    return appendMessages(this.context, id, messages, options);
  }

  /** The session's path, oldest first, paged by message id. */
  getMessages(id: string, options?: GetMessagesOptions): Promise<StoredMessage[]> {
    return getMessages(this.context, id, options);
  }

  /**
   * One message of the session by id, wherever it lives: on the path, behind a compaction, or in a
   * tail a rewind took off the path, with where that is (`location.placement`).
   *
   * @example
   * const { message, location } = await store.getMessage(sessionId, messageId);
   * if (location.placement === 'rewound') console.log('a rewind took this off the path:', messageText(message));
   */
  getMessage(id: string, messageId: string): Promise<FoundMessage> {
    return getMessage(this.context, id, messageId);
  }

  /** Every message written on the path, through every compaction, paged like `getMessages` (its `view: 'history'`). */
  history(id: string, paging?: Omit<GetMessagesOptions, 'view'>): Promise<StoredMessage[]> {
    return getMessages(this.context, id, { ...paging, view: 'history' });
  }

  /**
   * The path becomes one summary message and the newest messages kept, in one write of the kept
   * tail's size; nothing is deleted (`history`, rewind and fork still reach every message).
   *
   * @example
   * await store.compact(id, { summary: 'The user is planning a trip to Lisbon in May.', keep: { lastTokens: 4000 } });
   * await store.transcript(id); // [the summary, ...the newest messages]
   */
  compact(id: string, options: CompactOptions): Promise<CompactResult> {
    return compactSession(this.context, id, options);
  }

  /** A new session sharing the source's history up to `fromMessage` (default: its head); the source is untouched. */
  fork(id: string, options?: ForkOptions): Promise<Session> {
    return forkSession(this.context, id, options);
  }

  /**
   * Moves the head back to `toMessage`; later messages leave the path but stay readable through
   * `branches`. With `rewindFiles`, the workspace's files go back too, to the checkpoint taken at
   * `toMessage`, all or nothing; `dryRun` reports what would change and changes nothing.
   *
   * @example
   * const plan = await store.rewind(id, { toMessage, rewindFiles: true, workspace: './repo', dryRun: true });
   * console.log(plan.files); // { restored: [...], removed: [...], conflicts: [...], ... }
   * await store.rewind(id, { toMessage, rewindFiles: true, workspace: './repo' });
   */
  rewind(id: string, options: RewindOptions): Promise<RewindResult> {
    return rewindSession(this.context, id, options);
  }

  /** Whether this store keeps file checkpoints (`checkpoint`, `rewind` with `rewindFiles`). */
  get supportsCheckpoints(): boolean {
    return supportsCheckpoints(this.context.driver);
  }

  /**
   * Records the workspace's files before a turn, at `atMessage` (default: the head, usually the
   * user's message that starts the turn), so `rewind(id, { toMessage, rewindFiles: true })` can put
   * them back. Only content the store lacks is stored. For agent loops of your own: `Runner.run`
   * does this with `session: { checkpointFiles: true, workspace }`.
   *
   * @example
   * const [input] = await store.append(id, { role: 'user', content: 'Refactor utils.ts' });
   * await store.checkpoint(id, { workspace: './repo' });
   * await runMyAgent();                                     // edits files, runs shell commands...
   * await store.finishCheckpoint(id, { workspace: './repo' });
   */
  async checkpoint(id: string, options: CheckpointOptions): Promise<CheckpointResult> {
    const { checkpointWorkspace } = await import('./checkpoints.js');
    return checkpointWorkspace(this.context, id, options);
  }

  /**
   * Records that the turn after the newest checkpoint (or `atMessage`'s) has ended, and what it
   * changed, so a later rewind can tell the agent's edits from someone else's (conflicts).
   */
  async finishCheckpoint(id: string, options: { workspace: string; atMessage?: string }): Promise<{ messageId: string; changedFiles: number }> {
    const { finishCheckpoint } = await import('./checkpoints.js');
    return finishCheckpoint(this.context, id, options);
  }

  /** The messages of the session's path that have a file checkpoint, oldest first. */
  async checkpoints(id: string): Promise<CheckpointSummary[]> {
    const { listCheckpoints } = await import('./checkpoints.js');
    return listCheckpoints(this.context, id);
  }

  /**
   * Full-text search over message text (text parts, tool names, inputs and results), best first,
   * with a snippet: every message a session can read, rewound and compacted ones included, scoped
   * like every read. Indexed on SQLite and PostgreSQL; a bounded scan on other stores.
   *
   * @example
   * const { hits, nextCursor } = await store.search('lisbon flight', { userId: 'user-7' });
   * for (const hit of hits) console.log(hit.sessionId, hit.messageId, hit.snippet);
   */
  search(query: string, options?: SearchOptions): Promise<SearchResult> {
    return searchMessages(this.context, query, options);
  }

  /** The fork tree around a session: its parents, its forks, and the tails its rewinds left. */
  branches(id: string): Promise<Branches> {
    return getBranches(this.context, id);
  }

  list(options?: ListOptions): Promise<ListResult> {
    return listSessions(this.context, options);
  }

  /** Shallow-merges metadata and replaces tags (and other fields given). */
  update(id: string, patch: UpdateSessionPatch, options?: { expectedVersion?: number }): Promise<Session> {
    return updateSession(this.context, id, patch, options);
  }

  updateMetadata(id: string, patch: Metadata): Promise<Session> {
    return updateMetadata(this.context, id, patch);
  }

  /** Deletes the session; history its forks still reach stays. False when there was no such session. */
  delete(id: string): Promise<boolean> {
    return deleteSession(this.context, id);
  }

  touch(id: string): Promise<Session> {
    return touchSession(this.context, id);
  }

  attachSurface(id: string, surfaceId: string): Promise<Session> {
    return attachSurface(this.context, id, surfaceId);
  }

  detachSurface(id: string, surfaceId: string): Promise<Session> {
    return detachSurface(this.context, id, surfaceId);
  }

  /** Suspends an active session now (a suspended or expired one is returned unchanged); `touch` makes it active again. */
  suspend(id: string): Promise<Session> {
    return suspendSession(this.context, id);
  }

  expire(id: string): Promise<Session> {
    return expireSession(this.context, id);
  }

  sweepStale(options?: { now?: number }): Promise<SweepResult> {
    return sweepStale(this.context, options);
  }

  prune(options: { olderThan: number }): Promise<PruneResult> {
    return pruneSessions(this.context, options);
  }

  /** Affinity: the user's most recently active session (on that surface if there is one), else a new one. */
  resolve(options: ResolveOptions): Promise<Session> {
    return resolveSession(this.context, options);
  }

  /** The session's runs, oldest first. */
  runs(sessionId: string): Promise<Run[]> {
    return listRuns(this.context, sessionId);
  }

  /** One run, or undefined. */
  getRun(runId: string): Promise<Run | undefined> {
    return getRun(this.context, runId);
  }

  /** A run's event log in order, for replay. */
  runEvents(runId: string, options?: { afterSeq?: number; limit?: number }): Promise<RunEvent[]> {
    return readRunEvents(this.context, runId, options);
  }

  /** Starts recording a run (what `Runner.run` does; for agent loops of your own). */
  startRun(sessionId: string, options?: StartRunOptions): Promise<Run> {
    return startRun(this.context, sessionId, options);
  }

  /** Appends events to a run's log, numbered in order. */
  recordRunEvents(runId: string, events: RunEventInput[]): Promise<RunEvent[]> {
    return recordRunEvents(this.context, runId, events);
  }

  /** Ends a run and adds its usage to the session's total, atomically. */
  finishRun(runId: string, options: FinishRunOptions): Promise<Run> {
    return finishRun(this.context, runId, options);
  }

  /** Tells readers the run's writer is alive (what runners do every `runHeartbeatMs` while a run lasts). */
  heartbeatRun(runId: string): Promise<Run> {
    return heartbeatRun(this.context, runId);
  }

  /**
   * The run's events as recorded, from any process: each once, in order, until `run-end` (or its
   * writer is found dead, or `signal` aborts). Resume with the last seq seen as `afterSeq`:
   * `for await (const event of store.followRun(runId, { afterSeq })) show(event);`
   */
  followRun(runId: string, options?: FollowRunOptions): AsyncIterable<RunEvent> {
    return followRun(this.context, runId, options);
  }

  /** Asks a running run to stop, from any process: its runner aborts within a second, ending it `cancelled` (what it wrote stays). */
  cancelRun(runId: string, options?: CancelRunOptions): Promise<Run> {
    return cancelRun(this.context, runId, options);
  }

  /** For agent loops of your own: a signal that aborts when `cancelRun(runId)` is called anywhere; `close()` it when the run ends. */
  watchCancel(runId: string): CancelWatch {
    return watchCancel(this.context, runId);
  }

  /** Tool approvals waiting for a person, oldest first, in this store's scope (of one session, run or user if given). */
  pendingApprovals(options?: approvals.PendingApprovalsOptions): Promise<approvals.PendingApproval[]> {
    return approvals.pendingApprovals(this.context, options);
  }

  /** Records answers to a waiting run's approval requests (from any process); `Runner.resume` then continues the run. */
  answerApprovals(runId: string, answers: approvals.ApprovalAnswer[]): Promise<Run> {
    return approvals.answerApprovals(this.context, runId, answers);
  }

  /** For runners: parks a running run as `awaiting-approval` with its requests (see session/approvals.ts). */
  awaitApproval(runId: string, options: approvals.AwaitApprovalOptions): Promise<Run> {
    return approvals.awaitApproval(this.context, runId, options);
  }

  /** For runners: takes a waiting run whose requests are all answered back to `running`; undefined while some still wait. */
  claimAnsweredRun(runId: string): Promise<Run | undefined> {
    return approvals.claimAnsweredRun(this.context, runId);
  }

  /** How often a run's writer should heartbeat: a quarter of `staleRunMs`, so one late beat is not taken for a death. */
  get runHeartbeatMs(): number {
    return Math.max(1, Math.floor(this.context.staleRunMs / 4));
  }

  /**
   * The session's path (or its newest `last` messages) as plain model messages, repaired for a
   * model: a tool call whose result was never written gets an "interrupted" result, a result
   * without its call is dropped. What is stored is not changed.
   *
   * @example
   * const messages = await store.transcript(sessionId, { last: 50 });
   * await generateText({ model, messages: [...messages, { role: 'user', content: 'And now?' }] });
   */
  transcript(id: string, options?: TranscriptOptions): Promise<ModelMessage[]> {
    return readTranscript(this.context, id, options);
  }

  async close(): Promise<void> {
    if (this.ownsDriver) await this.context.driver.close();
  }
}
