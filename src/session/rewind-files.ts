/**
 * `rewind` with `rewindFiles`: the conversation and the workspace go back together.
 *
 * Order of events, so that a failure anywhere leaves both as they were: find the checkpoint of
 * `toMessage` (by message id, so a fork finds its source's), plan the restore from a fresh scan,
 * report conflicts (stopping unless `force`), load and verify every blob the plan needs, apply
 * the plan all or nothing (file-restore.ts), and only then move the head. If moving the head fails,
 * the files are put back; if another writer moved the head first, everything is planned again.
 * The same commit marks the target checkpoint as what the workspace now is, so a later rewind
 * compares against the restored files, not against the turn that was undone.
 */
import { sha256 } from '../checkpoint/file-entry.js';
import { recordedWorkspacePath } from '../checkpoint/checkpoint-workspace.js';
import { applyRestore } from '../checkpoint/file-restore.js';
import { buildIgnoreRules } from '../checkpoint/ignore-rules.js';
import { decodeManifest, encodeManifest } from '../checkpoint/manifest.js';
import { planRestore, type RestorePlan } from '../checkpoint/restore-plan.js';
import { scanIndexFor, type ScanIndex } from '../checkpoint/scan-index.js';
import { findConflicts, type KnownWorkspace } from '../checkpoint/workspace-conflicts.js';
import { scanWatched } from '../checkpoint/watched-scan.js';
import { emptyDelta } from '../checkpoint/workspace-state.js';
import { WriteConflict, type CheckpointCapableDriver, type CheckpointRecord, type SessionRecord } from '../driver/driver.js';
import { InvalidArgumentError, WorkspaceConflictError } from '../errors.js';
import type { RewindResult, RewoundFiles } from '../types.js';
import { assertNotExpired, requireSession } from './access.js';
import { checkpointDriver, findCheckpointOnPath, loadCheckpoint, type LoadedCheckpoint } from './checkpoint-chain.js';
import { resolveWorkspace, scanOptionsFor } from './checkpoints.js';
import type { StoreContext } from './context.js';
import { planHeadMove } from './head-move.js';
import { positionOnPath, resolvePath, type PathSpan } from './path.js';
import { toSession } from './records.js';

const MAX_ATTEMPTS = 20;
/** A `.gitignore` larger than this is not read from a checkpoint (it is not a list of patterns). */
const MAX_GITIGNORE_BYTES = 1024 * 1024;

export interface FileRewindOptions {
  toMessage: string;
  /** Default: the directory the target checkpoint was taken of, if it is still that directory (checkpoint-workspace.ts). */
  workspace?: string | undefined;
  dryRun?: boolean | undefined;
  force?: boolean | undefined;
}

