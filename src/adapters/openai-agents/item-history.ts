/**
 * A session as the Agents SDK sees it: a list of items. A message the adapter wrote holds one item;
 * a message written otherwise (sessionloom's `Runner`, `store.append`) holds the items
 * `message-items.ts` makes of it, so one session serves both SDKs.
 *
 * Cutting the history at an item inside such a message (pop, rewind, fork, a transaction's
 * replacement) keeps the message's earlier items as adapter messages: the store cuts at messages,
 * so that is a rewind (or fork) then an append. A crash between the two leaves the message's
 * earlier items removed too; they stay readable through `store.branches`.
 *
 * A compacted history (`replaceHistoryWithCompaction`) starts at its boundary message: the Agents
 * SDK sees the items from there on, sessionloom's readers the whole path. Emptying such a history
 * is a reset (the conversation archived as an expired fork), as a rewind would bring back what the
 * compaction replaced.
 */
import type { AgentInputItem } from '@openai/agents-core';
import { InvalidArgumentError } from '../../errors.js';
import type { Session, StoredMessage } from '../../types.js';
import type { StoredHistory } from './history.js';
import { itemsFromModelMessage } from './message-items.js';
import { isAdapterCompactionSummary, isAdapterMessage, isCompactionBoundary, itemFromMessage, messageFromItem } from './stored-item.js';

/** One item, with the message holding it. */
export interface ItemRow {
  item: AgentInputItem;
  message: StoredMessage;
  /** Whether it is the message's last item (cutting after it cuts at the message). */
  lastOfMessage: boolean;
}

export function itemsOfMessage(message: StoredMessage): AgentInputItem[] {
  // The summary of the adapter's own compaction stands for history the SDK replaced: the SDK sees only what follows it.
  if (isAdapterCompactionSummary(message)) return [];
  return isAdapterMessage(message) ? [itemFromMessage(message)] : itemsFromModelMessage(message);
}

export function rowsOf(messages: StoredMessage[]): ItemRow[] {
  return messages.flatMap((message) => {
    const items = itemsOfMessage(message);
    return items.map((item, index) => ({ item, message, lastOfMessage: index === items.length - 1 }));
  });
}

/** The rows of the Agents SDK's history: from the newest compaction boundary on, if any. */
export function visibleRowsOf(messages: StoredMessage[]): ItemRow[] {
  return rowsOf(messages.slice(Math.max(0, messages.findLastIndex(isCompactionBoundary))));
}

/** All items, or the newest `limit` (reading back page by page while messages give fewer items). */
export async function readItems(history: StoredHistory, limit?: number): Promise<AgentInputItem[]> {
  if (limit === undefined) return visibleRowsOf(await history.read()).map((row) => row.item);
  let messages: StoredMessage[] = [];
  for (;;) {
    const before = messages[0]?.id;
    const page = await history.read({ last: limit, ...(before === undefined ? {} : { before }) });
    messages = [...page, ...messages];
    const items = visibleRowsOf(messages).map((row) => row.item);
    if (items.length >= limit || page.length < limit || messages.some(isCompactionBoundary)) return items.slice(-limit);
  }
}

/** The position of the item at `index` (negative counts from the newest), or a typed error. */
export function itemPosition(rows: ItemRow[], index: number, sessionId: string): number {
  const position = Number.isInteger(index) ? (index < 0 ? rows.length + index : index) : Number.NaN;
  if (!(position >= 0 && position < rows.length)) {
    throw new InvalidArgumentError({
      argument: 'item index',
      message: `${index} is not the index of an item: session "${sessionId}" holds ${rows.length} item(s).`,
    });
  }
  return position;
}

/**
 * How many of the first `count` items to keep so that no function call is kept without its
 * result: the kept history is cut back to before the earliest call it does not answer.
 */
export function pairedCount(rows: ItemRow[], count: number): number {
  let kept = count;
  for (;;) {
    const answered = new Set<string>();
    for (const row of rows.slice(0, kept)) if (row.item.type === 'function_call_result') answered.add(row.item.callId);
    const open = rows.slice(0, kept).findIndex((row) => row.item.type === 'function_call' && !answered.has(row.item.callId));
    if (open < 0) return kept;
    kept = open;
  }
}

/**
 * Keeps the first `count` items: a rewind to the message holding the last kept item, then (when it
 * is not that message's last item) an append of that message's kept items as adapter messages.
 * An empty history is a rewind to the start.
 */
export async function keepItems(history: StoredHistory, rows: ItemRow[], count: number): Promise<void> {
  if (count >= rows.length) return;
  if (count === 0 && rows[0] !== undefined && isCompactionBoundary(rows[0].message)) {
    await history.reset();
    return;
  }
  const last = count === 0 ? undefined : rows[count - 1]!;
  if (last?.lastOfMessage) {
    await history.store.rewind(history.sessionId, { toMessage: last.message.id });
    return;
  }
  // The cut falls inside a message (or before the first): keep what precedes that message, then its kept items.
  const cutMessage = rows[count]!.message;
  const start = rows.findIndex((row) => row.message === cutMessage);
  // Before the first item may stand the summary of the adapter's compaction: keeping it keeps the compacted path (and history behind it).
  const [prior] = start === 0 ? await history.read({ last: 1, before: cutMessage.id }) : [];
  const previous = start === 0 ? (prior !== undefined && isAdapterCompactionSummary(prior) ? prior : undefined) : rows[start - 1]!.message;
  const rewound = await history.store.rewind(history.sessionId, previous ? { toMessage: previous.id } : { toStart: true });
  await appendItems(history, rewound.session, rows.slice(start, count).map((row) => row.item));
}

/** Appends items as adapter messages, pinned to the version the caller read. */
export async function appendItems(history: StoredHistory, session: Session, items: AgentInputItem[]): Promise<void> {
  if (items.length === 0) return;
  await history.store.append(
    session.id,
    items.map((item, index) => messageFromItem(item, `items[${index}]`)),
    { expectedVersion: session.version },
  );
}
