/**
 * Where a run writes: a new session, a resumed one, a fork, or nowhere (`persist: false`), with the
 * conversation the model sees first (a repaired transcript, see session/transcript.ts).
 */
import { generateId } from '../common/ids.js';
import { InvalidArgumentError } from '../errors.js';
import type { SessionStore } from '../session/store.js';
import { readWindow } from '../session/transcript.js';
import type { Metadata, StoredMessage } from '../types.js';
import type { Agent } from './agent.js';
import { MemoryRunRecorder } from './memory-run-recorder.js';
import { prepareRunCheckpoint, type CheckpointFilesOptions, type RunCheckpoint } from './run-checkpoint.js';
import { StoreRunRecorder, type RunRecorder } from './run-recorder.js';

export interface RunSessionOptions {
  /** The store to read and write; needed unless `persist: false` without `resume`. */
  store?: SessionStore;
  /** Write the run to the store (default true). With false nothing is stored, not even a resumed session's new turn. */
  persist?: boolean;
  /** Continue this session: the model sees its whole conversation (or the newest `window` messages). */
  resume?: string;
  /** Fork this session (up to `fromMessage`, default its head) and run on the fork; the source is untouched. */
  fork?: { from: string; fromMessage?: string };
  /**
   * Id of the session created (or of the fork). Default: a generated `session_...` id. A session
   * with this id that already exists is continued (as with `resume`), so the first run creates it.
   */
  id?: string;
  /** Metadata of the session created (or of the fork). */
  metadata?: Metadata;
  /** Owner of the session created. */
  userId?: string;
  /** Send the model only the newest N stored messages (moved back so tool calls and results stay paired). */
  window?: number;
  /** Metadata of the run record. */
  runMetadata?: Metadata;
  /** Run even while another run of the session is in progress (by default that is a `SessionConflictError`). */
  allowConcurrentRuns?: boolean;
  /**
   * Checkpoint the files under `workspace` at every message the run stores (its input before the
   * model runs, each assistant message before its tools run, each tool result after), so
   * `store.rewind(id, { toMessage, rewindFiles: true })` to any of them puts the files back as they
   * were there, whatever changed them (the workspace defaults to the one checkpointed).
   */
  checkpointFiles?: boolean | CheckpointFilesOptions;
  /** The directory whose files are checkpointed (with `checkpointFiles`; default the process's working directory). */
  workspace?: string;
}

export interface OpenedRunSession {
  recorder: RunRecorder;
  /** The stored conversation as written; the run loop repairs it together with the new input. */
  history: StoredMessage[];
  /** How the session was opened, for the run's `run-start` event. */
  startData: Record<string, unknown>;
  /** File checkpoint hooks, with `checkpointFiles`. */
  checkpoint?: RunCheckpoint;
}

/**
 * Opens the run's session. Everything that can be refused is checked before the first write, so a
 * refused run leaves the store as it was.
 */
