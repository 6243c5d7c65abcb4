/**
 * Where everything lives inside the store directory. Every path is built here, from an id checked
 * against `ID_PATTERN` and encoded by `encodeFileName`, and checked to be inside the directory
 * before it is returned; nothing else in the driver joins paths.
 *
 * ```
 * DIR/
 *   sessionloom-store.json          what this directory is (format marker)
 *   journal                         the commit in progress, empty when none is (see journal.ts)
 *   commit.lock/                    held by the process committing (see lock.ts)
 *   sessions/<id>.json              one session record: the head, replaced atomically
 *   segments/<id>.jsonl             line 1: the segment record; then one message per line, in seq order
 *   operations/<session id>.jsonl   the session's append operation ids, one per line
 *   runs/<id>.json                  one run record, replaced atomically
 *   run-events/<run id>.jsonl       the run's events, one per line
 *   index/segments.jsonl            (segment, owner session, parent segment) per segment: listSegments
 *   index/runs.jsonl                (run, session) per run: listRuns
 *   index/sessions.jsonl            each session record a commit wrote (or its deletion): listSessions
 *   index/messages/<xx>.jsonl       (message, segment, seq) per message, 256 shards by hash: locateMessage
 *   blobs/<xx>/<hash>               checkpoint file content, named by its SHA-256 (xx: its first two hex digits)
 *   checkpoints/<message id>.json   one checkpoint record, replaced atomically
 *   index/checkpoints.jsonl         (message, session) per checkpoint: listCheckpoints
 * ```
 */
import { createHash, randomUUID } from 'node:crypto';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InvalidArgumentError } from '../../errors.js';
import { TEMPORARY_PREFIX } from './durable-write.js';
import { assertStorableId, decodeFileName, encodeFileName } from './file-names.js';

export const STORE_DIRECTORIES = [
  'sessions',
  'segments',
  'operations',
  'runs',
  'run-events',
  'index',
  join('index', 'messages'),
  'blobs',
  'checkpoints',
] as const;

/** A blob's name: the SHA-256 of its content in lower-case hex, the only input that ever names a blob file. */
export const BLOB_HASH_PATTERN = /^[0-9a-f]{64}$/;
/** A blob shard directory's name: the first two hex digits of the hashes it holds. */
export const BLOB_SHARD_PATTERN = /^[0-9a-f]{2}$/;

const MESSAGE_INDEX_SHARDS = 256;

export class StoreLayout {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  get markerFile(): string {
    return this.inside('sessionloom-store.json');
  }
  get journalFile(): string {
    return this.inside('journal');
  }
  get lockDirectory(): string {
    return this.inside('commit.lock');
  }
  get sessionsDirectory(): string {
    return this.inside('sessions');
  }
  get segmentsDirectory(): string {
    return this.inside('segments');
  }
  get runsDirectory(): string {
    return this.inside('runs');
  }
  get segmentIndexFile(): string {
    return this.inside('index', 'segments.jsonl');
  }
  get sessionIndexFile(): string {
    return this.inside('index', 'sessions.jsonl');
  }
  get runIndexFile(): string {
    return this.inside('index', 'runs.jsonl');
  }
  get checkpointIndexFile(): string {
    return this.inside('index', 'checkpoints.jsonl');
  }
  get blobsDirectory(): string {
    return this.inside('blobs');
  }
  get checkpointsDirectory(): string {
    return this.inside('checkpoints');
  }

  sessionFile(sessionId: string): string {
    assertStorableId(sessionId, 'session id');
    return this.inside('sessions', `${encodeFileName(sessionId)}.json`);
  }

  segmentFile(segmentId: string): string {
    assertStorableId(segmentId, 'segment id');
    return this.inside('segments', `${encodeFileName(segmentId)}.jsonl`);
  }

  operationsFile(sessionId: string): string {
    assertStorableId(sessionId, 'session id');
    return this.inside('operations', `${encodeFileName(sessionId)}.jsonl`);
  }

