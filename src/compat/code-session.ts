/**
 * The second seed's (001) session handle, `agent.session(workspace, options)`: built at once, with
 * `send`, `save`, `history()` (synchronous: the conversation as of the last send, save or `load`),
 * `runs()` and `runEvents(runId)`. It is a thin layer over `store.chat(agent, ...)`, opened on first
 * use: with `autoSave` (the default) every turn is stored as it happens; without it, turns wait in
 * memory for `save()`.
 */
import type { Agent as CoreAgent } from '../agent/agent.js';
import type { Chat } from '../agent/chat.js';
import type { RunResult } from '../agent/run-result.js';
import { SessionNotFoundError } from '../errors.js';
import type { SessionStore } from '../session-store.js';
import type { Run, RunEvent } from '../types.js';
import { toCompatMessage, type CompatMessage } from './messages.js';

export interface CodeSessionOptions {
  /** Where the session is kept (default: one in-memory store shared by the process). */
  sessionStore?: SessionStore;
  /** The session's id (default: a new one). */
  sessionId?: string;
  /** Store every turn as it happens (default true); with false, `save()` writes them. */
  autoSave?: boolean;
  /**
   * The default approval decision for this session's tool calls (the agent's per-tool rules kept):
   * `allow` runs them, `deny` refuses them without asking, `ask` stops the run for approval
   * (`store.pendingApprovals()`, then `Runner.resume`).
   */
  permissionPolicy?: { defaultDecision?: 'allow' | 'deny' | 'ask' } & Record<string, unknown>;
  /** Checkpoint the workspace's files before each turn (needs autoSave), so a rewind with `rewindFiles` puts them back. */
  checkpointFiles?: boolean;
}

/** What `send` resolves to: the run's result, with its answer also as `text`. */
export type CodeTurnResult = RunResult & { text: string };

export class CodeSession {
  private chat: Promise<Chat> | undefined;
  private known: CompatMessage[] = [];

  /** @internal Use `agent.session(...)` or `agent.resumeSession(...)`. */
  constructor(
    private readonly agent: CoreAgent,
    private readonly store: SessionStore,
    /** The session's id. */
    readonly id: string,
    /** The directory the session works in (checkpointed with `checkpointFiles`). */
    readonly workspace: string,
    private readonly options: { autoSave: boolean; resume: boolean; checkpointFiles: boolean },
  ) {}

  /** Sends a turn and waits for the agent's answer. */
  async send(prompt: string): Promise<CodeTurnResult> {
    const chat = await this.open();
    const result = await chat.send(prompt);
    await this.load();
    return { ...result, text: result.output };
  }

  /** Writes the turns not saved yet (autoSave off); nothing to do with autoSave. */
  async save(): Promise<void> {
    await (await this.open()).save();
    await this.load();
  }

  /** The conversation as of the last `send`, `save` or `load` (synchronous, as the seed reads it). */
  history(): CompatMessage[] {
    return this.known.map((message) => structuredClone(message));
  }

  /** Reads the conversation from the store (and what waits for `save()`), and returns it. */
  async load(): Promise<CompatMessage[]> {
    this.known = (await (await this.open()).history()).map(toCompatMessage);
    return this.history();
  }

  /** The session's recorded runs, oldest first. */
  async runs(): Promise<Run[]> {
    return (await this.open()).runs();
  }

  /** A run's event log, in order (for replay). */
  async runEvents(runId: string): Promise<RunEvent[]> {
    return (await this.open()).runEvents(runId);
  }

  private open(): Promise<Chat> {
    this.chat ??= this.openChat().catch((error: unknown) => {
      this.chat = undefined;
      throw error;
    });
    return this.chat;
  }

  private async openChat(): Promise<Chat> {
    const common = {
      autoSave: this.options.autoSave,
      ...(this.options.checkpointFiles ? { checkpointFiles: true, workspace: this.workspace } : {}),
    };
    if (!this.options.resume) return this.store.chat(this.agent, { ...common, id: this.id });
    if (!(await this.store.get(this.id))) throw new SessionNotFoundError({ sessionId: this.id, message: `Session not found: ${this.id}` });
    return this.store.chat(this.agent, { ...common, resume: this.id });
  }
}
