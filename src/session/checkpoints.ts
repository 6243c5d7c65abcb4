/**
 * File checkpoints: `store.checkpoint` before a turn, `store.finishCheckpoint` after it.
 *
 * Semantics. A checkpoint for message M records the workspace as it is when the turn that follows
 * M starts: every visible file's content hash, size and permission bits, every symlink's target,
 * every directory, and which files were skipped (too large, unreadable). Rewinding to M restores
 * exactly that state: files changed since get their bytes back, files created since are removed,
 * deleted ones come back, directories created since are removed once empty.
 *
 * Cost. Recording the full state at every checkpoint would cost the whole workspace's manifest per
 * turn (about 1.3 MB for 10,000 files). Instead each manifest is a delta against the newest earlier
 * checkpoint on the session's path (its base), and is written in full only for a session's first
 * checkpoint or every MAX_CHAIN_DEPTH deltas. File content is stored as blobs addressed by SHA-256,
 * shared by every checkpoint and session in the store: only content the store lacks is uploaded
 * (`missingBlobs`). A turn that changes three files stores three entries and three blobs; an
 * unchanged workspace stores an empty delta. Every restore is still exact, because the full state
 * at any checkpoint is its chain applied in order, and retention keeps the chain (a base is an
 * earlier message of the same path, and a path's prefix outlives every message after it).
 *
 * The turn's end (`finishCheckpoint`) records what the turn changed, relative to the checkpoint,
 * so a later rewind can tell the agent's edits from someone else's (see workspace-conflicts.ts).
 * The first checkpoint taken at a message is kept; taking another at the same message (a turn
 * resumed without new input) returns it unchanged, since rewinding to M must give the state
 * before anything that followed M.
 */
import { DEFAULT_MAX_FILE_BYTES, describeBytes, sha256 } from '../checkpoint/file-entry.js';
import { identifyWorkspace } from '../checkpoint/checkpoint-workspace.js';
import { buildIgnoreRules, readRootGitignore } from '../checkpoint/ignore-rules.js';
import { decodeManifest, encodeManifest, type CheckpointRules } from '../checkpoint/manifest.js';
import { scanIndexFor, type ScanIndex } from '../checkpoint/scan-index.js';
import { assertWorkspaceOutsideStore, storeFilesOf } from '../checkpoint/store-files.js';
import { resolveWorkspaceRoot, absolutePath } from '../checkpoint/workspace-path.js';
import { scanWatched } from '../checkpoint/watched-scan.js';
import { readRegularFile, TimeSlicer, type ScanOptions, type ScanResult } from '../checkpoint/workspace-scan.js';
import { blobHashesOf, deltaOfState, diffStates, type StateDelta } from '../checkpoint/workspace-state.js';
import type { BlobRecord, CheckpointCapableDriver, CheckpointRecord, SessionRecord } from '../driver/driver.js';
import { assertValidId } from '../common/ids.js';
import { InvalidArgumentError, StoreUnavailableError } from '../errors.js';
import type { CheckpointOptions, CheckpointResult, CheckpointSummary, SkippedFile } from '../types.js';
import { assertNotExpired, requireSession } from './access.js';
import { BASE_SEARCH_MESSAGES, checkpointDriver, findCheckpointOnPath, loadCheckpoint, MAX_CHAIN_DEPTH, type LoadedCheckpoint } from './checkpoint-chain.js';
import type { StoreContext } from './context.js';
import { toStoredMessage } from './messages.js';
import { checkpointOptionsSchema, finishCheckpointOptionsSchema, parseOptions } from './options.js';
import { positionOnPath, readPathRange, resolvePath, type PathSpan } from './path.js';

/** Blobs sent per commit when a checkpoint uploads a lot (a first checkpoint of a large workspace). */
const UPLOAD_CHUNK_BYTES = 64 * 1024 * 1024;
/**
 * And at most this many: the file store writes and fsyncs a file per blob, and one commit of
 * 10,000 of them ran into the driver's 10 s deadline on a loaded 2-core machine.
 */
const UPLOAD_CHUNK_BLOBS = 1_000;
/** A workspace that changes under every scan is reported rather than scanned forever. */
const SCAN_ATTEMPTS = 3;
const WARNING_NAMES = 100;

type SessionRecordLike = Pick<SessionRecord, 'id' | 'headSegmentId' | 'messageCount'>;

