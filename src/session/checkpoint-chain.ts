/**
 * Reading file checkpoints back. A checkpoint's manifest is a delta against its base (an earlier
 * checkpoint on the same path) or a full manifest; its full state is the chain's deltas applied in
 * order, at most MAX_CHAIN_DEPTH of them. Checkpoints are found by message id, so a fork finds the
 * checkpoints its source took on the history they share.
 */
import { decodeManifest, type CheckpointManifest } from '../checkpoint/manifest.js';
import type { ScanIndex } from '../checkpoint/scan-index.js';
import { applyDeltaInPlace, emptyState, type WorkspaceState } from '../checkpoint/workspace-state.js';
import { supportsCheckpoints, type CheckpointCapableDriver, type CheckpointRecord } from '../driver/driver.js';
import { InvalidArgumentError } from '../errors.js';
import type { StoreContext } from './context.js';
import { readPathRange, type PathSpan } from './path.js';

/** Longest delta chain: past it a checkpoint is written in full, so reading one back stays a few small reads. */
export const MAX_CHAIN_DEPTH = 64;

/** How far back along the path a new checkpoint looks for its base (a turn rarely has more messages than this). */
export const BASE_SEARCH_MESSAGES = 500;

const PAGE = 50;

export interface LoadedCheckpoint {
  record: CheckpointRecord;
  manifest: CheckpointManifest;
  /** The whole workspace as recorded (the chain applied). */
  state: WorkspaceState;
}

/** The driver, if it keeps checkpoints; otherwise a clear `InvalidArgumentError`. */
export function checkpointDriver(context: StoreContext): CheckpointCapableDriver {
  if (!supportsCheckpoints(context.driver)) {
    throw new InvalidArgumentError({
      argument: 'store',
      message: `the ${context.driver.name} store does not keep file checkpoints; every built-in store (memory, SQLite, file, PostgreSQL, Redis, and a fallback over one of them) does.`,
    });
  }
  return context.driver;
}

/** The checkpoint's full state, following its base chain (states this process built recently come from `index`). */
export async function loadCheckpoint(driver: CheckpointCapableDriver, record: CheckpointRecord, index?: ScanIndex): Promise<LoadedCheckpoint> {
  const manifest = decodeManifest(record.manifest, record.messageId);
  const cached = index?.stateOf(record.messageId);
  if (cached !== undefined) return { record, manifest, state: cached };
  const chain: CheckpointManifest[] = [manifest];
  let baseState: WorkspaceState | undefined;
  let base = manifest.base;
  while (base !== undefined) {
    baseState = index?.stateOf(base);
    if (baseState !== undefined) break;
    if (chain.length > MAX_CHAIN_DEPTH + 1) throw new Error(`sessionloom: the file checkpoint chain of message "${record.messageId}" is longer than ${MAX_CHAIN_DEPTH}; it is damaged.`);
    const baseRecord = await driver.getCheckpoint(base);
    if (!baseRecord) {
      throw new Error(`sessionloom: the file checkpoint of message "${record.messageId}" is based on "${base}", whose checkpoint is missing from the store.`);
    }
    const baseManifest = decodeManifest(baseRecord.manifest, base);
    chain.push(baseManifest);
    base = baseManifest.base;
  }
  // Oldest first: each delta applies on top of its base's state.
  // One copy of the base for the whole chain (a copy per link cost depth x files on a cold process's first checkpoint).
  const state = baseState === undefined ? emptyState() : { files: new Map(baseState.files), directories: new Set(baseState.directories) };
  for (const link of chain.reverse()) applyDeltaInPlace(state, link.delta);
  index?.rememberState(record.messageId, state);
  return { record, manifest, state };
}

/** The newest checkpoint at a message of the path with `lowSeq <= position <= highSeq`, or undefined. */
export async function findCheckpointOnPath(
  context: StoreContext,
  driver: CheckpointCapableDriver,
  spans: PathSpan[],
  range: { lowSeq: number; highSeq: number },
): Promise<CheckpointRecord | undefined> {
  let highSeq = range.highSeq;
  while (highSeq >= range.lowSeq && highSeq > 0) {
    const page = await readPathRange(context, spans, { lowSeq: Math.max(range.lowSeq, 1), highSeq, order: 'desc', limit: PAGE });
    if (page.length === 0) return undefined;
    for (const message of page) {
      const record = await driver.getCheckpoint(message.id);
      if (record) return record;
    }
    highSeq = page[page.length - 1]!.seq - 1;
  }
  return undefined;
}
