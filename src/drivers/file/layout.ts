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
 *   index/messages/<xx>.jsonl       (message, segment, seq) per message, 256 shards by hash: locateMessage
 * ```
 */
import { createHash } from 'node:crypto';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { assertStorableId, encodeFileName } from './file-names.js';

export const STORE_DIRECTORIES = ['sessions', 'segments', 'operations', 'runs', 'run-events', 'index', join('index', 'messages')] as const;

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
  get runIndexFile(): string {
    return this.inside('index', 'runs.jsonl');
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