export async function checkpointWorkspace(context: StoreContext, sessionId: string, checkpointOptions: CheckpointOptions): Promise<CheckpointResult> {
  assertValidId(sessionId, 'session id');
  const options = parseOptions(checkpointOptionsSchema, checkpointOptions, 'checkpoint options');
  const driver = checkpointDriver(context);
  const { root, storeFiles } = await resolveWorkspace(context, options.workspace);
  const session = await requireSession(context, sessionId);
  assertNotExpired(session);
  const spans = await resolvePath(context, session.headSegmentId, session.messageCount);
  const { messageId, position } = await checkpointMessage(context, spans, session, options.atMessage);
  const index = scanIndexFor(root);

  const existing = await driver.getCheckpoint(messageId);
  if (existing) {
    const loaded = await loadCheckpoint(driver, existing, index);
    return { messageId, files: countFiles(loaded), bytesStored: 0, manifestBytes: 0, changedFiles: 0, skipped: [], existing: true };
  }

  const rules: CheckpointRules = { ignore: options.ignore ?? [], maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES };
  const base = await readBase(context, driver, spans, position, index);
  // Recorded so a rewind that names no workspace restores this one (checkpoint-workspace.ts).
  const workspace = await identifyWorkspace(root);
  // A new process knows nothing of the files yet: the base's recorded sizes and times spare re-hashing them.
  if (index.isEmpty && base) index.seed(base.state);
  const deltaBase = base && base.manifest.depth < MAX_CHAIN_DEPTH ? base : undefined;

  for (let attempt = 1; ; attempt += 1) {
    const scan = await scanWatched(root, await scanOptionsFor(root, rules, index, storeFiles));
    const delta = deltaBase ? diffStates(deltaBase.state, scan.state, scan.changes) : deltaOfState(scan.state);
    const blobHashes = blobHashesOf(delta);
    const missing = await driver.missingBlobs(blobHashes);
    const blobs = await readBlobs(root, delta, missing, index);
    if (blobs === undefined) {
      if (attempt >= SCAN_ATTEMPTS) {
        throw new Error(`sessionloom: the files of "${options.workspace}" kept changing while they were checkpointed (${SCAN_ATTEMPTS} attempts); checkpoint when the workspace is quiet.`);
      }
      continue;
    }
    const manifest = encodeManifest({
      ...(deltaBase ? { base: deltaBase.record.messageId } : {}),
      depth: deltaBase ? deltaBase.manifest.depth + 1 : 0,
      rules,
      delta,
      workspace,
    });
    const record: CheckpointRecord = { messageId, sessionId, createdAt: context.now(), manifest, blobHashes };
    await commitCheckpoint(driver, record, blobs);
    // A blob that was stored when we asked may have been collected (prune) before the record that
    // now references it landed. From here on it is referenced and safe, so upload what went missing.
    const lost = await driver.missingBlobs(blobHashes);
    if (lost.length > 0) {
      const again = await readBlobs(root, delta, lost, index);
      if (again === undefined) continue; // the file changed meanwhile: checkpoint again (the record is replaced)
      await driver.commit({ blobs: again });
    }
    index.rememberState(messageId, scan.state);
    warnAboutSkipped(scan.skipped, options.workspace, messageId, rules.maxFileBytes);
    return {
      messageId,
      files: countFiles({ state: scan.state }),
      bytesStored: blobs.reduce((total, blob) => total + blob.bytes.length, 0),
      manifestBytes: Buffer.byteLength(manifest),
      changedFiles: delta.files.size,
      skipped: scan.skipped,
      existing: false,
    };
  }
}

/**
 * The checkpoint a new one can be a delta on: the newest on the path shortly before `position`.
 * A base that cannot be read because the store is unavailable (a fallback store serving from its
 * journal during an outage) is done without: the new checkpoint then records the whole workspace.
 */
async function readBase(context: StoreContext, driver: CheckpointCapableDriver, spans: PathSpan[], position: number, index: ScanIndex): Promise<LoadedCheckpoint | undefined> {
  try {
    const record = await findCheckpointOnPath(context, driver, spans, { lowSeq: position - BASE_SEARCH_MESSAGES, highSeq: position - 1 });
    return record && (await loadCheckpoint(driver, record, index));
  } catch (error) {
    if (StoreUnavailableError.isInstance(error)) return undefined;
    throw error;
  }
}

/**
 * Records what the turn that followed a checkpoint changed (default: the newest checkpoint on the
 * session's path), so a rewind can tell the agent's edits from anyone else's.
 */
