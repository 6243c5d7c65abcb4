/**
 * The Redis storage driver (ioredis), for fleets of stateless servers sharing one Redis.
 *
 * Layout (keys.ts): a session record is a string `<version>\n<JSON>`; a segment's messages are one
 * sorted set scored by seq, so a page of history is one ZRANGEBYSCORE ... LIMIT whatever the
 * history's length; a hash maps message ids to `<segmentId>\n<seq>`. Sorted-set indexes (indexes.ts)
 * answer lists without scanning the keyspace (list-sessions.ts, query-plan.ts).
 *
 * Atomicity: every commit is one Lua script (commit-script.ts) that checks all the batch's conditions
 * (versions, duplicate message ids, duplicate operation ids) before its first write, then writes
 * records, messages, operations, runs and index entries. Redis runs scripts one at a time, so a
 * commit is also isolated from every other client.
 *
 * Expiry (`ttlSeconds`), designed so no session is ever half expired:
 * - Every commit that writes a session's data sets ONE absolute deadline (server time + TTL,
 *   PEXPIREAT) on every key that session needs: its record, operations, runs and run events, its
 *   list of segments, and each segment its paths reach (its own and its ancestors', which a fork
 *   shares with its source) with that segment's messages and list of continuations. Keys set
 *   together expire together, and a shared segment keeps the latest deadline of all sessions
 *   reaching it, so a session kept alive by writes keeps all its history, forks' included.
 * - The refresh costs the number of segments the session reaches (one per fork level and per
 *   rewind), never the number of messages: appends stay flat however long the history.
 * - What cannot expire per session stays consistent by being checked on read: a message location
 *   (one hash for all messages; a hash field has no expiry in Redis 7.0) counts only while its
 *   segment exists, so an expired session's messages can neither be located nor collide with new
 *   ids; index entries whose record is gone are skipped by readers and then removed, with all the
 *   session's other entries. So a session whose record is gone is never listed, and one that is
 *   listed has every message (they share the record's deadline or a later one).
 * - The garbage expiry leaves is collected a bounded amount per commit: sessions whose deadline
 *   (`expiry-deadlines`) passed lose their index entries, and a cursor walks the two location
 *   hashes a few dozen fields at a time, dropping those whose segment or session is gone.
 *
 * File checkpoints (checkpoints.ts, checkpoint-scripts.ts): blobs are binary strings `blob:<hash>`,
 * written in the commit script from Buffer ARGV values with SET NX (created only if absent) and read
 * with a binary reply. A checkpoint record lives in a hash per segment of its message
 * (`segment-checkpoints:<segmentId>`), because a checkpoint must expire no earlier than the message
 * it describes: that hash gets the segment's deadline when written and is renewed in the same walk
 * as the segment's messages, so it expires exactly when they do, forks keeping it alive too (a
 * deadline per session would expire a checkpoint a fork still reaches). A checkpoint written before
 * its message exists goes to `unplaced-checkpoints` (no expiry) until collected. `checkpoint-index`
 * maps each message id to where its record is, its session and its blob hashes; a session's sorted
 * set lists its checkpoints by `createdAt`, with the session's deadline.
 * Blobs have no expiry: they are shared across sessions by hash, so a deadline would have to be the
 * latest of every checkpoint using them, renewed with each. Instead `blob-references` counts the
 * checkpoints using each blob (kept in the commit script), and `collectCheckpoints` first drops
 * checkpoints whose message is gone (deleted, or expired with its segment: the index entry keeps the
 * hashes to release), then deletes blobs whose count is zero. So with `ttlSeconds`, blob space comes
 * back only when `collectCheckpoints` (the store's `prune`) runs. Known gap, as on other backends: a
 * blob unused at the moment `missingBlobs` reported it stored may be collected before the commit
 * that reuses it.
 *
 * Failures: a refused, dropped or timed-out connection surfaces as `StoreUnavailableError` with the
 * ioredis error as `cause` (errors.ts); the client made from a URL fails fast while disconnected and
 * reconnects by itself (client.ts). Its 'error' events are always listened to, so none crashes
 * the process. Keys of one store must live on one Redis node (use a `{hash tag}` in the prefix on a
 * cluster): the scripts touch keys across sessions.
 */
