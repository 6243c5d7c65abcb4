/**
 * `fork`: O(1) whatever the history. A fork is a new session whose first segment is based at the
 * fork point; nothing is copied, and the source is untouched.
 */
import type { SegmentRecord, SessionRecord } from '../driver/driver.js';
import { WriteConflict } from '../driver/driver.js';
import { assertValidId, generateId } from '../common/ids.js';
import { InvalidArgumentError } from '../errors.js';
import type { ForkOptions, Session } from '../types.js';
import { assertNotExpired, requireSession } from './access.js';
import type { StoreContext } from './context.js';
import { cloneMetadata, commitNewSession, unique } from './create.js';
import { forkOptionsSchema, parseOptions, snapshotMetadata } from './options.js';
import { positionOnPath, readPathRange, resolvePath, spanOf, type PathSpan } from './path.js';
import { EMPTY_USAGE, toSession, withDeadlines } from './records.js';

const MAX_FORK_ATTEMPTS = 100;

export async function forkSession(context: StoreContext, sourceId: string, forkOptions: ForkOptions | undefined): Promise<Session> {
  assertValidId(sourceId, 'session id');
  // Read once: the metadata checked is the metadata stored, whatever a getter answers later.
  const metadata = snapshotMetadata(forkOptions?.metadata, 'fork options.metadata');
  const options = parseOptions(forkOptionsSchema, forkOptions, 'fork options');
  for (let attempt = 0; ; attempt += 1) {
    const source = await requireSession(context, sourceId);
    assertNotExpired(source);
    const spans = await resolvePath(context, source.headSegmentId, source.messageCount);
    const fromMessage = options.fromMessage ?? (await headMessageId(context, source, spans));
    const position = options.fromMessage === undefined ? source.messageCount : await positionOnPath(context, spans, fromMessage, sourceId);
    const now = context.now();
    const id = options.id ?? generateId('session');
    const segment: SegmentRecord = {
      id: generateId('segment'),
      sessionId: id,
      parentId: spanOf(spans, position)?.segmentId ?? source.headSegmentId,
      baseSeq: position,
      createdAt: now,
    };
    const title = options.title ?? source.title;
    const record = withDeadlines(context, {
      id,
      ...(title === undefined ? {} : { title }),
      state: 'active',
      ...(source.userId === undefined ? {} : { userId: source.userId }),
      ...(source.agentId === undefined ? {} : { agentId: source.agentId }),
      ...(source.workspaceId === undefined ? {} : { workspaceId: source.workspaceId }),
      metadata: { ...cloneMetadata(source.metadata), ...cloneMetadata(metadata) },
      tags: unique(options.tags ?? source.tags),
      attachedSurfaces: [],
      parentId: sourceId,
      forkedFrom: { sessionId: sourceId, messageId: fromMessage },
      usage: { ...EMPTY_USAGE },
      messageCount: position,
      version: 1,
      createdAt: now,
      updatedAt: now,
      lastActiveAt: now,
      ttlMs: source.ttlMs,
      headSegmentId: segment.id,
      suspendAt: 0,
      expiresAt: 0,
    } satisfies SessionRecord);
    try {
      // The source's version is checked so a fork never lands on history a concurrent delete is removing.
      await commitNewSession(context, record, segment, [], [{ id: sourceId, version: source.version }]);
      return toSession(record);
    } catch (error) {
      const lostRace = WriteConflict.is(error) && error.reason.kind === 'version' && error.reason.sessionId === sourceId;
      if (!lostRace || attempt + 1 >= MAX_FORK_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 50)));
    }
  }
}

async function headMessageId(context: StoreContext, source: SessionRecord, spans: PathSpan[]): Promise<string> {
  const [head] = await readPathRange(context, spans, { lowSeq: source.messageCount, highSeq: source.messageCount, order: 'asc' });
  if (!head) {
    throw new InvalidArgumentError({
      argument: 'fork source',
      message: `session "${source.id}" has no messages to fork from; create a new session instead.`,
    });
  }
  return head.id;
}