export async function finishCheckpoint(
  context: StoreContext,
  sessionId: string,
  finishOptions: { workspace: string; atMessage?: string },
): Promise<{ messageId: string; changedFiles: number }> {
  assertValidId(sessionId, 'session id');
  const options = parseOptions(finishCheckpointOptionsSchema, finishOptions, 'finishCheckpoint options');
  const driver = checkpointDriver(context);
  const { root, storeFiles } = await resolveWorkspace(context, options.workspace);
  const session = await requireSession(context, sessionId);
  const spans = await resolvePath(context, session.headSegmentId, session.messageCount);
  let record: CheckpointRecord | undefined;
  if (options.atMessage !== undefined) {
    await positionOnPath(context, spans, options.atMessage, sessionId);
    record = await driver.getCheckpoint(options.atMessage);
  } else {
    record = await findCheckpointOnPath(context, driver, spans, { lowSeq: session.messageCount - BASE_SEARCH_MESSAGES, highSeq: session.messageCount });
  }
  if (!record) {
    throw new InvalidArgumentError({
      argument: 'atMessage',
      message: `session "${sessionId}" has no file checkpoint ${options.atMessage === undefined ? 'on its recent path' : `at message "${options.atMessage}"`}; call checkpoint() before the turn.`,
    });
  }
  const index = scanIndexFor(root);
  const checkpoint = await loadCheckpoint(driver, record, index);
  const scan = await scanWatched(root, await scanOptionsFor(root, checkpoint.manifest.rules, index, storeFiles));
  const after = diffStates(checkpoint.state, scan.state, scan.changes);
  const manifest = encodeManifest({ ...checkpoint.manifest, after: { at: context.now(), delta: after } });
  await driver.commit({ checkpoints: [{ ...record, manifest }] });
  return { messageId: record.messageId, changedFiles: after.files.size };
}

/** The checkpointed messages of a session's path (its own and, for a fork, its source's on the shared history), oldest first. */
export async function listCheckpoints(context: StoreContext, sessionId: string): Promise<CheckpointSummary[]> {
  assertValidId(sessionId, 'session id');
  const driver = checkpointDriver(context);
  const session = await requireSession(context, sessionId);
  const spans = await resolvePath(context, session.headSegmentId, session.messageCount);
  // The session itself (it may checkpoint messages it inherited), and the owners of the history it shares.
  const owners = new Set<string>([sessionId]);
  for (const span of spans) {
    if (span.fromSeq > span.toSeq) continue;
    const segment = await context.driver.getSegment(span.segmentId);
    if (segment) owners.add(segment.sessionId);
  }
  const summaries: Array<CheckpointSummary & { seq: number }> = [];
  for (const owner of owners) {
    for (const record of await driver.listCheckpoints(owner)) {
      const location = await context.driver.locateMessage(record.messageId);
      const onPath = location !== undefined && spans.some((span) => span.segmentId === location.segmentId && location.seq >= span.fromSeq && location.seq <= span.toSeq);
      if (!onPath) continue;
      const [message] = await context.driver.readMessages(location.segmentId, { fromSeq: location.seq, toSeq: location.seq, order: 'asc' });
      if (!message) continue; // removed by retention since the lookup
      summaries.push({ ...summaryOf(record, toStoredMessage(message).role), seq: location.seq });
    }
  }
  return summaries.sort((left, right) => left.seq - right.seq).map(({ seq: _seq, ...summary }) => summary);
}

function summaryOf(record: CheckpointRecord, role: CheckpointSummary['role']): CheckpointSummary {
  const manifest = decodeManifest(record.manifest, record.messageId);
  let changedBytes = 0;
  for (const entry of manifest.delta.files.values()) if (entry !== 'absent' && entry.kind === 'file') changedBytes += entry.size;
  return {
    messageId: record.messageId,
    sessionId: record.sessionId,
    createdAt: record.createdAt,
    role,
    changedFiles: manifest.delta.files.size,
    changedBytes,
    manifestBytes: Buffer.byteLength(record.manifest),
    turnFinished: manifest.after !== undefined,
  };
}

/**
 * The workspace's real root, refused (`InvalidArgumentError`, before anything changes) when it
 * holds the store's own files or lies inside them; and those files, for scans to skip.
 */
export async function resolveWorkspace(context: StoreContext, workspace: string): Promise<{ root: string; storeFiles: ReadonlySet<string> }> {
  const root = await resolveWorkspaceRoot(workspace);
  const storeFiles = storeFilesOf(context.driver);
  assertWorkspaceOutsideStore(root, workspace, storeFiles);
  return { root, storeFiles: new Set(storeFiles) };
}

