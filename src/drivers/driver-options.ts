/**
 * The built-in drivers' options, checked when a store is made (not at its first call), so a typo or
 * a bad value is an `InvalidArgumentError` naming the option, never an outage.
 */
import { z } from 'zod';
import { InvalidArgumentError } from '../errors.js';

const milliseconds = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const durability = z.enum(['durable', 'relaxed']);

export const sqliteOptionsSchema = z.strictObject({
  durability: durability.optional(),
  busyTimeoutMs: milliseconds.optional(),
  searchIndex: z.boolean().optional(),
});
export const fileOptionsSchema = z.strictObject({
  durability: durability.optional(),
  lockStaleMs: z.number().int().min(2_000).max(Number.MAX_SAFE_INTEGER).optional(),
  onWarning: z.function().optional(),
});
export const postgresOptionsSchema = z.strictObject({
  connectionString: z.string().min(1).optional(),
  pool: z.object({ query: z.function() }).passthrough().optional(),
  schema: z.string().optional(),
  tablePrefix: z.string().optional(),
  connectionTimeoutMs: milliseconds.optional(),
  statementTimeoutMs: milliseconds.optional(),
});
export const redisOptionsSchema = z.strictObject({
  keyPrefix: z.string().optional(),
  ttlSeconds: z.number().int().positive().optional(),
  commandTimeoutMs: milliseconds.optional(),
});

/** The option names of every built-in driver, for `open(url, options)` which takes any of them. */
export const DRIVER_OPTION_KEYS = [...Object.keys(sqliteOptionsSchema.shape), ...Object.keys(fileOptionsSchema.shape)];

/** Parses `value` with `schema` or throws an `InvalidArgumentError` listing every problem. */
export function checkDriverOptions<Schema extends z.ZodType>(schema: Schema, value: unknown, argument: string): z.output<Schema> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
  throw new InvalidArgumentError({ argument, message: `${problems}.`, cause: result.error });
}
