/**
 * Every Redis key the driver uses, built in one place from the configured prefix and ids that
 * passed `ID_PATTERN` (a hostile id is refused before a key exists).
 *
 * Layout: `<prefix><kind>:<id>`, the id always last and the kinds a fixed set in which none is a
 * prefix of another, so two different (kind, id) pairs can never name the same key, even though
 * ids may contain `:` (`session:a:ops` is the record of session `a:ops`; the operations of
 * session `a` live in `session-operations:a`).
 */
import { ID_PATTERN } from '../../common/ids.js';
import type { SessionState } from '../../types.js';
import { InvalidArgumentError } from '../../errors.js';

/** The session fields an index may be scored by. */
export type IndexField = 'createdAt' | 'updatedAt' | 'lastActiveAt' | 'suspendAt' | 'expiresAt';

const INDEX_FIELDS: ReadonlySet<string> = new Set<IndexField>(['createdAt', 'updatedAt', 'lastActiveAt', 'suspendAt', 'expiresAt']);
const STATES: ReadonlySet<string> = new Set<SessionState>(['active', 'suspended', 'expired']);

/** The key prefix: printable ASCII without spaces, so it can travel in the scripts' JSON header as is. */
export const KEY_PREFIX_PATTERN = /^[\x21-\x7e]{0,100}$/;

export const DEFAULT_KEY_PREFIX = 'sessionloom:';

/** Throws `InvalidArgumentError` unless `id` may be part of a key. */
export function assertKeyId(id: unknown, what: string): asserts id is string {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw new InvalidArgumentError({
      argument: what,
      message: `${JSON.stringify(typeof id === 'string' && id.length > 60 ? `${id.slice(0, 60)}...` : id)} is not a valid id.`,
    });
  }
}

export class RedisKeys {
  constructor(readonly prefix: string) {
    if (!KEY_PREFIX_PATTERN.test(prefix)) {
      throw new InvalidArgumentError({
        argument: 'keyPrefix',
        message: 'expected at most 100 printable ASCII characters without spaces, such as "sessionloom:".',
      });
    }
  }

  /** What every session record key starts with (a script builds them from ids it has checked). */
  get sessionKeyPrefix(): string {
    return `${this.prefix}session:`;
  }
  /** `<version>\n<record JSON>`: a string, so lists load candidates with one MGET. */
  session(id: string): string {
    return this.withId('session:', id, 'session id');
  }
  /** Hash: operation id -> operation record JSON. */
  sessionOperations(id: string): string {
    return this.withId('session-operations:', id, 'session id');
  }
  /** List of the segment ids the session owns, in creation order. */
  sessionSegments(id: string): string {
    return this.withId('session-segments:', id, 'session id');
  }
  /** Hash: run id -> run record JSON. */
  sessionRuns(id: string): string {
    return this.withId('session-runs:', id, 'session id');
  }
  /** Sorted set of run ids scored by `startedAt` (ties by id, as Redis orders equal scores). */
  sessionRunOrder(id: string): string {
    return this.withId('session-run-order:', id, 'session id');
  }
  /** Sorted set, all scores 0, members `<runId>\n<seq, 16 digits>\n<event JSON>`: one run's events are a lexical range. */
  sessionRunEvents(id: string): string {
    return this.withId('session-run-events:', id, 'session id');
  }

  /** The segment record JSON. */
  segment(id: string): string {
    return this.withId(SEGMENT_KIND, id, 'segment id');
  }
  /** Sorted set scored by seq, members `<messageId>\n<message record JSON>`. */
  segmentMessages(id: string): string {
    return this.withId(SEGMENT_MESSAGES_KIND, id, 'segment id');
  }
  /** List of the ids of segments continuing this one. */
  segmentChildren(id: string): string {
    return this.withId(SEGMENT_CHILDREN_KIND, id, 'segment id');
  }

  /** Hash: message id -> checkpoint record JSON, for the checkpoints of this segment's messages (they expire with it). */
  segmentCheckpoints(id: string): string {
    return this.withId(SEGMENT_CHECKPOINTS_KIND, id, 'segment id');
  }
  /** Sorted set of the message ids a session wrote checkpoints for, scored by `createdAt` (ties by id). */
  sessionCheckpoints(id: string): string {
    return this.withId(SESSION_CHECKPOINTS_KIND, id, 'session id');
  }
  /** The bytes of one blob (a binary string), addressed by its hash. */
  blob(hash: string): string {
    return this.withId(BLOB_KIND, hash, 'blob hash');
  }

