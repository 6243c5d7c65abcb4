/** Schemas for the options of `transcript` and `compact`, checked before any storage is touched. */
import { z } from 'zod';
import { ID_PATTERN } from '../common/ids.js';

const count = z.number().int().nonnegative();
const positiveCount = z.number().int().positive();
const tokenCounter = z.custom<(message: unknown) => number>((value) => typeof value === 'function', 'expected a function (message) => number');

export const transcriptOptionsSchema = z.strictObject({
  last: count.optional(),
  maxTokens: positiveCount.optional(),
  countTokens: tokenCounter.optional(),
});

export const compactOptionsSchema = z
  .strictObject({
    summary: z.string().optional(),
    summarize: z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', 'expected a function').optional(),
    keep: z
      .strictObject({
        lastMessages: count.optional(),
        lastTokens: count.optional(),
      })
      .optional(),
    expectedVersion: count.optional(),
    countTokens: tokenCounter.optional(),
    runId: z.string().regex(ID_PATTERN, 'is not a valid id').optional(),
    // Checked as messages by the compaction itself (prepareMessages), as an append checks them.
    replacement: z.array(z.unknown()).min(1).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((options) => (options.summary === undefined) !== (options.summarize === undefined), {
    message: 'give either "summary" (the text) or "summarize" (a function that writes it), not both',
  })
  .refine((options) => options.replacement === undefined || options.keep === undefined, {
    message: 'give either "keep" (the newest messages stay after the summary) or "replacement" (these messages follow it instead), not both',
  })
  .refine((options) => options.metadata === undefined || !Object.hasOwn(options.metadata, 'sessionloom'), {
    message: 'the "sessionloom" metadata key of a compaction message is sessionloom\'s own',
  });
