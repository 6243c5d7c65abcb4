/** `getMessages`: a page of the session's path, by message id, at the cost of the page. */
import { assertValidId } from '../common/ids.js';
import type { GetMessagesOptions, StoredMessage } from '../types.js';
import { requireSession } from './access.js';
import type { StoreContext } from './context.js';
import { toStoredMessage } from './messages.js';
import { getMessagesOptionsSchema, parseOptions } from './options.js';
import { positionOnPath, readPathRange, resolvePath } from './path.js';

export async function getMessages(
  context: StoreContext,
  sessionId: string,
  readOptions: GetMessagesOptions | undefined,
): Promise<StoredMessage[]> {
  assertValidId(sessionId, 'session id');
  const options = parseOptions(getMessagesOptionsSchema, readOptions, 'getMessages options');
  const record = await requireSession(context, sessionId);
  const spans = await resolvePath(context, record.headSegmentId, record.messageCount);
  let lowSeq = 1;
  let highSeq = record.messageCount;
  if (options.after !== undefined) lowSeq = (await positionOnPath(context, spans, options.after, sessionId)) + 1;
  if (options.before !== undefined) highSeq = (await positionOnPath(context, spans, options.before, sessionId)) - 1;
  if (options.last !== undefined) lowSeq = Math.max(lowSeq, highSeq - options.last + 1);
  if (lowSeq > highSeq || options.limit === 0) return [];
  const rows = await readPathRange(context, spans, {
    lowSeq,
    highSeq,
    order: options.order ?? 'asc',
    ...(options.limit === undefined ? {} : { limit: options.limit }),
  });
  return rows.map(toStoredMessage);
}