  runFile(runId: string): string {
    assertStorableId(runId, 'run id');
    return this.inside('runs', `${encodeFileName(runId)}.json`);
  }

  runEventsFile(runId: string): string {
    assertStorableId(runId, 'run id');
    return this.inside('run-events', `${encodeFileName(runId)}.jsonl`);
  }

  checkpointFile(messageId: string): string {
    assertStorableId(messageId, 'message id');
    return this.inside('checkpoints', `${encodeFileName(messageId)}.json`);
  }

  /** Blobs are spread over 256 directories so none grows to millions of entries. */
  blobFile(hash: string): string {
    assertBlobHash(hash);
    return this.inside('blobs', hash.slice(0, 2), hash);
  }

  /** Where a new blob is written before its commit point: beside its final name, so the rename is atomic. */
  stagedBlobFile(hash: string): string {
    assertBlobHash(hash);
    return this.inside('blobs', hash.slice(0, 2), `${TEMPORARY_PREFIX}${randomUUID()}`);
  }

  blobShardDirectory(shard: string): string {
    if (!BLOB_SHARD_PATTERN.test(shard)) throw new Error(`FileDriver: ${JSON.stringify(shard)} is not a blob shard name.`);
    return this.inside('blobs', shard);
  }

  /** The shard of the message index that holds this id: a hash spreads ids evenly whatever their shape. */
  messageIndexFile(messageId: string): string {
    assertStorableId(messageId, 'message id');
    const shard = createHash('sha256').update(messageId).digest()[0] ?? 0;
    return this.inside('index', 'messages', `${(shard % MESSAGE_INDEX_SHARDS).toString(16).padStart(2, '0')}.jsonl`);
  }

  /** A path as the journal records it: relative to the root, so a moved store directory still recovers. */
  toRelative(path: string): string {
    return relative(this.root, this.verified(path));
  }

  /** The session whose record file a journal path names, or undefined when it names another kind of file. */
  sessionIdOfRelative(relativePath: string): string | undefined {
    const prefix = `sessions${sep}`;
    if (!relativePath.startsWith(prefix) || !relativePath.endsWith('.json')) return undefined;
    const name = relativePath.slice(prefix.length, -'.json'.length);
    return name.includes(sep) ? undefined : decodeFileName(name);
  }

  /** A path the journal recorded, verified to stay inside the store (a tampered journal cannot reach out). */
  fromRelative(relativePath: string): string {
    if (typeof relativePath !== 'string' || relativePath.length === 0 || isAbsolute(relativePath) || relativePath.includes('\0')) {
      throw new Error(`FileDriver: the journal names an invalid path ${JSON.stringify(relativePath)}.`);
    }
    return this.verified(join(this.root, relativePath));
  }

  private inside(...parts: string[]): string {
    return this.verified(join(this.root, ...parts));
  }

  /** Throws unless `path` is strictly inside the root: the last guard before the file system is touched. */
  private verified(path: string): string {
    const resolved = resolve(path);
    const fromRoot = relative(this.root, resolved);
    if (fromRoot === '' || fromRoot === '..' || fromRoot.startsWith(`..${sep}`) || isAbsolute(fromRoot)) {
      throw new Error(`FileDriver: refusing the path ${JSON.stringify(path)}, which is outside the store directory ${this.root}.`);
    }
    return resolved;
  }
}

/** Throws `InvalidArgumentError` unless `hash` is a lower-case hex SHA-256: checked before any blob path is built. */
export function assertBlobHash(hash: unknown): asserts hash is string {
  if (typeof hash !== 'string' || !BLOB_HASH_PATTERN.test(hash)) {
    const shown = typeof hash === 'string' ? JSON.stringify(hash.length > 70 ? `${hash.slice(0, 70)}...` : hash) : typeof hash;
    throw new InvalidArgumentError({ argument: 'blob hash', message: `${shown} is not a lower-case hex SHA-256; the file store refuses to build a path from it.` });
  }
}
