/**
 * `SessionloomSession`: an OpenAI Agents SDK `Session` backed by any sessionloom store, so an
 * Agents SDK app keeps its agents and gains sessionloom's stores, forks, rewinds and audit trail.
 * Each item it writes is one message (see `stored-item.ts`), and messages written otherwise (by
 * sessionloom's `Runner`, say) read as the items they hold (see `item-history.ts`), so the two SDKs
 * can share one session. Every method behaves as the SDK's own `MemorySession` does, which the
 * tests check side by side.
 *
 * @example
 * const store = SessionStore.sqlite('./sessions.db');
 * const session = new SessionloomSession({ store, sessionId: 'order-42', userId: 'user-7' });
 * await run(agent, 'Where is my order?', { session });
 * // tomorrow, in another process: the same id resumes the conversation
 * await run(agent, 'And the invoice?', { session: new SessionloomSession({ store, sessionId: 'order-42' }) });
 */
import type { AgentInputItem, SessionHistoryTransactionArgs, SessionHistoryTransactionAwareSession } from '@openai/agents-core';
import { assertValidId, generateId } from '../../common/ids.js';
import type { SessionStore } from '../../session/store.js';
import type { CreateSessionInit, Metadata, Session } from '../../types.js';
import { compactToItems } from './compaction.js';
import { StoredHistory } from './history.js';
import { appendItems, itemPosition, itemsOfMessage, keepItems, pairedCount, readItems, visibleRowsOf } from './item-history.js';
import { isAdapterCompactionSummary, isCompactionBoundary, messageFromItem } from './stored-item.js';
import { applyHistoryTransaction } from './transaction.js';

export interface SessionloomSessionOptions {
  store: SessionStore;
  /**
   * The sessionloom session to resume. When it does not exist yet it reads as empty and is
   * created with this id on the first write. Default: a new id, created on the first write.
   */
  sessionId?: string;
  /** Owner, agent, metadata and tags of the session when the adapter creates it. */
  userId?: string;
  agentId?: string;
  metadata?: Metadata;
  tags?: string[];
  /** Keep a cleared conversation as an expired fork, readable for audit (default true). */
  archiveOnClear?: boolean;
}

export interface ForkItemsOptions {
  /** The fork's id (default: a generated one). */
  sessionId?: string;
  /** Merged over the source's metadata. */
  metadata?: Metadata;
}

/** A `clearSession` not applied yet: the version it saw, and the timer that applies it if no `addItems` comes first. */
interface PendingClear {
  version: number | undefined;
  timer: ReturnType<typeof setImmediate>;
}

export class SessionloomSession implements SessionHistoryTransactionAwareSession {
  private readonly history: StoredHistory;
  private readonly archiveOnClear: boolean;
  private pendingClear: PendingClear | undefined;
  /** A pending clear being applied in the background; its failure is thrown by the next call. */
  private clearing: Promise<void> | undefined;

  constructor(options: SessionloomSessionOptions) {
    const sessionId = options.sessionId ?? generateId('session');
    // Checked here, so a bad id fails when the session is made rather than on its first use.
    assertValidId(sessionId, 'sessionId');
    this.archiveOnClear = options.archiveOnClear ?? true;
    this.history = new StoredHistory({
      store: options.store,
      sessionId,
      creation: creationOf(options),
      archiveOnClear: this.archiveOnClear,
    });
  }

  /** A new session, created in the store now (the constructor creates it on the first write). */
  static async create(options: SessionloomSessionOptions): Promise<SessionloomSession> {
    const session = new SessionloomSession(options);
    await options.store.create({ ...creationOf(options), id: session.sessionId });
    return session;
  }

  get store(): SessionStore {
    return this.history.store;
  }

  /** The sessionloom session id (synchronous, unlike `getSessionId`). */
  get sessionId(): string {
    return this.history.sessionId;
  }

  async getSessionId(): Promise<string> {
    return this.history.sessionId;
  }

  /** All items, oldest first; with `limit`, the newest `limit` of them, still oldest first. */
  async getItems(limit?: number): Promise<AgentInputItem[]> {
    await this.settle();
    const last = newestCount(limit);
    if (last === 0) return [];
    return readItems(this.history, last);
  }

  /**
   * Appends the items. Right after `clearSession` (as `OpenAIResponsesCompactionSession` replaces
   * the history with its compacted items), the clear and this append are one sessionloom
   * compaction instead: one write, and the cleared conversation stays readable (see compaction.ts).
   */
  async addItems(items: AgentInputItem[]): Promise<void> {
    const pending = this.takePendingClear();
    await this.settle();
    if (pending) return compactToItems(this.history, items, pending.version);
    if (items.length === 0) return;
    await this.history.append(items.map((item, index) => messageFromItem(item, `items[${index}]`)));
  }

