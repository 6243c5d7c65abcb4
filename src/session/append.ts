/** `append`: new messages at the head, one row each, and the head moved, in one compare-and-set. */
import type { MessageRecord, OperationRecord } from '../driver/driver.js';
import { assertValidId, generateId } from '../common/ids.js';
import type { AppendOptions, MessageInput, StoredMessage } from '../types.js';
import { assertNotExpired, mutateSession, requireSession } from './access.js';
import type { StoreContext } from './context.js';
import { prepareMessages, toStoredMessage } from './messages.js';
import { appendOptionsSchema, parseOptions } from './options.js';
import { nextVersion, withActivity } from './records.js';
import { titleFromBodies } from './title.js';

export async function appendMessages(
  context: StoreContext,
  sessionId: string,
  input: MessageInput | MessageInput[],
  appendOptions: AppendOptions | undefined,
): Promise<StoredMessage[]> {
  assertValidId(sessionId, 'session id');
  const options = parseOptions(appendOptionsSchema, appendOptions, 'append options');
  const prepared = prepareMessages(input, context.maxMessageBytes);
  const { operationId, runId } = options;
  if (operationId !== undefined) {
    // Answered before the version check, so the retry of a call that succeeded is not refused as stale.
    await requireSession(context, sessionId);
    const earlier = await context.driver.getOperation(sessionId, operationId);
    if (earlier) return readMessagesById(context, earlier.messageIds);
  }

  return mutateSession<StoredMessage[]>(context, sessionId, { expectedVersion: options.expectedVersion }, async (record) => {
    if (operationId !== undefined) {
      // A concurrent call with the same operation id may have committed since the check above.
      const earlier = await context.driver.getOperation(sessionId, operationId);
      if (earlier) return { done: await readMessagesById(context, earlier.messageIds) };
    }
    assertNotExpired(record);
    const now = context.now();
    const messages: MessageRecord[] = prepared.map((message, index) => ({
      id: message.id ?? generateId('message'),
      segmentId: record.headSegmentId,
      seq: record.messageCount + index + 1,
      createdAt: message.createdAt ?? now,
      ...(runId === undefined ? {} : { runId }),
      body: message.body,
    }));
    const next = withActivity(context, nextVersion(record, now), now);
    next.messageCount = record.messageCount + messages.length;
    if (record.title === undefined) {
      const title = titleFromBodies(prepared.map((message) => message.body));
      if (title !== undefined) next.title = title;
    }
    const operations: OperationRecord[] =
      operationId === undefined ? [] : [{ sessionId, operationId, messageIds: messages.map((message) => message.id), createdAt: now }];
    return {
      batch: { sessions: [{ record: next, expectedVersion: record.version }], messages, ...(operations.length > 0 ? { operations } : {}) },
      result: messages.map(toStoredMessage),
    };
  });
}

async function readMessagesById(context: StoreContext, ids: string[]): Promise<StoredMessage[]> {
  const messages: StoredMessage[] = [];
  for (const id of ids) {
    const location = await context.driver.locateMessage(id);
    if (!location) continue;
    const [record] = await context.driver.readMessages(location.segmentId, {
      fromSeq: location.seq,
      toSeq: location.seq,
      order: 'asc',
    });
    if (record) messages.push(toStoredMessage(record));
  }
  return messages;
}