import {
  type CheckpointRecord,
  compareOperations,
  type CheckpointStorage,
  type MessageRecord,
  type OperationRecord,
  type RunEventRecord,
  type RunRecord,
  type SegmentRecord,
  type SessionQuery,
  type SessionRecord,
  type StorageDriver,
  type WriteBatch,
  ALL_CAPABILITIES,
} from '../../driver/driver.js';
import { ID_PATTERN } from '../../common/ids.js';
import { StoreUnavailableError } from '../../errors.js';
import { connectClient, type RedisClientLike } from './client.js';
import * as checkpoints from './checkpoints.js';
import { commitBatch } from './commit.js';
import { asInteger, asOptionalString, asStringArray, RedisConnection } from './connection.js';
import { RedisKeys } from './keys.js';
import { listSessions } from './list-sessions.js';
import { catchUpLiveIndex } from './live-index.js';
import { resolveOptions, type RedisDriverOptions } from './options.js';
import { RedisRunSignals } from './run-signals.js';
import {
  decodeLocation,
  decodeMessageMember,
  decodeOperation,
  decodeRun,
  decodeRunEventMember,
  decodeSegment,
  decodeSession,
  runEventRange,
} from './records.js';
import { DELETE_MESSAGES_SCRIPT, DELETE_SEGMENT_SCRIPT, LOCATE_SCRIPT } from './scripts.js';

export type { RedisClientLike } from './client.js';
export type { RedisDriverOptions } from './options.js';

/** How long close() waits for the server to acknowledge QUIT. */
const QUIT_PATIENCE_MS = 1_000;

export class RedisDriver implements StorageDriver, CheckpointStorage {
  readonly name = 'redis';
  readonly capabilities = ALL_CAPABILITIES;

  private readonly connection: RedisConnection;
  private readonly signals: RedisRunSignals;
  private closed = false;
  private liveIndexCaughtUp: Promise<void> | undefined;

  private constructor(
    private readonly client: RedisClientLike,
    private readonly ownsClient: boolean,
    private readonly keys: RedisKeys,
    private readonly ttlMs: number | undefined,
    private readonly errorListener: (error: Error) => void,
  ) {
    this.connection = new RedisConnection(client);
    this.signals = new RedisRunSignals(client, this.connection, keys);
  }

  /** A driver over a new client for `url`, or over your `client`. Fails with `StoreUnavailableError` when the server cannot be reached. */
  static async connect(options: RedisDriverOptions): Promise<RedisDriver> {
    const resolved = resolveOptions(options);
    const keys = new RedisKeys(resolved.keyPrefix);
    // Errors also reach the caller of the failing command; the listener only keeps them from being unhandled.
    const errorListener = (_error: Error): void => {};
    if (resolved.client !== undefined) {
      resolved.client.on('error', errorListener);
      return new RedisDriver(resolved.client, false, keys, resolved.ttlMs, errorListener);
    }
    let client: RedisClientLike;
    try {
      client = await connectClient(resolved.url as string, resolved.commandTimeoutMs, errorListener);
    } catch (error) {
      if (StoreUnavailableError.isInstance(error)) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError({ store: 'redis', message: `The redis store is unavailable (connect): ${reason}`, cause: error });
    }
    return new RedisDriver(client, true, keys, resolved.ttlMs, errorListener);
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    if (!ID_PATTERN.test(id)) return undefined;
    const key = this.keys.session(id);
    const value = asOptionalString(await this.connection.call('GET', key));
    return value === undefined ? undefined : decodeSession(value, key);
  }

  async listSessions(query: SessionQuery): Promise<SessionRecord[]> {
    if (query.hasLiveRuns === true) {
      // Once per driver; a failed catch-up (an outage) is tried again by the next such listing.
      this.liveIndexCaughtUp ??= catchUpLiveIndex(this.connection, this.keys).catch((error: unknown) => {
        this.liveIndexCaughtUp = undefined;
        throw error;
      });
      await this.liveIndexCaughtUp;
    }
    return listSessions(this.connection, this.keys, query);
  }

  async getSegment(id: string): Promise<SegmentRecord | undefined> {
    if (!ID_PATTERN.test(id)) return undefined;
    const key = this.keys.segment(id);
    const value = asOptionalString(await this.connection.call('GET', key));
    return value === undefined ? undefined : decodeSegment(value, key);
  }

