/**
 * Schemas for the options of every store method. Parsing happens before any storage is touched,
 * so a bad option is an `InvalidArgumentError` that says which field was wrong, and changes nothing.
 */
import { z } from 'zod';
import { assertJsonData, MAX_METADATA_DEPTH } from '../common/codec.js';
import { snapshotData } from '../common/snapshot.js';
import { ID_PATTERN } from '../common/ids.js';
import { InvalidArgumentError } from '../errors.js';
import { isOneLine } from './title.js';

const id = z.string().regex(ID_PATTERN, 'is not a valid id (a letter or digit, then letters, digits, ".", "_", ":", "@" or "-", at most 200)');
const label = z.string().min(1).max(200);
const count = z.number().int().nonnegative();
const positiveCount = z.number().int().positive();
const duration = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const epochMillis = z.number().int().nonnegative();
const metadata = z.record(z.string(), z.unknown());
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const state = z.enum(['active', 'suspended', 'expired']);
const title = z.string().trim().min(1).max(200).refine(isOneLine, 'is one line of text without control characters (see title.ts)');

export const storeOptionsSchema = z
  .object({
    clock: z.function().optional(),
    defaultTtlMs: duration.optional(),
    retentionMs: duration.optional(),
    maxMessageBytes: positiveCount.optional(),
    scope: z.strictObject({ userId: id }).optional(),
    deadlineMs: duration.optional(),
    staleRunMs: duration.optional(),
    approvalTimeoutMs: duration.optional(),
  })
  .passthrough();

export const createInitSchema = z.strictObject({
  id: id.optional(),
  title: title.optional(),
  userId: id.optional(),
  agentId: id.optional(),
  workspaceId: id.optional(),
  surfaceId: label.optional(),
  metadata: metadata.optional(),
  tags: z.array(label).optional(),
  messages: z.array(z.unknown()).optional(),
  ttlMs: duration.optional(),
});

export const appendOptionsSchema = z.strictObject({
  expectedVersion: count.optional(),
  runId: id.optional(),
  operationId: id.optional(),
});

export const getMessagesOptionsSchema = z
  .strictObject({
    limit: count.optional(),
    after: id.optional(),
    before: id.optional(),
    order: z.enum(['asc', 'desc']).optional(),
    last: count.optional(),
    view: z.enum(['path', 'history']).optional(),
  })
  .refine((options) => options.last === undefined || options.limit === undefined, {
    message: 'use either "last" or "limit", not both',
  });

export const forkOptionsSchema = z.strictObject({
  fromMessage: id.optional(),
  title: title.optional(),
  id: id.optional(),
  metadata: metadata.optional(),
  tags: z.array(label).optional(),
});

const workspacePath = z.string().min(1);

export const rewindOptionsSchema = z
  .strictObject({
    toMessage: id.optional(),
    toStart: z.literal(true).optional(),
    rewindFiles: z.boolean().optional(),
    workspace: workspacePath.optional(),
    dryRun: z.boolean().optional(),
    force: z.boolean().optional(),
  })
  .refine((options) => (options.toMessage === undefined) !== (options.toStart === undefined), {
    message: 'give either "toMessage" (the message that becomes the head) or "toStart: true" (an empty path)',
  })
  // No checkpoint precedes the first message: the files before the conversation began were never recorded.
  .refine((options) => options.toStart === undefined || options.rewindFiles !== true, {
    message: '"rewindFiles" needs a message to rewind to; "toStart" has no checkpoint',
  })
  // Silently leaving the files alone when the caller named a workspace would be the worst outcome.
  .refine((options) => options.workspace === undefined || options.rewindFiles === true, {
    message: 'a workspace is only used with rewindFiles: true',
  });

export const checkpointOptionsSchema = z.strictObject({
  workspace: workspacePath,
  atMessage: id.optional(),
  ignore: z.array(z.string().min(1).max(1000).refine((pattern) => !pattern.includes('\n'), 'one pattern per entry')).max(1000).optional(),
  maxFileBytes: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
});

export const finishCheckpointOptionsSchema = z.strictObject({ workspace: workspacePath, atMessage: id.optional() });

export const listOptionsSchema = z.strictObject({
  userId: id.optional(),
  agentId: id.optional(),
  workspaceId: id.optional(),
  state: z.union([state, z.array(state).min(1)]).optional(),
  tags: z.array(label).optional(),
  filter: z.record(z.string().min(1), scalar).optional(),
  surfaceId: label.optional(),
  parentId: id.optional(),
  // Any text a title can start with: not trimmed ("Trip " is a narrower prefix than "Trip").
  titlePrefix: z.string().min(1).max(200).optional(),
  orderBy: z.enum(['createdAt', 'updatedAt', 'lastActiveAt']).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  limit: z.number().int().positive().max(1000).optional(),
  cursor: z.string().optional(),
});

export const searchOptionsSchema = z.strictObject({
  userId: id.optional(),
  sessionId: id.optional(),
  agentId: id.optional(),
  limit: z.number().int().positive().max(100).optional(),
  cursor: z.string().max(1000).optional(),
});

export const updatePatchSchema = z.strictObject({
  title: title.optional(),
  metadata: metadata.optional(),
  tags: z.array(label).optional(),
  agentId: id.optional(),
  workspaceId: id.optional(),
  ttlMs: duration.optional(),
});

export const expectedVersionSchema = z.strictObject({ expectedVersion: count.optional() });
export const resolveOptionsSchema = z.strictObject({ userId: id, workspaceId: id.optional(), surfaceId: label.optional() });
export const sweepOptionsSchema = z.strictObject({ now: epochMillis.optional() });
export const pruneOptionsSchema = z.strictObject({ olderThan: epochMillis });
export const surfaceSchema = label;

/** Parses `value` with `schema`, or throws `InvalidArgumentError` listing what was wrong. */
export function parseOptions<Schema extends z.ZodType>(schema: Schema, value: unknown, argument: string): z.output<Schema> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
  throw new InvalidArgumentError({ argument, message: `${problems}.`, cause: result.error });
}

/** Metadata must be plain JSON with no `__proto__`, `constructor` or `prototype` keys, nested at most MAX_METADATA_DEPTH levels. */
export function assertMetadata(value: unknown, argument: string): void {
  if (value === undefined) return;
  assertJsonData(value, { argument, refuseForbiddenKeys: true, maxDepth: MAX_METADATA_DEPTH });
}

/**
 * The caller's metadata as a checked snapshot (each property read once; see snapshot.ts): what a
 * write validates and stores, so a getter cannot change it between the check and the write.
 */
export function snapshotMetadata<Value>(value: Value, argument: string): Value {
  if (value === undefined) return value;
  const snapshot = snapshotData(value, { argument, maxDepth: MAX_METADATA_DEPTH });
  assertMetadata(snapshot, argument);
  return snapshot as Value;
}

/**
 * The top-level fields of an options object, each read once: a getter on `init.id` or
 * `patch.metadata` answers once, and that answer is what is both checked and used.
 */
export function snapshotFields<Options>(value: Options): Options {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return { ...value };
}