  /**
   * Removes and returns the newest item. It leaves the path by a rewind, so it stays in the audit
   * trail. The read and the rewind are two calls: an item another process appends between them is
   * rewound too (the Agents SDK pops only within its own turn, where nothing else writes).
   */
  async popItem(): Promise<AgentInputItem | undefined> {
    await this.settle();
    const messages = await this.history.read({ last: 2 });
    const newest = messages.at(-1);
    // Nothing, or only the summary of a compaction, which stands for history the SDK no longer has.
    if (!newest || isAdapterCompactionSummary(newest)) return undefined;
    if (isCompactionBoundary(newest)) {
      // The compacted history's only item: rewinding would bring back what the compaction replaced.
      const [item] = itemsOfMessage(newest);
      await this.history.reset();
      return item;
    }
    const previous = messages.length === 2 ? messages[0] : undefined;
    const items = itemsOfMessage(newest);
    const rewound = await this.store.rewind(this.sessionId, previous ? { toMessage: previous.id } : { toStart: true });
    // A message holding several items (written by the Runner) loses only its last one.
    await appendItems(this.history, rewound.session, items.slice(0, -1));
    // A message holding no item (a tool approval, say) is gone with the pop; the item is the one before.
    return items.length === 0 ? this.popItem() : items.at(-1);
  }

  /**
   * Replaces the history the Agents SDK sees with `items` (a compaction item and what it keeps) in
   * one write, a sessionloom compaction: the session's path becomes those items (after a summary
   * the SDK does not see), and `history`, the inspector and a rewind to before it still find the
   * whole conversation (see compaction.ts). No items is a clear.
   */
  async replaceHistoryWithCompaction(items: AgentInputItem[]): Promise<void> {
    await this.settle();
    if (!Array.isArray(items) || items.length === 0) return this.clearSession();
    await compactToItems(this.history, items);
  }

  /**
   * Rewrites function calls already in the history (the Agents SDK's `replace_function_call`
   * mutation, as its `MemorySession` applies them): the history is cut before the first call that
   * changes and the rest appended again with the replacements, a rewind then an append (the
   * replaced items stay readable through `store.branches`).
   */
  async applyHistoryMutations(args: { mutations: ReadonlyArray<{ type: string; callId: string; replacement: AgentInputItem }> }): Promise<void> {
    await this.settle();
    const mutations = Array.isArray(args?.mutations) ? args.mutations : [];
    const replacements = new Map(mutations.filter((mutation) => mutation.type === 'replace_function_call').map((mutation) => [mutation.callId, mutation]));
    if (replacements.size === 0) return;
    const rows = visibleRowsOf(await this.history.read());
    const isReplaced = (item: AgentInputItem) => item.type === 'function_call' && replacements.has(item.callId);
    const first = rows.findIndex((row) => isReplaced(row.item));
    if (first < 0) return;
    const rewritten: AgentInputItem[] = [];
    const done = new Set<string>();
    for (const { item } of rows.slice(first)) {
      if (item.type !== 'function_call' || !isReplaced(item)) rewritten.push(item);
      else if (!done.has(item.callId)) {
        // As MemorySession does: the first call with the id becomes the replacement, later ones go.
        done.add(item.callId);
        rewritten.push(structuredClone(replacements.get(item.callId)!.replacement));
      }
    }
    await keepItems(this.history, rows, first);
    const session = await this.history.ensureSession();
    await appendItems(this.history, session, rewritten);
  }

  /**
   * Empties the session, keeping its id; see `reset.ts` for how, and where the old items go.
   *
   * Applied when this session's next call starts, or at the latest once the current turn of the
   * event loop ends: an `addItems` in between (the SDK's compaction replacing the history) makes
   * the two one compaction. Until then other readers of the store still see the old history, and
   * a process that dies in between keeps it. A background failure is thrown by the next call (and
   * reported as a process warning).
   */
  async clearSession(): Promise<void> {
    await this.settle();
    const session = await this.history.session();
    const timer = setImmediate(() => {
      if (this.pendingClear?.timer !== timer) return;
      this.pendingClear = undefined;
      const clearing = this.history.reset();
      this.clearing = clearing;
      clearing.catch((error: unknown) => {
        process.emitWarning(`sessionloom: clearing session "${this.sessionId}" failed: ${error instanceof Error ? error.message : String(error)}`, {
          code: 'SESSIONLOOM_CLEAR_FAILED',
        });
      });
    });
    this.pendingClear = { version: session?.version, timer };
  }