export async function openRunSession(agent: Agent, options: RunSessionOptions, input: { hasInput: boolean }): Promise<OpenedRunSession> {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError({ argument: 'session', message: 'expected an object.' });
  const { store, resume, fork, window } = options;
  const persist = options.persist ?? true;
  if (resume !== undefined && fork !== undefined) {
    throw new InvalidArgumentError({ argument: 'session', message: 'give `resume` or `fork`, not both.' });
  }
  if (window !== undefined && (!Number.isInteger(window) || window < 1)) {
    throw new InvalidArgumentError({ argument: 'session.window', message: 'expected a positive integer.' });
  }
  if (store === undefined && (persist || resume !== undefined)) {
    throw new InvalidArgumentError({ argument: 'session.store', message: 'a store is needed to persist or resume a session (or pass persist: false).' });
  }
  if (!input.hasInput && resume === undefined && fork === undefined) throw nothingToRun();
  const checkpoint = await prepareRunCheckpoint(store, {
    ...(options.checkpointFiles === undefined ? {} : { checkpointFiles: options.checkpointFiles }),
    ...(options.workspace === undefined ? {} : { workspace: options.workspace }),
    persist,
  });
  const withCheckpoint = (opened: OpenedRunSession): OpenedRunSession => (checkpoint ? { ...opened, checkpoint } : opened);
  const recordInit = {
    agentName: agent.name,
    metadata: { model: agent.modelId, ...options.runMetadata },
    ...(options.allowConcurrentRuns ? { allowConcurrent: true } : {}),
  };

  if (!persist) {
    if (fork !== undefined) throw new InvalidArgumentError({ argument: 'session.fork', message: 'a fork is stored; it cannot be combined with persist: false.' });
    const source = resume ?? (store === undefined ? undefined : await existingId(store, options.id));
    const history = source === undefined ? [] : await readHistory(store!, source, window);
    if (!input.hasInput && history.length === 0) throw nothingToRun();
    const sessionId = source ?? options.id ?? generateId('session');
    return { recorder: new MemoryRunRecorder(sessionId, recordInit), history, startData: { persist: false, ...(source ? { resumed: source } : {}) } };
  }

  const sessionStore = store!;
  const continueSession = async (id: string, startData: Record<string, unknown>): Promise<OpenedRunSession> => {
    const history = await readHistory(sessionStore, id, window);
    if (!input.hasInput && history.length === 0) throw nothingToRun();
    const recorder = await StoreRunRecorder.start(sessionStore, id, recordInit);
    return withCheckpoint({ recorder, history, startData });
  };
  if (resume !== undefined) return continueSession(resume, { resumed: resume });
  // A caller-chosen id (`session: { id: 'order-42' }`) is created by the first run and continued by the next.
  const existing = fork === undefined ? await existingId(sessionStore, options.id) : undefined;
  if (existing !== undefined) return continueSession(existing, { continued: existing });
  if (fork !== undefined) {
    if (typeof fork !== 'object' || fork === null) throw new InvalidArgumentError({ argument: 'session.fork', message: 'expected { from, fromMessage? }.' });
    if (!input.hasInput && fork.fromMessage === undefined && (await sessionStore.get(fork.from))?.messageCount === 0) throw nothingToRun();
    const forked = await sessionStore.fork(fork.from, {
      ...(fork.fromMessage === undefined ? {} : { fromMessage: fork.fromMessage }),
      ...(options.id === undefined ? {} : { id: options.id }),
      ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
    });
    const history = await readHistory(sessionStore, forked.id, window);
    const recorder = await StoreRunRecorder.start(sessionStore, forked.id, recordInit);
    return withCheckpoint({ recorder, history, startData: { forkedFrom: forked.forkedFrom ?? { sessionId: fork.from } } });
  }
  let created;
  try {
    created = await sessionStore.create({
      ...(options.id === undefined ? {} : { id: options.id }),
      ...(options.userId === undefined ? {} : { userId: options.userId }),
      ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
      ...(agent.id === undefined ? {} : { agentId: agent.id }),
    });
  } catch (error) {
    // Another run created the same chosen id between the check and the create: continue it.
    const raced = await existingId(sessionStore, options.id);
    if (raced === undefined) throw error;
    return continueSession(raced, { continued: raced });
  }
  const recorder = await StoreRunRecorder.start(sessionStore, created.id, recordInit);
  return withCheckpoint({ recorder, history: [], startData: { created: true } });
}

/** `id` when a session with that id exists (in the store's scope), else undefined. */
async function existingId(store: SessionStore, id: string | undefined): Promise<string | undefined> {
  return id !== undefined && (await store.get(id)) !== undefined ? id : undefined;
}

/** The session's path, or its newest `window` messages with tool calls and results kept paired. */
function readHistory(store: SessionStore, sessionId: string, window: number | undefined): Promise<StoredMessage[]> {
  if (window === undefined) return store.getMessages(sessionId);
  return readWindow((options) => store.getMessages(sessionId, options), window);
}

function nothingToRun(): InvalidArgumentError {
  return new InvalidArgumentError({ argument: 'input', message: 'nothing to run: give an input, or resume a session that has messages.' });
}
