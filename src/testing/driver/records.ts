/**
 * Records for driver tests, every required field filled and overridable, under random ids so that
 * tests never meet each other's records in a shared database.
 */
import { createHash, randomUUID } from 'node:crypto';
import type {
  BlobRecord,
  CheckpointRecord,
  MessageRecord,
  OperationRecord,
  RunEventRecord,
  RunRecord,
  SegmentRecord,
  SessionRecord,
  StorageDriver,
} from '../../driver/driver.js';

/** A random id no other test (or earlier run on the same database) uses; valid for every built-in driver. */
export function uniqueId(label: string): string {
  return `${label}-${randomUUID()}`;
}

export function sessionRecord(overrides: Partial<SessionRecord> = {}): SessionRecord {
  const id = overrides.id ?? uniqueId('session');
  return {
    id,
    state: 'active',
    metadata: {},
    tags: [],
    attachedSurfaces: [],
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    messageCount: 0,
    version: 1,
    createdAt: 1_000,
    updatedAt: 1_000,
    lastActiveAt: 1_000,
    ttlMs: 3_600_000,
    suspendAt: 3_601_000,
    expiresAt: 7_201_000,
    headSegmentId: `${id}-segment`,
    ...overrides,
  };
}

export function segmentRecord(sessionId: string, overrides: Partial<SegmentRecord> = {}): SegmentRecord {
  return { id: uniqueId('segment'), sessionId, baseSeq: 0, createdAt: 1_000, ...overrides };
}

export function messageRecord(segmentId: string, seq: number, overrides: Partial<MessageRecord> = {}): MessageRecord {
  const id = overrides.id ?? uniqueId('message');
  return { id, segmentId, seq, createdAt: 1_000 + seq, body: JSON.stringify({ role: 'user', content: `message ${seq}` }), ...overrides };
}

/** `count` messages of one segment, seq `firstSeq`, `firstSeq + 1`, ... */
export function messageRecords(segmentId: string, count: number, firstSeq = 1): MessageRecord[] {
  return Array.from({ length: count }, (_, index) => messageRecord(segmentId, firstSeq + index));
}

export function operationRecord(sessionId: string, overrides: Partial<OperationRecord> = {}): OperationRecord {
  return { sessionId, operationId: uniqueId('operation'), messageIds: [], createdAt: 1_000, ...overrides };
}

export function runRecord(sessionId: string, overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: uniqueId('run'),
    sessionId,
    status: 'running',
    startedAt: 1_000,
    lastActiveAt: 1_000,
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    metadata: {},
    eventCount: 0,
    ...overrides,
  };
}

export function runEventRecord(runId: string, seq: number, overrides: Partial<RunEventRecord> = {}): RunEventRecord {
  return { runId, seq, type: 'text', at: 1_000 + seq, data: JSON.stringify({ seq }), ...overrides };
}

/** A blob of random content (so no other test stores the same hash), or of the given text. */
export function blobRecord(text = uniqueId('content')): BlobRecord {
  const bytes = new TextEncoder().encode(text);
  return { hash: createHash('sha256').update(bytes).digest('hex'), bytes };
}

export function checkpointRecord(messageId: string, sessionId: string, overrides: Partial<CheckpointRecord> = {}): CheckpointRecord {
  return { messageId, sessionId, createdAt: 1_000, manifest: JSON.stringify({ files: [], for: messageId }), blobHashes: [], ...overrides };
}

/** A session with its first segment (and these messages in it), created in one batch as the core does. */
export async function createSession(
  driver: StorageDriver,
  overrides: Partial<SessionRecord> = {},
  messageCount = 0,
): Promise<{ session: SessionRecord; segment: SegmentRecord; messages: MessageRecord[] }> {
  const session = sessionRecord({ messageCount, ...overrides });
  const segment = segmentRecord(session.id, { id: session.headSegmentId, createdAt: session.createdAt });
  const messages = messageRecords(segment.id, messageCount);
  await driver.commit({ sessions: [{ record: session, expectedVersion: 0 }], segments: [segment], messages });
  return { session, segment, messages };
}
