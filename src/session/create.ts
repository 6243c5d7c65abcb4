/** `create`: a new session with its first segment and optional initial messages, in one batch. */
import { WriteConflict, type MessageRecord, type SegmentRecord, type SessionRecord } from '../driver/driver.js';
import { generateId } from '../common/ids.js';
import { InvalidArgumentError } from '../errors.js';
import type { CreateSessionInit, Metadata, Session } from '../types.js';
import type { StoreContext } from './context.js';
import { prepareMessages } from './messages.js';
import { titleFromBodies } from './title.js';
import { createInitSchema, parseOptions, snapshotFields, snapshotMetadata } from './options.js';
import { EMPTY_USAGE, toSession, withDeadlines } from './records.js';

export async function createSession(context: StoreContext, input: CreateSessionInit | undefined): Promise<Session> {
  // Every field is read once, here: what is checked below is what is stored.
  const init = snapshotFields(input);
  const metadata = snapshotMetadata(init?.metadata, 'create options.metadata');
  const options = parseOptions(createInitSchema, init === undefined ? init : { ...init, ...(metadata === undefined ? {} : { metadata }) }, 'create options');
  const userId = scopedUserId(context, options.userId);
  const prepared = init?.messages ? prepareMessages(init.messages, context.maxMessageBytes) : [];
  const now = context.now();
  const id = options.id ?? generateId('session');
  const segment: SegmentRecord = { id: generateId('segment'), sessionId: id, baseSeq: 0, createdAt: now };
  const messages: MessageRecord[] = prepared.map((message, index) => ({
    id: message.id ?? generateId('message'),
    segmentId: segment.id,
    seq: index + 1,
    createdAt: message.createdAt ?? now,
    body: message.body,
  }));
  const title = options.title ?? titleFromBodies(prepared.map((message) => message.body));
  const record = withDeadlines(context, {
    id,
    ...(title === undefined ? {} : { title }),
    state: 'active',
    ...(userId === undefined ? {} : { userId }),
    ...(options.agentId === undefined ? {} : { agentId: options.agentId }),
    ...(options.workspaceId === undefined ? {} : { workspaceId: options.workspaceId }),
    metadata: metadata ?? {},
    tags: unique(options.tags ?? []),
    attachedSurfaces: options.surfaceId === undefined ? [] : [options.surfaceId],
    usage: { ...EMPTY_USAGE },
    messageCount: messages.length,
    version: 1,
    createdAt: now,
    updatedAt: now,
    lastActiveAt: now,
    ttlMs: options.ttlMs ?? context.defaultTtlMs,
    headSegmentId: segment.id,
    suspendAt: 0,
    expiresAt: 0,
  } satisfies SessionRecord);
  await commitNewSession(context, record, segment, messages);
  return toSession(record);
}

/** Commits a brand-new session; an existing id or message id is the caller's error. */
export async function commitNewSession(
  context: StoreContext,
  record: SessionRecord,
  segment: SegmentRecord,
  messages: MessageRecord[],
  checks?: Array<{ id: string; version: number }>,
): Promise<void> {
  try {
    await context.driver.commit({
      sessions: [{ record, expectedVersion: 0 }],
      segments: [segment],
      ...(messages.length > 0 ? { messages } : {}),
      ...(checks ? { checks } : {}),
    });
  } catch (error) {
    if (WriteConflict.is(error)) {
      const reason = error.reason;
      if (reason.kind === 'version' && reason.sessionId === record.id) {
        throw new InvalidArgumentError({ argument: 'session id', message: `a session with id "${record.id}" already exists.` });
      }
      if (reason.kind === 'duplicate-message') {
        throw new InvalidArgumentError({ argument: 'message id', message: `a message with id "${reason.messageId}" already exists.` });
      }
    }
    throw error;
  }
}

/** The user a new session belongs to: a scoped store forces its own user. */
export function scopedUserId(context: StoreContext, requested: string | undefined): string | undefined {
  if (context.scopeUserId === undefined) return requested;
  if (requested !== undefined && requested !== context.scopeUserId) {
    throw new InvalidArgumentError({
      argument: 'userId',
      message: `this store is scoped to user "${context.scopeUserId}" and cannot create sessions for "${requested}".`,
    });
  }
  return context.scopeUserId;
}

export function cloneMetadata(metadata: Metadata | undefined): Metadata {
  return metadata === undefined ? {} : structuredClone(metadata);
}

export function unique(values: string[]): string[] {
  return [...new Set(values)];
}