/** The scan settings for a workspace under a checkpoint's rules (the root `.gitignore` read as it is now). */
export async function scanOptionsFor(root: string, rules: CheckpointRules, index: ScanIndex, storeFiles: ReadonlySet<string>): Promise<ScanOptions> {
  const gitignore = await readRootGitignore(root);
  const rulesKey = JSON.stringify([gitignore ?? null, rules.ignore, rules.maxFileBytes, [...storeFiles]]);
  return { rules: buildIgnoreRules(gitignore, rules.ignore), maxFileBytes: rules.maxFileBytes, index, excluded: storeFiles, rulesKey };
}

async function checkpointMessage(
  context: StoreContext,
  spans: PathSpan[],
  session: SessionRecordLike,
  atMessage: string | undefined,
): Promise<{ messageId: string; position: number }> {
  if (atMessage !== undefined) return { messageId: atMessage, position: await positionOnPath(context, spans, atMessage, session.id) };
  const [head] = session.messageCount === 0 ? [] : await readPathRange(context, spans, { lowSeq: session.messageCount, highSeq: session.messageCount, order: 'asc' });
  if (!head) {
    throw new InvalidArgumentError({
      argument: 'atMessage',
      message: `session "${session.id}" has no messages yet; a checkpoint belongs to a message (append the user's message first).`,
    });
  }
  return { messageId: head.id, position: head.seq };
}

/**
 * The bytes of the files whose content the store lacks, read again and checked against the scan's
 * hash; undefined when a file changed since the scan (the caller scans again).
 */
async function readBlobs(root: string, delta: StateDelta, missing: string[], index: ScanIndex): Promise<BlobRecord[] | undefined> {
  if (missing.length === 0) return [];
  const pathOf = new Map<string, string>();
  for (const [path, entry] of delta.files) if (entry !== 'absent' && entry.kind === 'file') pathOf.set(entry.hash, path);
  const blobs: BlobRecord[] = [];
  const slicer = new TimeSlicer();
  for (const hash of new Set(missing)) {
    await slicer.pause();
    const path = pathOf.get(hash);
    if (path === undefined) throw new Error(`sessionloom: the driver reported blob ${hash} missing, which this checkpoint never asked about.`);
    let bytes: Buffer;
    try {
      bytes = readRegularFile(absolutePath(root, path));
    } catch {
      index.forget(path);
      return undefined; // removed or replaced since the scan
    }
    if (sha256(bytes) !== hash) {
      index.forget(path);
      return undefined;
    }
    blobs.push({ hash, bytes });
  }
  return blobs;
}

/** One commit when the new content is small; otherwise the blobs go first in chunks (idempotent), then the record with the last chunk. */
async function commitCheckpoint(driver: CheckpointCapableDriver, record: CheckpointRecord, blobs: BlobRecord[]): Promise<void> {
  let chunk: BlobRecord[] = [];
  let chunkBytes = 0;
  for (const blob of blobs) {
    if ((chunkBytes + blob.bytes.length > UPLOAD_CHUNK_BYTES || chunk.length >= UPLOAD_CHUNK_BLOBS) && chunk.length > 0) {
      await driver.commit({ blobs: chunk });
      chunk = [];
      chunkBytes = 0;
    }
    chunk.push(blob);
    chunkBytes += blob.bytes.length;
  }
  await driver.commit({ blobs: chunk, checkpoints: [record] });
}

function countFiles(checkpoint: Pick<LoadedCheckpoint, 'state'> | { state: ScanResult['state'] }): number {
  let count = 0;
  for (const entry of checkpoint.state.files.values()) if (entry.kind !== 'skipped') count += 1;
  return count;
}

function warnAboutSkipped(skipped: SkippedFile[], workspace: string, messageId: string, maxFileBytes: number): void {
  if (skipped.length === 0) return;
  const described = skipped.slice(0, WARNING_NAMES).map((file) => {
    if (file.reason === 'too-large') return `"${file.path}" (${describeBytes(file.size)}, over the ${describeBytes(maxFileBytes)} limit)`;
    if (file.reason === 'unreadable') return `"${file.path}" (not readable)`;
    if (file.reason === 'not-a-file') return `"${file.path}" (not a regular file, or a symlink leading out of the workspace)`;
    return `"${file.path}" (a name sessionloom cannot record)`;
  });
  const more = skipped.length > WARNING_NAMES ? `, and ${skipped.length - WARNING_NAMES} more (see the result's "skipped")` : '';
  process.emitWarning(
    `sessionloom: the checkpoint of "${workspace}" at message ${messageId} skipped ${skipped.length} file(s), which a rewind will leave as they are: ${described.join(', ')}${more}.`,
    { code: 'SESSIONLOOM_CHECKPOINT_SKIPPED' },
  );
}
