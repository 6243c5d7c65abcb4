/**
 * Turning caller messages into stored records and back. Validation happens here, before any
 * storage is touched: a bad message is refused with `InvalidArgumentError` and nothing changes.
 * Each message is snapshotted first (every field read once, see snapshot.ts), and the snapshot is
 * both what is checked and what is stored. A message nests at most MAX_CONTENT_DEPTH levels, its
 * metadata at most MAX_METADATA_DEPTH.
 */
import { decodeJson, encodeJson, assertJsonData, MAX_CONTENT_DEPTH, MAX_METADATA_DEPTH } from '../common/codec.js';
import { isPlainJson } from '../common/plain-json.js';
import { snapshotData } from '../common/snapshot.js';
import type { MessageRecord } from '../driver/driver.js';
import { assertValidId, describeType } from '../common/ids.js';
import { InvalidArgumentError } from '../errors.js';
import type { MessageInput, StoredMessage } from '../types.js';

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);
// Fields kept in their own columns rather than in the encoded body.
const RECORD_FIELDS = new Set(['id', 'createdAt', 'runId']);
const PLAIN_MESSAGE = { dropUndefinedKeys: true, refuseForbiddenKeys: false, maxDepth: MAX_CONTENT_DEPTH };

/** A validated message, ready to be given a position. */
export interface PreparedMessage {
  id?: string;
  createdAt?: number;
  body: string;
}

export function prepareMessages(input: unknown, maxMessageBytes: number): PreparedMessage[] {
  const list = Array.isArray(input) ? input : [input];
  if (list.length === 0) throw new InvalidArgumentError({ argument: 'messages', message: 'expected at least one message.' });
  return list.map((message, index) => {
    const argument = `messages[${index}]`;
    return prepareMessage(snapshotData(message, { argument, maxDepth: MAX_CONTENT_DEPTH }), argument, maxMessageBytes);
  });
}

function prepareMessage(message: unknown, argument: string, maxMessageBytes: number): PreparedMessage {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new InvalidArgumentError({ argument, message: `expected a message object, got ${describeType(message)}.` });
  }
  const candidate = message as Record<string, unknown>;
  const role = candidate.role;
  if (typeof role !== 'string' || !ROLES.has(role)) {
    throw new InvalidArgumentError({ argument: `${argument}.role`, message: `expected system, user, assistant or tool, got ${JSON.stringify(role)}.` });
  }
  assertContentShape(role, candidate.content, `${argument}.content`);
  if (candidate.id !== undefined) assertValidId(candidate.id, `${argument}.id`);
  if (candidate.createdAt !== undefined && !isEpochMillis(candidate.createdAt)) {
    throw new InvalidArgumentError({ argument: `${argument}.createdAt`, message: 'expected epoch milliseconds (a non-negative integer).' });
  }
  if (candidate.metadata !== undefined) {
    if (typeof candidate.metadata !== 'object' || candidate.metadata === null || Array.isArray(candidate.metadata)) {
      throw new InvalidArgumentError({ argument: `${argument}.metadata`, message: 'expected an object.' });
    }
    assertJsonData(candidate.metadata, { argument: `${argument}.metadata`, refuseForbiddenKeys: true, maxDepth: MAX_METADATA_DEPTH });
  }
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(candidate)) {
    // A top-level key set to undefined is how optional fields look after a spread; it means "absent".
    if (RECORD_FIELDS.has(key) || value === undefined) continue;
    body[key] = value;
  }
  // The body is built from the snapshot, whose properties are all data properties (plain-json.ts).
  const encoded = isPlainJson(body, PLAIN_MESSAGE)
    ? JSON.stringify(body)
    : encodeJson(body, { argument, allowRichValues: true, dropUndefinedKeys: true, maxDepth: MAX_CONTENT_DEPTH });
  const bytes = Buffer.byteLength(encoded, 'utf8');
  if (bytes > maxMessageBytes) {
    throw new InvalidArgumentError({
      argument,
      message: `the message is ${bytes} bytes encoded, over the store's limit of ${maxMessageBytes} (maxMessageBytes).`,
    });
  }
  return {
    ...(candidate.id === undefined ? {} : { id: candidate.id as string }),
    ...(candidate.createdAt === undefined ? {} : { createdAt: candidate.createdAt as number }),
    body: encoded,
  };
}

function assertContentShape(role: string, content: unknown, argument: string): void {
  if (typeof content === 'string') {
    if (role === 'tool') throw new InvalidArgumentError({ argument, message: 'a tool message needs an array of tool-result parts.' });
    return;
  }
  if (role === 'system') throw new InvalidArgumentError({ argument, message: 'a system message needs string content.' });
  if (!Array.isArray(content)) {
    throw new InvalidArgumentError({ argument, message: `expected a string or an array of content parts, got ${describeType(content)}.` });
  }
  content.forEach((part, index) => {
    if (typeof part !== 'object' || part === null || Array.isArray(part) || typeof (part as { type?: unknown }).type !== 'string') {
      throw new InvalidArgumentError({ argument: `${argument}[${index}]`, message: 'expected a content part object with a string "type".' });
    }
  });
}

function isEpochMillis(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** The message as the caller sees it: the body as written, plus id, time and run. */
export function toStoredMessage(record: MessageRecord): StoredMessage {
  // The parsed body is a fresh object of ours: the fields are set on it rather than spread into a
  // copy, which a resume of 10,000 messages would pay 10,000 times. The body never holds these keys
  // (prepareMessage keeps them out), so the result has the same keys, in the same order, either way.
  const message = decodeJson(record.body) as Record<string, unknown>;
  message.id = record.id;
  message.createdAt = record.createdAt;
  if (record.runId !== undefined) message.runId = record.runId;
  return message as unknown as StoredMessage;
}

export type { MessageInput };
