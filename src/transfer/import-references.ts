/**
 * Who an import may reach. An export stream names segments, messages and sessions by id, and ids
 * are not secrets, so every reference a stream makes is checked against who owns its target:
 *
 * - a session's head segment is its own (a head is never shared: appends go there);
 * - every segment on a session's chains (its head's and its own segments' ancestors) belongs to a
 *   session of the same user, or to none (a deleted fork source), so no import grafts another
 *   user's history under a session;
 * - messages go only into segments the stream carries and the store did not have before the
 *   import (an existing segment is never written into: its owner's next append would collide);
 * - a segment the stream creates for a session the store already has must be inside the scope;
 * - operation records name only messages of their own session's segments, and checkpoints only
 *   messages on their session's chains.
 *
 * The same rules run on both reads of the source (import.ts): on the write pass they re-check what
 * is about to be written against the store as it is then, so a source that changes between the two
 * reads cannot slip anything past the first.
 */
import type { SegmentRecord, SessionRecord } from '../driver/driver.js';
import type { RecordAccess } from '../session/record-access.js';

export interface SegmentOwner {
  /** The owning session as the stream or the store has it; undefined when neither has it. */
  session: Pick<SessionRecord, 'id' | 'userId'> | undefined;
  /** Whether that session record came from the store (not from this stream). */
  stored: boolean;
}

export class ImportReferences {
  /** Segments this stream carries, by id. */
  readonly carried = new Map<string, SegmentRecord>();
  /** Session records accepted from this stream so far, by id. */
  readonly sessions = new Map<string, Pick<SessionRecord, 'id' | 'userId'>>();
  /** Message id → segment id, for every message this stream carries. */
  readonly messages = new Map<string, string>();
  /** Segments this import wrote (write pass): they are "new", though the store has them now. */
  readonly created = new Set<string>();
  private readonly preExisting = new Map<string, boolean>();

  constructor(private readonly access: RecordAccess) {}

  /** The segment as the stream carries it, else as the store has it. */
  async segment(id: string): Promise<SegmentRecord | undefined> {
    return this.carried.get(id) ?? (await this.access.driver.getSegment(id));
  }

  /** True when the store had this segment before the import began. */
  async existedBefore(id: string): Promise<boolean> {
    if (this.created.has(id)) return false;
    const known = this.preExisting.get(id);
    if (known !== undefined) return known;
    const exists = (await this.access.driver.getSegment(id)) !== undefined;
    this.preExisting.set(id, exists);
    return exists;
  }

  /** The session owning a segment, from the stream first, then the store (unscoped: ownership is what is being checked). */
  async ownerOf(segment: SegmentRecord): Promise<SegmentOwner> {
    const streamed = this.sessions.get(segment.sessionId);
    if (streamed) return { session: streamed, stored: false };
    const stored = await this.access.driver.getSession(segment.sessionId);
    return { session: stored, stored: stored !== undefined };
  }

  /** Whether this import may act for a session of `userId` (always, unless the store is scoped). */
  inScope(userId: string | undefined): boolean {
    return this.access.scopeUserId === undefined || userId === this.access.scopeUserId;
  }

  /**
   * The segments on the chains of a session's segments (each one and its ancestors), checked to
   * belong to the session's own user or to no session. Returns their ids, or the reason to refuse.
   */
  async chainsOf(session: Pick<SessionRecord, 'id' | 'userId'>, startIds: Iterable<string>): Promise<{ segments: Set<string> } | { refused: string }> {
    const reached = new Set<string>();
    for (const startId of startIds) {
      for (let id: string | undefined = startId; id !== undefined && !reached.has(id); ) {
        const segment = await this.segment(id);
        if (!segment) break; // collected by retention: nothing of it is readable
        const owner = await this.ownerOf(segment);
        if (owner.session && owner.session.id !== session.id && owner.session.userId !== session.userId) {
          return { refused: `segment "${segment.id}" on its history belongs to another user's session.` };
        }
        reached.add(id);
        id = segment.parentId;
      }
    }
    return { segments: reached };
  }
}