  /** Applies a clear still pending, and throws the failure of one applied in the background. */
  private async settle(): Promise<void> {
    if (this.takePendingClear()) await this.history.reset();
    const clearing = this.clearing;
    this.clearing = undefined;
    await clearing;
  }

  private takePendingClear(): PendingClear | undefined {
    const pending = this.pendingClear;
    if (pending) clearImmediate(pending.timer);
    this.pendingClear = undefined;
    return pending;
  }

  async applyHistoryTransaction(args: SessionHistoryTransactionArgs): Promise<void> {
    await this.settle();
    await applyHistoryTransaction(this.history, args);
  }

  /**
   * A new session whose history is this one's up to and including the item at `fromItemIndex`
   * (negative counts from the newest; default: all of it), moved back so that no function call is
   * kept without its result. This session is untouched, and nothing is copied when the fork point
   * is a message boundary, whatever the history's length.
   */
  async fork(fromItemIndex?: number, options: ForkItemsOptions = {}): Promise<SessionloomSession> {
    await this.settle();
    const source = await this.history.session();
    if (fromItemIndex === undefined) {
      // The store forks from a message; a fork of an empty conversation is a new empty one.
      if ((source?.messageCount ?? 0) === 0) return this.emptyFork(source, options);
      return this.forkAt(undefined, [], options);
    }
    const rows = visibleRowsOf(await this.history.read());
    const count = pairedCount(rows, itemPosition(rows, fromItemIndex, this.sessionId) + 1);
    if (count === 0) return this.emptyFork(source, options);
    const last = rows[count - 1]!;
    if (last.lastOfMessage) return this.forkAt(last.message.id, [], options);
    // The fork point is inside a message: fork before it, then add its kept items.
    const start = rows.findIndex((row) => row.message === last.message);
    const kept = rows.slice(start, count).map((row) => row.item);
    if (start === 0) {
      const fork = await this.emptyFork(source, options);
      await fork.addItems(kept);
      return fork;
    }
    return this.forkAt(rows[start - 1]!.message.id, kept, options);
  }

  /**
   * Makes the item at `toItemIndex` the newest (negative counts from the newest), moved back so
   * that no function call is kept without its result. The later items leave the history but stay
   * readable through `store.branches`. Use `clearSession` to remove all.
   */
  async rewind(toItemIndex: number): Promise<{ removedItems: number }> {
    await this.settle();
    const rows = visibleRowsOf(await this.history.read());
    const count = pairedCount(rows, itemPosition(rows, toItemIndex, this.sessionId) + 1);
    await keepItems(this.history, rows, count);
    return { removedItems: rows.length - count };
  }

  private async forkAt(fromMessage: string | undefined, extraItems: AgentInputItem[], options: ForkItemsOptions): Promise<SessionloomSession> {
    const forked = await this.store.fork(this.sessionId, {
      ...(fromMessage === undefined ? {} : { fromMessage }),
      ...(options.sessionId === undefined ? {} : { id: options.sessionId }),
      ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
    });
    await appendItems(this.history, forked, extraItems);
    return new SessionloomSession({ store: this.store, sessionId: forked.id, archiveOnClear: this.archiveOnClear });
  }

  private emptyFork(source: Session | undefined, options: ForkItemsOptions): SessionloomSession {
    return new SessionloomSession({
      store: this.store,
      ...(options.sessionId === undefined ? {} : { sessionId: options.sessionId }),
      ...(source?.userId === undefined ? {} : { userId: source.userId }),
      metadata: { ...source?.metadata, ...options.metadata },
      archiveOnClear: this.archiveOnClear,
    });
  }
}

/** What the adapter creates the session with. */
function creationOf(options: SessionloomSessionOptions): Omit<CreateSessionInit, 'id' | 'messages'> {
  return {
    ...(options.userId === undefined ? {} : { userId: options.userId }),
    ...(options.agentId === undefined ? {} : { agentId: options.agentId }),
    ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
    ...(options.tags === undefined ? {} : { tags: options.tags }),
  };
}

/**
 * How many of the newest items `getItems(limit)` returns, as `MemorySession` computes it:
 * all for no limit (or NaN or Infinity), none for zero or less, and a fractional limit rounded up.
 */
function newestCount(limit: number | undefined): number | undefined {
  if (limit === undefined || Number.isNaN(limit) || limit === Number.POSITIVE_INFINITY) return undefined;
  if (limit <= 0) return 0;
  return Math.ceil(limit);
}
