/**
 * The export format: JSON Lines, one record per line, `{"kind":...,"data":...,"sha256":...}`.
 * `sha256` covers the kind and the data exactly as written, so a line edited, cut or corrupted in
 * transit is caught on import and named by its number. The first line is a `header` naming the
 * format and its version; the last is `end` with the count of the lines before it, so a stream cut
 * short is caught too. Before each session record come its operation records (append's retry
 * guards), so a retry made after a migration still appends nothing twice. Records hold the stored form (messages keep their encoded bodies), which is
 * what makes an export-import round trip lossless.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ID_PATTERN } from '../common/ids.js';

export const EXPORT_FORMAT = 'sessionloom-export';
export const EXPORT_VERSION = 1;

export type RecordKind = 'header' | 'segment' | 'message' | 'session' | 'operation' | 'run' | 'run-event' | 'checkpoint' | 'blob' | 'blob-part' | 'end';

export interface ExportLine {
  kind: RecordKind;
  data: unknown;
}

/** One line of the stream (no trailing newline). */
export function encodeLine(kind: RecordKind, data: unknown): string {
  const json = JSON.stringify(data);
  return `{"kind":${JSON.stringify(kind)},"data":${json},"sha256":"${checksum(kind, json)}"}`;
}

/** Parses a line and checks its checksum; returns a reason instead of throwing, so the caller can name the line. */
export function decodeLine(text: string): ExportLine | { invalid: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { invalid: 'not a JSON line.' };
  }
  const shape = lineSchema.safeParse(parsed);
  if (!shape.success) return { invalid: 'not an export record (expected kind, data and sha256).' };
  const { kind, data, sha256 } = shape.data;
  // Re-serialising parsed JSON gives back what JSON.stringify wrote, so this is the written text.
  if (checksum(kind, JSON.stringify(data)) !== sha256) return { invalid: `the ${kind} record does not match its checksum (damaged or edited).` };
  return { kind, data };
}

function checksum(kind: string, json: string): string {
  return createHash('sha256').update(kind).update('\n').update(json).digest('hex');
}

const kinds = ['header', 'segment', 'message', 'session', 'operation', 'run', 'run-event', 'checkpoint', 'blob', 'blob-part', 'end'] as const;
const lineSchema = z.strictObject({ kind: z.enum(kinds), data: z.unknown(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

// The schemas of each record's data. Ids must be ids (they become keys, rows and file names).
const id = z.string().regex(ID_PATTERN);
const time = z.number().int().nonnegative();
const count = z.number().int().nonnegative();
const label = z.string().min(1).max(200);
const usage = z.strictObject({
  inputTokens: z.number().nonnegative(),
  outputTokens: z.number().nonnegative(),
  totalTokens: z.number().nonnegative(),
  cachedInputTokens: z.number().nonnegative().optional(),
  reasoningTokens: z.number().nonnegative().optional(),
  costUsd: z.number().nonnegative().optional(),
});
const metadata = z.record(z.string(), z.unknown());

export const recordSchemas = {
  header: z.strictObject({
    format: z.literal(EXPORT_FORMAT),
    version: z.number().int().positive(),
    createdAt: time,
    backend: z.string().max(100).optional(),
  }),
  segment: z.strictObject({ id, sessionId: id, parentId: id.optional(), baseSeq: count, createdAt: time }),
  message: z.strictObject({ id, segmentId: id, seq: z.number().int().positive(), createdAt: time, runId: id.optional(), body: z.string() }),
  session: z.strictObject({
    id,
    // One line of text, as the store accepts a title.
    title: z.string().min(1).max(200).regex(/^[^\u0000-\u001f\u007f-\u009f]+$/).optional(),
    state: z.enum(['active', 'suspended', 'expired']),
    userId: id.optional(),
    agentId: id.optional(),
    workspaceId: id.optional(),
    metadata,
    tags: z.array(label),
    attachedSurfaces: z.array(label),
    parentId: id.optional(),
    forkedFrom: z.strictObject({ sessionId: id, messageId: id }).optional(),
    usage,
    messageCount: count,
    version: z.number().int().positive(),
    createdAt: time,
    updatedAt: time,
    lastActiveAt: time,
    ttlMs: z.number().int().positive(),
    headSegmentId: id,
    suspendAt: time,
    expiresAt: time,
  }),
  operation: z.strictObject({ sessionId: id, operationId: id, messageIds: z.array(id), createdAt: time }),
  run: z.strictObject({
    id,
    sessionId: id,
    status: z.enum(['running', 'awaiting-approval', 'completed', 'failed', 'cancelled', 'interrupted']),
    startedAt: time,
    endedAt: time.optional(),
    lastActiveAt: time.optional(),
    usage,
    error: z.strictObject({ message: z.string(), name: z.string().optional() }).optional(),
    agentName: z.string().optional(),
    metadata,
    eventCount: count,
    approvals: z
      .array(
        z.strictObject({
          approvalId: z.string().min(1).max(200),
          toolCallId: z.string().min(1),
          toolName: z.string().min(1),
          input: z.unknown(),
          step: count,
          requestedAt: time,
          expiresAt: time.optional(),
          decision: z
            .strictObject({ approved: z.boolean(), reason: z.string().max(1_000).optional(), at: time, timedOut: z.boolean().optional() })
            .optional(),
        }),
      )
      .optional(),
  }),
  'run-event': z.strictObject({ runId: id, seq: z.number().int().positive(), type: z.string().min(1).max(100), at: time, data: z.string() }),
  checkpoint: z.strictObject({
    messageId: id,
    sessionId: id,
    createdAt: time,
    manifest: z.string(),
    blobHashes: z.array(z.string().regex(/^[0-9a-f]{64}$/)),
  }),
  blob: z.strictObject({ hash: z.string().regex(/^[0-9a-f]{64}$/), base64: z.string() }),
  // A blob too large for one line (blob-parts.ts), in order: parts 0 to parts - 1, nothing between them.
  'blob-part': z.strictObject({
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    part: count,
    parts: z.number().int().min(2),
    base64: z.string(),
  }),
  end: z.strictObject({ records: count }),
} as const;

export type RecordData<Kind extends RecordKind> = z.infer<(typeof recordSchemas)[Kind]>;
