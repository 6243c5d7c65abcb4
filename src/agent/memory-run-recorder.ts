/**
 * A recorder that keeps the run in memory: for `persist: false` (thrown away) and for a chat with
 * `autoSave: false` (written by `save()`).
 */
import { generateId } from '../common/ids.js';
import type { Metadata, ModelMessage, RunEventInput, StoredMessage, Usage } from '../types.js';
import type { RunOutcome, RunRecorder, RunRecordInit } from './run-recorder.js';

export class MemoryRunRecorder implements RunRecorder {
  readonly runId = generateId('run');
  readonly agentName: string;
  readonly metadata: Metadata | undefined;
  readonly messages: StoredMessage[] = [];
  readonly events: RunEventInput[] = [];
  status: 'running' | RunOutcome['status'] = 'running';
  usage: Usage | undefined;
  error: RunOutcome['error'];

  constructor(
    readonly sessionId: string,
    init: RunRecordInit,
  ) {
    this.agentName = init.agentName;
    this.metadata = init.metadata;
  }

  async append(messages: ModelMessage[]): Promise<StoredMessage[]> {
    const now = Date.now();
    // Given ids now, as a store would, so a later save() writes the ids the run already returned.
    // Shallow copies: content parts may hold values structuredClone refuses (a URL for an image).
    const stored = messages.map((message) => ({ ...message, id: generateId('message'), createdAt: now, runId: this.runId }) as StoredMessage);
    this.messages.push(...stored);
    return stored.map((message) => ({ ...message }));
  }

  async record(events: RunEventInput[]): Promise<void> {
    const now = Date.now();
    this.events.push(...events.map((event) => ({ ...event, at: event.at ?? now })));
  }

  async finish(outcome: RunOutcome): Promise<void> {
    this.status = outcome.status;
    this.usage = outcome.usage;
    this.error = outcome.error;
  }
}