  async listSegments(where: { sessionId: string } | { parentId: string }): Promise<SegmentRecord[]> {
    const owner = 'sessionId' in where ? where.sessionId : where.parentId;
    if (!ID_PATTERN.test(owner)) return [];
    const listKey = 'sessionId' in where ? this.keys.sessionSegments(where.sessionId) : this.keys.segmentChildren(where.parentId);
    const ids = asStringArray(await this.connection.call('LRANGE', listKey, 0, -1)).filter(
      (id): id is string => id !== undefined && ID_PATTERN.test(id),
    );
    if (ids.length === 0) return [];
    const segmentKeys = ids.map((id) => this.keys.segment(id));
    const values = asStringArray(await this.connection.call('MGET', ...segmentKeys));
    // A listed segment may be gone: deleted by retention, or expired while its list lives on.
    const segments = values.flatMap((value, index) => (value === undefined ? [] : [decodeSegment(value, segmentKeys[index] as string)]));
    // The list is in write order; creation order is createdAt's (an imported history is written in
    // another order). The sort is stable: segments of one millisecond keep their write order.
    return segments.sort((left, right) => left.createdAt - right.createdAt);
  }

  async readMessages(
    segmentId: string,
    range: { fromSeq: number; toSeq: number; order: 'asc' | 'desc'; limit?: number },
  ): Promise<MessageRecord[]> {
    if (!ID_PATTERN.test(segmentId) || range.fromSeq > range.toSeq) return [];
    const key = this.keys.segmentMessages(segmentId);
    const limit = range.limit === undefined || !Number.isFinite(range.limit) ? [] : ['LIMIT', 0, Math.max(0, Math.trunc(range.limit))];
    if (limit[2] === 0) return [];
    const members =
      range.order === 'desc'
        ? await this.connection.call('ZREVRANGEBYSCORE', key, boundText(range.toSeq), boundText(range.fromSeq), ...limit)
        : await this.connection.call('ZRANGEBYSCORE', key, boundText(range.fromSeq), boundText(range.toSeq), ...limit);
    return asStringArray(members).flatMap((member) => (member === undefined ? [] : [decodeMessageMember(member, key)]));
  }

  async locateMessage(messageId: string): Promise<{ segmentId: string; seq: number } | undefined> {
    if (!ID_PATTERN.test(messageId)) return undefined;
    const value = asOptionalString(
      await this.connection.evaluate(LOCATE_SCRIPT, [this.keys.messageLocations], [messageId, this.keys.scriptPrefixes.segment]),
    );
    return value === undefined ? undefined : decodeLocation(value);
  }

  async listOperations(sessionId: string): Promise<OperationRecord[]> {
    if (!ID_PATTERN.test(sessionId)) return [];
    const key = this.keys.sessionOperations(sessionId);
    const values = asStringArray(await this.connection.call('HVALS', key));
    return values
      .filter((value): value is string => value !== undefined)
      .map((value) => decodeOperation(value, key))
      .sort(compareOperations);
  }

  async getOperation(sessionId: string, operationId: string): Promise<OperationRecord | undefined> {
    if (!ID_PATTERN.test(sessionId)) return undefined;
    const key = this.keys.sessionOperations(sessionId);
    const value = asOptionalString(await this.connection.call('HGET', key, operationId));
    return value === undefined ? undefined : decodeOperation(value, key);
  }

  commit(batch: WriteBatch): Promise<void> {
    return commitBatch(this.connection, this.keys, this.ttlMs, batch);
  }

  async deleteMessagesAfter(segmentId: string, afterSeq: number): Promise<number> {
    if (!ID_PATTERN.test(segmentId)) return 0;
    const reply = await this.connection.evaluate(
      DELETE_MESSAGES_SCRIPT,
      [this.keys.segmentMessages(segmentId), this.keys.messageLocations],
      [segmentId, `(${boundText(afterSeq)}`],
    );
    return asInteger(reply);
  }

