/**
 * Where a run's messages and events go. The runner writes through a recorder so the same loop
 * serves a stored run (every step written as it completes), a run that stores nothing
 * (`persist: false`) and a chat that keeps its turns in memory until `save()`.
 */
import type { AwaitApprovalOptions } from '../session/approvals.js';
import type { CancelWatch } from '../session/cancel-run.js';
import type { SessionStore } from '../session/store.js';
import type { Metadata, ModelMessage, RunApproval, RunEventInput, RunStatus, StoredMessage, Usage } from '../types.js';
import { DeltaBuffer, type DeltaKind } from './delta-buffer.js';

export interface RunOutcome {
  status: Exclude<RunStatus, 'running' | 'awaiting-approval'>;
  usage: Usage;
  error?: { message: string; name?: string };
}

export interface RunRecorder {
  readonly sessionId: string;
  readonly runId: string;
  /** Adds messages at the session's head, tagged with the run; returns them with ids. */
  append(messages: ModelMessage[]): Promise<StoredMessage[]>;
  /** Adds events to the run's log, in order. */
  record(events: RunEventInput[]): Promise<void>;
  /** Ends the run with its status and usage. */
  finish(outcome: RunOutcome): Promise<void>;
  /** A streamed delta of the step in progress, for followers (written coalesced; see delta-buffer.ts). */
  delta?(type: DeltaKind, step: number, text: string): void;
  /**
   * Parks the run as `awaiting-approval` with its requests (the writer stops here; `Runner.resume`
   * continues the run). Absent where nothing is stored: approval needs a stored run.
   */
  awaitApproval?(options: AwaitApprovalOptions): Promise<RunApproval[]>;
  /** Aborts when the run is cancelled from any process (`store.cancelRun`). */
  readonly cancelSignal?: AbortSignal;
  /**
   * Compacts the session (`store.compact`, keeping the newest `keepTokens`), answering with its new
   * path, or undefined when there was nothing to compact. Absent where the run is kept in memory:
   * the runner then compacts its own copy of the transcript.
   */
  compact?(options: RecorderCompaction): Promise<CompactedTranscript | undefined>;
}

export interface RecorderCompaction {
  summarize: (messages: ModelMessage[]) => Promise<string>;
  keepTokens: number;
  countTokens: (message: ModelMessage | StoredMessage) => number;
}

/** What a compaction left for the model: its path (summary first), and what it replaced and kept. */
export interface CompactedTranscript {
  messages: Array<ModelMessage | StoredMessage>;
  replaced: number;
  kept: number;
  messageId?: string;
}

export interface RunRecordInit {
  agentName: string;
  metadata?: Metadata;
  /** Start even while another run of the session is in progress (see `StartRunOptions.allowConcurrent`). */
  allowConcurrent?: boolean;
}

/**
 * Writes straight to the store: each call is durable when it returns. While the run lasts it
 * heartbeats, so a long model call or tool is not read as a dead run (`interrupted`) by others, and
 * watches for a cancel request from any process.
 *
 * Event writes, delta flushes and heartbeats go through one queue: each numbers its events from
 * (or rewrites) the stored run record, so two in flight at once would overwrite each other's.
 */
export class StoreRunRecorder implements RunRecorder {
  private readonly heartbeat: NodeJS.Timeout;
  private readonly cancelWatch: CancelWatch;
  private readonly deltas = new DeltaBuffer(() => void this.flushDeltas());
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly store: SessionStore,
    readonly sessionId: string,
    readonly runId: string,
  ) {
    this.heartbeat = setInterval(() => {
      // A missed beat is harmless (the next one, or the next event, makes up for it); a store that
      // is down must not crash the process from a timer.
      this.serially(() => store.heartbeatRun(runId)).catch(() => undefined);
    }, store.runHeartbeatMs);
    // A process that is otherwise done must not stay alive for the heartbeat.
    this.heartbeat.unref();
    this.cancelWatch = store.watchCancel(runId);
  }

  /** Writes to a run this process has just claimed back (`store.claimAnsweredRun`), to continue it. */
  static attach(store: SessionStore, sessionId: string, runId: string): StoreRunRecorder {
    return new StoreRunRecorder(store, sessionId, runId);
  }

  /** Starts a run record in the store (so the run shows as `running` from its first moment). */
  static async start(store: SessionStore, sessionId: string, init: RunRecordInit): Promise<StoreRunRecorder> {
    const run = await store.startRun(sessionId, {
      agentName: init.agentName,
      ...(init.metadata ? { metadata: init.metadata } : {}),
      ...(init.allowConcurrent ? { allowConcurrent: true } : {}),
    });
    return new StoreRunRecorder(store, sessionId, run.id);
  }

  get cancelSignal(): AbortSignal {
    return this.cancelWatch.signal;
  }

  append(messages: ModelMessage[]): Promise<StoredMessage[]> {
    return this.store.append(this.sessionId, messages, { runId: this.runId });
  }

  /** Held deltas go first, in the same write: a step's live text always precedes what the step records. */
  async record(events: RunEventInput[]): Promise<void> {
    await this.serially(() => this.store.recordRunEvents(this.runId, [...this.deltas.take(), ...events]));
  }

  delta(type: DeltaKind, step: number, text: string): void {
    this.deltas.add(type, step, text);
  }

  async compact(options: RecorderCompaction): Promise<CompactedTranscript | undefined> {
    const { compaction } = await this.store.compact(this.sessionId, {
      summarize: options.summarize,
      keep: { lastTokens: options.keepTokens },
      countTokens: options.countTokens,
      runId: this.runId,
    });
    if (compaction === undefined) return undefined;
    return { messages: await this.store.getMessages(this.sessionId), replaced: compaction.count, kept: compaction.kept, messageId: compaction.messageId };
  }

  async awaitApproval(options: AwaitApprovalOptions): Promise<RunApproval[]> {
    let pending: RunApproval[] = [];
    await this.stopWriting(async () => {
      const run = await this.store.awaitApproval(this.runId, options);
      pending = (run.approvals ?? []).filter((approval) => !approval.decision);
    });
    return pending;
  }

  async finish(outcome: RunOutcome): Promise<void> {
    await this.stopWriting(() => this.store.finishRun(this.runId, outcome));
  }

  /** The run's last write by this writer: held deltas first, then `write`; no more heartbeats after it. */
  private async stopWriting(write: () => Promise<unknown>): Promise<void> {
    clearInterval(this.heartbeat);
    this.cancelWatch.close();
    await this.serially(async () => {
      const late = this.deltas.take();
      if (late.length > 0) await this.store.recordRunEvents(this.runId, late);
      await write();
    });
  }

  private async flushDeltas(): Promise<void> {
    // Best effort: the live view may lose a flush to an outage; the step's own write reports it.
    await this.serially(async () => {
      const events = this.deltas.take();
      if (events.length > 0) await this.store.recordRunEvents(this.runId, events);
    }).catch(() => undefined);
  }

  private serially<Result>(write: () => Promise<Result>): Promise<Result> {
    const next = this.queue.then(write, write);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
