/**
 * The Agents SDK's compactions as sessionloom compactions: one write, the whole conversation kept.
 *
 * The SDK hands a session its compacted history in one of two ways: `replaceHistoryWithCompaction`
 * (its runner, restoring a run state), or, in `OpenAIResponsesCompactionSession` (0.20), a
 * `clearSession()` immediately followed by `addItems(compactedItems)`. Either becomes one
 * `store.compact` whose `replacement` is the new items: the session's path is then a summary
 * message (marked so the SDK never sees it) followed by those items, while `history` and the
 * inspector still read every earlier message as it was written, and a rewind or a fork to a message
 * before the compaction still finds the uncompacted path.
 *
 * The compaction is pinned to the version the SDK read: an append by someone else in between makes
 * it fail with `SessionConflictError`, writing nothing (the SDK then keeps the history it had).
 */
import type { AgentInputItem } from '@openai/agents-core';
import { sameItems } from './canonical.js';
import type { StoredHistory } from './history.js';
import { readItems } from './item-history.js';
import { COMPACTION_SUMMARY_MARK, messageFromItem } from './stored-item.js';

/**
 * Replaces what the Agents SDK sees with `items`, keeping the conversation: a compaction of the
 * session at `expectedVersion` (default: as it is now). An empty session has nothing to keep, so
 * there the items are simply written; items equal to what the SDK already sees write nothing.
 */
export async function compactToItems(history: StoredHistory, items: AgentInputItem[], expectedVersion?: number): Promise<void> {
  const replacement = items.map((item, index) => messageFromItem(item, `items[${index}]`));
  const session = await history.session();
  if (!session || session.messageCount === 0) {
    if (session) await history.reset(); // nothing to keep; a cleared session forgets its operation ids, as MemorySession does
    if (replacement.length > 0) await history.append(replacement);
    return;
  }
  const current = await readItems(history);
  // The SDK restoring the history it had (after a failed replacement) clears and re-adds the same items.
  if (sameItems(current, items)) return;
  if (replacement.length === 0) {
    await history.reset();
    return;
  }
  await history.store.compact(history.sessionId, {
    summary: `The OpenAI Agents SDK compacted this conversation's ${current.length} item(s) into the ${items.length} that follow (its compaction item carries the model's summary).`,
    replacement,
    metadata: COMPACTION_SUMMARY_MARK,
    expectedVersion: expectedVersion ?? session.version,
  });
}