  async deleteSegment(segmentId: string): Promise<number> {
    const segment = await this.getSegment(segmentId);
    if (segment === undefined) return 0;
    const reply = await this.connection.evaluate(
      DELETE_SEGMENT_SCRIPT,
      [
        this.keys.segment(segmentId),
        this.keys.segmentMessages(segmentId),
        this.keys.sessionSegments(segment.sessionId),
        segment.parentId === undefined ? this.keys.segment(segmentId) : this.keys.segmentChildren(segment.parentId),
        this.keys.messageLocations,
      ],
      [segmentId, segment.parentId === undefined ? '0' : '1'],
    );
    return asInteger(reply);
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const sessionId = await this.sessionOfRun(id);
    if (sessionId === undefined) return undefined;
    const key = this.keys.sessionRuns(sessionId);
    const value = asOptionalString(await this.connection.call('HGET', key, id));
    return value === undefined ? undefined : decodeRun(value, key);
  }

  async listRuns(sessionId: string): Promise<RunRecord[]> {
    if (!ID_PATTERN.test(sessionId)) return [];
    // The order set sorts by startedAt, then by id (Redis's order of equal scores).
    const ids = asStringArray(await this.connection.call('ZRANGE', this.keys.sessionRunOrder(sessionId), 0, -1)).filter(
      (id): id is string => id !== undefined,
    );
    if (ids.length === 0) return [];
    const key = this.keys.sessionRuns(sessionId);
    const values = asStringArray(await this.connection.call('HMGET', key, ...ids));
    return values.flatMap((value) => (value === undefined ? [] : [decodeRun(value, key)]));
  }

  async readRunEvents(runId: string, range: { afterSeq: number; limit?: number }): Promise<RunEventRecord[]> {
    const sessionId = await this.sessionOfRun(runId);
    if (sessionId === undefined) return [];
    const limit = range.limit === undefined || !Number.isFinite(range.limit) ? undefined : Math.max(0, Math.trunc(range.limit));
    if (limit === 0) return [];
    const key = this.keys.sessionRunEvents(sessionId);
    const bounds = runEventRange(runId, Math.max(0, Math.floor(range.afterSeq) + 1));
    const members = await this.connection.call('ZRANGEBYLEX', key, bounds.min, bounds.max, ...(limit === undefined ? [] : ['LIMIT', 0, limit]));
    return asStringArray(members).flatMap((member) => (member === undefined ? [] : [decodeRunEventMember(member, key)]));
  }

  getBlob(hash: string): Promise<Uint8Array | undefined> {
    return checkpoints.getBlob(this.connection, this.keys, hash);
  }

  missingBlobs(hashes: string[]): Promise<string[]> {
    return checkpoints.missingBlobs(this.connection, this.keys, hashes);
  }

  getCheckpoint(messageId: string): Promise<CheckpointRecord | undefined> {
    return checkpoints.getCheckpoint(this.connection, this.keys, messageId);
  }

  listCheckpoints(sessionId: string): Promise<CheckpointRecord[]> {
    return checkpoints.listCheckpoints(this.connection, this.keys, sessionId);
  }

  collectCheckpoints(): Promise<{ checkpoints: number; blobs: number }> {
    return checkpoints.collectCheckpoints(this.connection, this.keys);
  }

  /** Pub/sub: see run-signals.ts. */
  signalRun(runId: string): Promise<void> {
    return this.signals.signal(runId);
  }

  watchRun(runId: string, onSignal: () => void): Promise<() => Promise<void>> {
    return this.signals.watch(runId, onSignal);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.signals.close();
    this.connection.markClosed();
    if (!this.ownsClient) {
      this.client.removeListener('error', this.errorListener);
      return;
    }
    // QUIT lets the server finish what was sent; a server that is gone or hung cannot answer it,
    // so wait a little at most, then drop the connection anyway.
    let timer: NodeJS.Timeout | undefined;
    const patience = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, QUIT_PATIENCE_MS);
    });
    await Promise.race([this.client.quit().catch(() => undefined), patience]);
    clearTimeout(timer);
    this.client.disconnect();
  }

  private async sessionOfRun(runId: string): Promise<string | undefined> {
    if (!ID_PATTERN.test(runId)) return undefined;
    const sessionId = asOptionalString(await this.connection.call('HGET', this.keys.runLocations, runId));
    return sessionId !== undefined && ID_PATTERN.test(sessionId) ? sessionId : undefined;
  }
}

/** A seq as a score bound; non-integers cannot be stored seqs but must still bound correctly. */
function boundText(value: number): string {
  if (Number.isNaN(value)) throw new Error('RedisDriver: a message range bound is NaN.');
  if (value === Number.POSITIVE_INFINITY) return '+inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  return String(value);
}
