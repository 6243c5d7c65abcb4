/**
 * Where a run's messages and events go. The runner writes through a recorder so the same loop
 * serves a stored run (every step written as it completes), a run that stores nothing
 * (`persist: false`) and a chat that keeps its turns in memory until `save()`.
 */
import type { SessionStore } from '../session/store.js';
import type { Metadata, ModelMessage, RunEventInput, RunStatus, StoredMessage, Usage } from '../types.js';

export interface RunOutcome {
  status: Exclude<RunStatus, 'running'>;
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
}

/**
 * Writes straight to the store: each call is durable when it returns. While the run lasts it
 * heartbeats, so a long model call or tool is not read as a dead run (`interrupted`) by others.
 */
export class StoreRunRecorder implements RunRecorder {
  private readonly heartbeat: NodeJS.Timeout;

  private constructor(
    private readonly store: SessionStore,
    readonly sessionId: string,
    readonly runId: string,
  ) {
    this.heartbeat = setInterval(() => {
      // A missed beat is harmless (the next one, or the next event, makes up for it); a store that
      // is down must not crash the process from a timer.
      store.heartbeatRun(runId).catch(() => undefined);
    }, store.runHeartbeatMs);
    // A process that is otherwise done must not stay alive for the heartbeat.
    this.heartbeat.unref();
  }

  /** Starts a run record in the store (so the run shows as `running` from its first moment). */
  static async start(store: SessionStore, sessionId: string, init: RunRecordInit): Promise<StoreRunRecorder> {
    const run = await store.startRun(sessionId, { agentName: init.agentName, ...(init.metadata ? { metadata: init.metadata } : {}) });
    return new StoreRunRecorder(store, sessionId, run.id);
  }

  append(messages: ModelMessage[]): Promise<StoredMessage[]> {
    return this.store.append(this.sessionId, messages, { runId: this.runId });
  }

  async record(events: RunEventInput[]): Promise<void> {
    await this.store.recordRunEvents(this.runId, events);
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

  async finish(outcome: RunOutcome): Promise<void> {
    clearInterval(this.heartbeat);
    await this.store.finishRun(this.runId, outcome);
  }
}
