/**
 * `rewind`: O(1) whatever the history. The session gets a new segment based at the rewind point,
 * so the messages after it leave the path but stay stored for audit (`branches` lists them).
 */
import { assertValidId } from '../common/ids.js';
import type { RewindOptions, RewindResult } from '../types.js';
import { assertNotExpired, mutateSession } from './access.js';
import type { StoreContext } from './context.js';
import { planHeadMove } from './head-move.js';
import { parseOptions, rewindOptionsSchema } from './options.js';
import { positionOnPath, resolvePath } from './path.js';
import { toSession } from './records.js';

export async function rewindSession(context: StoreContext, sessionId: string, rewindOptions: RewindOptions): Promise<RewindResult> {
  assertValidId(sessionId, 'session id');
  const options = parseOptions(rewindOptionsSchema, rewindOptions, 'rewind options');
  if (options.rewindFiles === true) {
    // Loaded on demand: a store that never rewinds files never loads the file system code.
    const { rewindWithFiles } = await import('./rewind-files.js');
    return rewindWithFiles(context, sessionId, { ...options, toMessage: options.toMessage! });
  }
  return mutateSession<RewindResult>(context, sessionId, {}, async (record) => {
    assertNotExpired(record);
    const spans = await resolvePath(context, record.headSegmentId, record.messageCount);
    const position = options.toMessage === undefined ? 0 : await positionOnPath(context, spans, options.toMessage, sessionId);
    if (position === record.messageCount) return { done: { session: toSession(record), removedMessages: 0 } };
    if (options.dryRun === true) return { done: { session: toSession(record), removedMessages: record.messageCount - position, dryRun: true } };
    return planHeadMove(context, record, spans, position);
  });
}
