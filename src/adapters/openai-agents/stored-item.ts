/**
 * One Agents SDK item is one sessionloom message: the transcript view (`transcript.ts`) as the
 * message's role and content, and the item itself under `metadata.openaiAgents.item`, so
 * `getItems` returns exactly what `addItems` was given.
 *
 * Message metadata is plain JSON, but an item may hold bytes (a tool's image output as a
 * `Uint8Array`), so the item is written in the codec's tagged JSON form and decoded on the way
 * out. As everywhere in sessionloom, an object key set to `undefined` is stored as absent.
 */
import type { AgentInputItem } from '@openai/agents-core';
import { decodeJson, encodeJson } from '../../common/codec.js';
import { describeType } from '../../common/ids.js';
import { InvalidArgumentError } from '../../errors.js';
import type { JsonValue, MessageInput, StoredMessage } from '../../types.js';
import { transcriptMessageOf } from './transcript.js';

/** The message metadata key the adapter owns. */
export const METADATA_KEY = 'openaiAgents';

export interface ItemEnvelope {
  item: JsonValue;
  /** Digest of the history transaction that wrote this message (on its first message only). */
  transactionDigest?: string;
  /**
   * The first message of a compacted history (`replaceHistoryWithCompaction`): the Agents SDK's
   * history starts here, and the messages before it stay in the session for sessionloom's readers.
   */
  compactionBoundary?: true;
}

export interface ItemMarks {
  transactionDigest?: string;
  compactionBoundary?: true;
}

export function messageFromItem(item: AgentInputItem, argument: string, marks: ItemMarks = {}): MessageInput {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new InvalidArgumentError({ argument, message: `expected an Agents SDK item object, got ${describeType(item)}.` });
  }
  const envelope: ItemEnvelope = {
    item: encodeItem(item, argument),
    ...(marks.transactionDigest === undefined ? {} : { transactionDigest: marks.transactionDigest }),
    ...(marks.compactionBoundary ? { compactionBoundary: true } : {}),
  };
  return { ...transcriptMessageOf(item), metadata: { [METADATA_KEY]: { ...envelope } } };
}

export function itemFromMessage(message: StoredMessage): AgentInputItem {
  return decodeJson(JSON.stringify(envelopeOf(message).item)) as AgentInputItem;
}

/** Marks the summary of a compaction the adapter made (`compaction.ts`): it holds no item, so the Agents SDK never sees it. */
export const COMPACTION_SUMMARY_MARK = { [METADATA_KEY]: { compactionSummary: true } };

/** Whether this is the summary message of a compaction the adapter made. */
export function isAdapterCompactionSummary(message: StoredMessage): boolean {
  const envelope = message.metadata?.[METADATA_KEY];
  return typeof envelope === 'object' && envelope !== null && !Array.isArray(envelope) && (envelope as { compactionSummary?: unknown }).compactionSummary === true;
}

/** Whether the adapter wrote this message (it then carries exactly one Agents SDK item). */
export function isAdapterMessage(message: StoredMessage): boolean {
  const envelope = message.metadata?.[METADATA_KEY];
  return typeof envelope === 'object' && envelope !== null && !Array.isArray(envelope) && 'item' in envelope;
}

/** Whether the Agents SDK's history starts at this message (see `ItemEnvelope.compactionBoundary`). */
export function isCompactionBoundary(message: StoredMessage): boolean {
  return isAdapterMessage(message) && envelopeOf(message).compactionBoundary === true;
}

/** The digest of the transaction that wrote this message, if it was the first message of one. */
export function transactionDigestOf(message: StoredMessage | undefined): string | undefined {
  return message === undefined || !isAdapterMessage(message) ? undefined : envelopeOf(message).transactionDigest;
}

function envelopeOf(message: StoredMessage): ItemEnvelope {
  if (!isAdapterMessage(message)) {
    throw new InvalidArgumentError({ argument: 'session history', message: `message "${message.id}" (${message.role}) carries no Agents SDK item.` });
  }
  return message.metadata![METADATA_KEY] as unknown as ItemEnvelope;
}

function encodeItem(item: AgentInputItem, argument: string): JsonValue {
  return JSON.parse(encodeJson(item, { argument, allowRichValues: true, dropUndefinedKeys: true })) as JsonValue;
}
