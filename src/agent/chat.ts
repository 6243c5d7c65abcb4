/**
 * `Chat`: a conversation handle for chat apps (`store.chat(agent, ...)`), in the style of the
 * sessions other agent SDKs offer. Turns run one after another, in the order they were sent.
 *
 * With `autoSave` (the default) every turn is written as it happens, like `Runner.run`. Without it,
 * turns are kept in memory and `save()` writes them all in one append (with an operation id, so a
 * retried save writes nothing twice), then records their runs.
 */
import { randomUUID } from 'node:crypto';
import { generateId } from '../common/ids.js';
import { InvalidArgumentError, SessionNotFoundError } from '../errors.js';
import type { SessionStore } from '../session/store.js';
import { readWindow, takeWindow, type PathReader } from '../session/transcript.js';
import type { Metadata, Run, RunEvent, StoredMessage } from '../types.js';
import type { Agent } from './agent.js';
import { MemoryRunRecorder } from './memory-run-recorder.js';
import { assertPriceTable, type PriceTable } from './pricing.js';
import type { CheckpointFilesOptions } from './run-checkpoint.js';
import { toInputMessages, type RunInput } from './run-input.js';
import { runAgentLoop } from './run-loop.js';
import type { RunResult } from './run-result.js';
import { RunStream } from './run-stream.js';
import { Runner } from './runner.js';

export interface ChatOptions {
  /** Open this session: continued if it exists, created (with this id) if not. */
  id?: string;
  /** Continue this existing session; `SessionNotFoundError` if there is none. */
  resume?: string;
  /** Write each turn as it happens (default true). With false, nothing is written until `save()`. */
  autoSave?: boolean;
  /** Owner of a session the chat creates. */
  userId?: string;
  /** Metadata of a session the chat creates. */
  metadata?: Metadata;
  /** Send the model only the newest N messages (moved back so tool calls and results stay paired). */
  window?: number;
  /** Prices by model id, to record each run's cost. */
  pricing?: PriceTable;
  /** Checkpoint the files under `workspace` at every message of each turn, so a rewind with `rewindFiles` to any of them puts them back (needs autoSave). */
  checkpointFiles?: boolean | CheckpointFilesOptions;
  /** The directory whose files are checkpointed (with `checkpointFiles`). */
  workspace?: string;
}

export interface SendOptions {
  /** Cancels the turn: its run is recorded as `cancelled`, what was written stays. */
  signal?: AbortSignal;
}

/**
 * A conversation with an agent, stored in a session.
 *
 * @example
 * const chat = await store.chat(agent);
 * await chat.send('Hi, I am Ada.');
 * for await (const text of chat.stream('What is my name?').textStream) process.stdout.write(text);
 * const history = await chat.history();
 */
export class Chat {
  /** Runs not yet written (autoSave off), oldest first. */
  private pending: MemoryRunRecorder[] = [];
  // A save that failed is retried with the same operation id, so it cannot append twice.
  private saveOperationId: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  /** @internal Use `store.chat(agent, options)`. */
  constructor(
    private readonly store: SessionStore,
    readonly agent: Agent,
    /** The session's id. */
    readonly id: string,
    private stored: boolean,
    private readonly options: ChatOptions,
  ) {}

  /** Whether each turn is written as it happens. */
  get autoSave(): boolean {
    return this.options.autoSave ?? true;
  }

  /** How many messages are waiting for `save()`. */
  get unsavedMessageCount(): number {
    return this.pending.reduce((count, run) => count + run.messages.length, 0);
  }

  /** Sends a turn and waits for the agent's answer. */
  send(input: RunInput, options: SendOptions = {}): Promise<RunResult> {
    return this.enqueue(() => (this.autoSave ? Runner.run(this.agent, this.runnerOptions(input, options)) : this.runUnsaved(input, options, 'generate')));
  }

  /** Sends a turn and streams the answer as it is produced. */
  stream(input: RunInput, options: SendOptions = {}): RunStream {
    return new RunStream((emit) =>
      this.enqueue(async () => {
        if (!this.autoSave) return this.runUnsaved(input, options, 'stream', emit);
        const stream = Runner.stream(this.agent, this.runnerOptions(input, options));
        for await (const event of stream) emit(event);
        return stream.result;
      }),
    );
  }

  /** The conversation: the stored messages, then the unsaved ones (autoSave off). */
  async history(): Promise<StoredMessage[]> {
    const stored = this.stored ? await this.store.getMessages(this.id) : [];
    return [...stored, ...this.pending.flatMap((run) => run.messages.map((message) => ({ ...message })))];
  }

  /** Writes the unsaved turns in one append, then their runs; returns the messages written. */
  save(): Promise<StoredMessage[]> {
    return this.enqueue(async () => {
      if (this.pending.length === 0) return [];
      await this.ensureSession();
      const runs = this.pending;
      const messages = runs.flatMap((run) => run.messages);
      this.saveOperationId ??= `chat-save-${randomUUID()}`;
      // One append for all turns; a message can carry only one run id per append, so it is set when there is one run.
      const only = runs.length === 1 ? runs[0] : undefined;
      const written =
        messages.length === 0
          ? []
          : await this.store.append(this.id, messages, { operationId: this.saveOperationId, ...(only ? { runId: only.runId } : {}) });
      for (const run of runs) await this.saveRun(run);
      this.pending = [];
      this.saveOperationId = undefined;
      return written;
    });
  }

