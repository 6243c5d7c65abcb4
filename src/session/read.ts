/** `getMessages` and `history`: a page of one view of the session's path, at the cost of the page. */
import { assertValidId } from '../common/ids.js';
import type { GetMessagesOptions, StoredMessage } from '../types.js';
import { requireSession } from './access.js';
import type { StoreContext } from './context.js';
import { toStoredMessage } from './messages.js';
import { getMessagesOptionsSchema, parseOptions } from './options.js';
import { positionOnPath, resolvePath } from './path.js';
import { clipSpans, newestPositions, readSpans, viewSpans } from './view.js';

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
  // `after` and `before` may name any message of the stored path (one a compaction replaced, too):
  // a reader paging from an id it saw before a compaction gets the view from there, not an error.
  if (options.after !== undefined) lowSeq = (await positionOnPath(context, spans, options.after, sessionId)) + 1;
  if (options.before !== undefined) highSeq = (await positionOnPath(context, spans, options.before, sessionId)) - 1;
  let range = clipSpans(viewSpans(spans, options.view ?? 'path'), lowSeq, highSeq);
  if (options.last !== undefined) range = newestPositions(range, options.last);
  if (range.length === 0 || options.limit === 0) return [];
  const rows = await readSpans(context, range, {
    order: options.order ?? 'asc',
    ...(options.limit === undefined ? {} : { limit: options.limit }),
  });
  return rows.map(toStoredMessage);
}