export async function rewindWithFiles(context: StoreContext, sessionId: string, options: FileRewindOptions): Promise<RewindResult> {
  const driver = checkpointDriver(context);
  const workspace = options.workspace ?? (await workspaceOfCheckpoint(context, driver, sessionId, options.toMessage));
  const { root, storeFiles } = await resolveWorkspace(context, workspace);
  for (let attempt = 1; ; attempt += 1) {
    const record = await requireSession(context, sessionId);
    assertNotExpired(record);
    const spans = await resolvePath(context, record.headSegmentId, record.messageCount);
    const position = await positionOnPath(context, spans, options.toMessage, sessionId);
    const targetRecord = await driver.getCheckpoint(options.toMessage);
    if (!targetRecord) throw noCheckpointError(options.toMessage);
    const index = scanIndexFor(root);
    const target = await loadCheckpoint(driver, targetRecord, index);
    const known = await lastKnownWorkspace(context, driver, spans, record, position, target, index);
    const scanOptions = await scanOptionsFor(root, target.manifest.rules, index, storeFiles);
    const scan = await scanWatched(root, scanOptions);
    const targetRules = buildIgnoreRules(await gitignoreOf(driver, target), target.manifest.rules.ignore);
    const plan = await planRestore(root, { current: scan.state, target: target.state, targetRules, scanOptions });
    const files: RewoundFiles = {
      workspace: root,
      restored: plan.writes.map((write) => write.path),
      removed: plan.deletes,
      conflicts: findConflicts(plan, known),
      removedDirectories: plan.removeDirectories,
      skipped: plan.skipped,
    };
    const removedMessages = record.messageCount - position;
    if (options.dryRun === true) return { session: toSession(record), removedMessages, files, dryRun: true };
    if (files.conflicts.length > 0 && options.force !== true) throw new WorkspaceConflictError({ sessionId, files: files.conflicts });

    const contents = await loadContents(driver, plan);
    const applied = await applyRestore(root, plan, contents);
    // Their bytes and times changed under the index: hash them again next time.
    for (const path of [...files.restored, ...files.removed]) index.forget(path);
    const settled = { ...targetRecord, manifest: encodeManifest({ ...target.manifest, after: { at: context.now(), delta: emptyDelta() } }) };
    const move = position === record.messageCount ? undefined : planHeadMove(context, record, spans, position);
    try {
      await driver.commit({ ...move?.batch, checkpoints: [settled] });
    } catch (error) {
      await applied.rollback();
      const lostRace = WriteConflict.is(error) && error.reason.kind === 'version';
      if (lostRace && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
    // The rewind is complete; a backup directory that could not be deleted is litter, not a failure.
    await applied.discard().catch(() => {});
    return {
      session: move ? move.result.session : toSession(record),
      removedMessages,
      files: { ...files, removedDirectories: applied.removedDirectories },
    };
  }
}

function noCheckpointError(messageId: string): InvalidArgumentError {
  return new InvalidArgumentError({
    argument: 'toMessage',
    message:
      `message "${messageId}" has no file checkpoint, so the files cannot be put back as they were there. ` +
      'A run with session.checkpointFiles checkpoints every message it writes (its input, each assistant message, each tool result); ' +
      'messages written otherwise have one only where store.checkpoint was called. store.checkpoints(id) lists them. ' +
      'Rewind without rewindFiles to move only the conversation.',
  });
}

/** The workspace the target checkpoint was taken of (the message checked to be on the session's path first: no other session's checkpoint is read). */
async function workspaceOfCheckpoint(context: StoreContext, driver: CheckpointCapableDriver, sessionId: string, messageId: string): Promise<string> {
  const record = await requireSession(context, sessionId);
  const spans = await resolvePath(context, record.headSegmentId, record.messageCount);
  await positionOnPath(context, spans, messageId, sessionId);
  const checkpoint = await driver.getCheckpoint(messageId);
  if (!checkpoint) throw noCheckpointError(messageId);
  return recordedWorkspacePath(decodeManifest(checkpoint.manifest, messageId).workspace, messageId);
}

/**
 * What sessionloom last knew the workspace to be: of the session's own checkpoints and the newest
 * one on its path since `position`, the one known most recently (a finished turn is known at its
 * end, a rewind's target at the rewind), with the turn's recorded changes on top.
 */
async function lastKnownWorkspace(
  context: StoreContext,
  driver: CheckpointCapableDriver,
  spans: PathSpan[],
  session: SessionRecord,
  position: number,
  target: LoadedCheckpoint,
  index: ScanIndex,
): Promise<KnownWorkspace> {
  const candidates = new Map<string, CheckpointRecord>();
  for (const record of await driver.listCheckpoints(session.id)) candidates.set(record.messageId, record);
  const newestOnPath = await findCheckpointOnPath(context, driver, spans, { lowSeq: position, highSeq: session.messageCount });
  candidates.set(target.record.messageId, target.record);
  if (newestOnPath) candidates.set(newestOnPath.messageId, newestOnPath);
  let best: { record: CheckpointRecord; knownAt: number } | undefined;
  for (const record of candidates.values()) {
    const manifest = decodeManifest(record.manifest, record.messageId);
    const knownAt = manifest.after?.at ?? record.createdAt;
    if (!best || knownAt > best.knownAt) best = { record, knownAt };
  }
  const chosen = best!.record.messageId === target.record.messageId ? target : await loadCheckpoint(driver, best!.record, index);
  return { state: chosen.state, ...(chosen.manifest.after ? { after: chosen.manifest.after.delta } : {}) };
}

/** The checkpoint's own `.gitignore` text, so a restore never removes what that checkpoint ignored. */
async function gitignoreOf(driver: CheckpointCapableDriver, checkpoint: LoadedCheckpoint): Promise<string | undefined> {
  const entry = checkpoint.state.files.get('.gitignore');
  if (entry?.kind !== 'file' || entry.size > MAX_GITIGNORE_BYTES) return undefined;
  const bytes = await driver.getBlob(entry.hash);
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');
}

/** Every blob the plan writes, each checked against its hash, before anything is changed. */
async function loadContents(driver: CheckpointCapableDriver, plan: RestorePlan): Promise<Map<string, Uint8Array>> {
  const contents = new Map<string, Uint8Array>();
  for (const { path, entry } of plan.writes) {
    if (entry.kind !== 'file' || contents.has(entry.hash)) continue;
    const bytes = await driver.getBlob(entry.hash);
    if (bytes === undefined) {
      throw new Error(`sessionloom: the content of "${path}" (blob ${entry.hash}) is missing from the store; nothing was changed.`);
    }
    if (sha256(bytes) !== entry.hash) {
      throw new Error(`sessionloom: the stored content of "${path}" does not match its hash ${entry.hash} (the store is damaged); nothing was changed.`);
    }
    contents.set(entry.hash, bytes);
  }
  return contents;
}