  /** The prefixes the Lua scripts append a (re-validated) segment, session id or blob hash to. */
  get scriptPrefixes(): {
    segment: string;
    segmentMessages: string;
    segmentChildren: string;
    segmentCheckpoints: string;
    sessionRuns: string;
    sessionCheckpoints: string;
    blob: string;
  } {
    return {
      segment: this.prefix + SEGMENT_KIND,
      segmentMessages: this.prefix + SEGMENT_MESSAGES_KIND,
      segmentChildren: this.prefix + SEGMENT_CHILDREN_KIND,
      segmentCheckpoints: this.prefix + SEGMENT_CHECKPOINTS_KIND,
      sessionRuns: `${this.prefix}session-runs:`,
      sessionCheckpoints: this.prefix + SESSION_CHECKPOINTS_KIND,
      blob: this.prefix + BLOB_KIND,
    };
  }

  /** Hash: message id -> `<segmentId or empty>\n<sessionId>\n<blob hashes, space-separated>`: where each checkpoint lives and what it uses. */
  get checkpointIndex(): string {
    return `${this.prefix}checkpoint-index`;
  }
  /** Hash: message id -> checkpoint record JSON, for checkpoints whose message was not stored when they were written. */
  get unplacedCheckpoints(): string {
    return `${this.prefix}unplaced-checkpoints`;
  }
  /** Hash: blob hash -> how many checkpoints use it (0 for a stored blob no checkpoint uses yet). */
  get blobReferences(): string {
    return `${this.prefix}blob-references`;
  }

  /** Hash: message id -> `<segmentId>\n<seq>`. */
  get messageLocations(): string {
    return `${this.prefix}message-locations`;
  }
  /** Hash: run id -> session id. */
  get runLocations(): string {
    return `${this.prefix}run-locations`;
  }
  /** Hash: session id -> its record key and the index keys it is in, one a line (what to clean once the record is gone). */
  get indexMemberships(): string {
    return `${this.prefix}index-memberships`;
  }
  /** Sorted set (with `ttlSeconds` only): session id scored by the time its keys expire. */
  get expiryDeadlines(): string {
    return `${this.prefix}expiry-deadlines`;
  }
  /** Where the incremental clean-up of the two location hashes resumes. */
  get messageLocationsScanCursor(): string {
    return `${this.prefix}scan-cursor:message-locations`;
  }
  get runLocationsScanCursor(): string {
    return `${this.prefix}scan-cursor:run-locations`;
  }

  /** Pub/sub channel (not a key) on which a run's changes are signaled. */
  runSignalChannel(runId: string): string {
    return this.withId('run-signal:', runId, 'run id');
  }

  /** Every session, scored by `field`. */
  indexAll(field: IndexField): string {
    return `${this.prefix}index:all:${indexField(field)}`;
  }
  indexUser(field: IndexField, userId: string): string {
    return this.withId(`index:user:${indexField(field)}:`, userId, 'userId');
  }
  indexParent(field: IndexField, parentId: string): string {
    return this.withId(`index:parent:${indexField(field)}:`, parentId, 'parentId');
  }
  /** String, present once the live indexes hold the sessions written before they existed (live-index.ts). */
  get liveIndexBuilt(): string {
    return `${this.prefix}index:live:built`;
  }
  /** The sessions whose record lists live runs (few at once), scored by `field`. */
  indexLive(field: IndexField): string {
    return `${this.prefix}index:live:${indexField(field)}`;
  }
  indexState(state: SessionState, field: IndexField): string {
    if (!STATES.has(state)) throw new InvalidArgumentError({ argument: 'state', message: `unknown session state ${JSON.stringify(state)}.` });
    return `${this.prefix}index:state:${state}:${indexField(field)}`;
  }

  private withId(kind: string, id: string, what: string): string {
    assertKeyId(id, what);
    return this.prefix + kind + id;
  }
}

const SEGMENT_KIND = 'segment:';
const SEGMENT_MESSAGES_KIND = 'segment-messages:';
const SEGMENT_CHILDREN_KIND = 'segment-children:';
const SEGMENT_CHECKPOINTS_KIND = 'segment-checkpoints:';
const SESSION_CHECKPOINTS_KIND = 'session-checkpoints:';
const BLOB_KIND = 'blob:';

function indexField(field: IndexField): IndexField {
  if (!INDEX_FIELDS.has(field)) throw new InvalidArgumentError({ argument: 'orderBy', message: `cannot index sessions by ${JSON.stringify(field)}.` });
  return field;
}