  /** The session's recorded runs, oldest first (after `save()` when autoSave is off). */
  async runs(): Promise<Run[]> {
    return this.stored ? this.store.runs(this.id) : [];
  }

  /** A run's event log, in order. */
  runEvents(runId: string): Promise<RunEvent[]> {
    return this.store.runEvents(runId);
  }

  private runnerOptions(input: RunInput, options: SendOptions) {
    return {
      input,
      session: {
        store: this.store,
        resume: this.id,
        ...(this.options.window === undefined ? {} : { window: this.options.window }),
        ...(this.options.checkpointFiles === undefined ? {} : { checkpointFiles: this.options.checkpointFiles }),
        ...(this.options.workspace === undefined ? {} : { workspace: this.options.workspace }),
      },
      ...(options.signal ? { signal: options.signal } : {}),
      ...(this.options.pricing ? { pricing: this.options.pricing } : {}),
    };
  }

  private async runUnsaved(
    input: RunInput,
    options: SendOptions,
    mode: 'generate' | 'stream',
    emit?: Parameters<typeof runAgentLoop>[0]['emit'],
  ): Promise<RunResult> {
    const messages = toInputMessages(input, undefined);
    const { window } = this.options;
    const read: PathReader = (readOptions) => this.store.getMessages(this.id, readOptions);
    const stored = !this.stored ? [] : window === undefined ? await read({}) : await readWindow(read, window);
    let history = [...stored, ...this.pending.flatMap((run) => run.messages)];
    if (window !== undefined) history = takeWindow(history, window);
    if (messages.length === 0 && history.length === 0) {
      throw new InvalidArgumentError({ argument: 'input', message: 'nothing to send.' });
    }
    const recorder = new MemoryRunRecorder(this.id, { agentName: this.agent.name, metadata: { model: this.agent.modelId } });
    // Kept even when the run fails, as a stored run keeps its input and completed steps.
    this.pending.push(recorder);
    return runAgentLoop({
      agent: this.agent,
      history,
      input: messages,
      recorder,
      mode,
      ...(emit ? { emit } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(this.options.pricing ? { pricing: this.options.pricing } : {}),
      startData: { resumed: this.id, autoSave: false },
    });
  }

  private async ensureSession(): Promise<void> {
    if (this.stored) return;
    if (!(await this.store.get(this.id))) {
      try {
        await this.store.create({ id: this.id, ...sessionInit(this.agent, this.options) });
      } catch (error) {
        // Another writer created it between the check and the create: that is the session we want.
        if (!(await this.store.get(this.id))) throw error;
      }
    }
    this.stored = true;
  }

  private async saveRun(run: MemoryRunRecorder): Promise<void> {
    // A save retried after a failure finds the runs it already wrote.
    if (await this.store.getRun(run.runId)) return;
    await this.store.startRun(this.id, { id: run.runId, agentName: run.agentName, ...(run.metadata ? { metadata: run.metadata } : {}) });
    if (run.events.length > 0) await this.store.recordRunEvents(run.runId, run.events);
    if (run.status !== 'running') {
      await this.store.finishRun(run.runId, { status: run.status, ...(run.usage ? { usage: run.usage } : {}), ...(run.error ? { error: run.error } : {}) });
    }
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => {});
    return next;
  }
}

function sessionInit(agent: Agent, options: ChatOptions) {
  return {
    ...(options.userId === undefined ? {} : { userId: options.userId }),
    ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
    ...(agent.id === undefined ? {} : { agentId: agent.id }),
  };
}

/** Opens a chat on `store` (what `store.chat` does). */
export async function openChat(store: SessionStore, agent: Agent, options: ChatOptions = {}): Promise<Chat> {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError({ argument: 'chat options', message: 'expected an object.' });
  if (options.id !== undefined && options.resume !== undefined) {
    throw new InvalidArgumentError({ argument: 'chat options', message: 'give `id` or `resume`, not both.' });
  }
  if (options.window !== undefined && (!Number.isInteger(options.window) || options.window < 1)) {
    throw new InvalidArgumentError({ argument: 'window', message: 'expected a positive integer.' });
  }
  assertPriceTable(options.pricing);
  const autoSave = options.autoSave ?? true;
  if (options.checkpointFiles !== undefined && options.checkpointFiles !== false && !autoSave) {
    // A checkpoint belongs to a stored message; unsaved turns have none yet.
    throw new InvalidArgumentError({ argument: 'chat options', message: 'checkpointFiles needs autoSave (the default): a checkpoint belongs to a stored message.' });
  }
  if (options.resume !== undefined) {
    if (!(await store.get(options.resume))) throw new SessionNotFoundError({ sessionId: options.resume });
    return new Chat(store, agent, options.resume, true, options);
  }
  if (options.id !== undefined && (await store.get(options.id))) return new Chat(store, agent, options.id, true, options);
  if (!autoSave) return new Chat(store, agent, options.id ?? generateId('session'), false, options);
  const created = await store.create({ ...(options.id === undefined ? {} : { id: options.id }), ...sessionInit(agent, options) });
  return new Chat(store, agent, created.id, true, options);
}
