/**
 * Names of the driver's tables. SQL cannot bind identifiers as parameters, so the schema and the
 * table prefix are the only configuration ever written into SQL text: each is checked against a
 * strict pattern (lower-case letters, digits, underscores) before use and then double-quoted anyway.
 */
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '../../errors.js';

/** At most 41 characters, so a prefix plus the longest table or index suffix (22) fits PostgreSQL's 63. */
const IDENTIFIER_PATTERN = /^[a-z_][a-z0-9_]{0,40}$/;

export const defaultSchema = 'public';
export const defaultTablePrefix = 'sessionloom_';

export interface TableNames {
  /** The schema, quoted. */
  schema: string;
  /** The schema as written in the configuration (for `to_regnamespace`). */
  schemaName: string;
  /** The prefix as written in the configuration (for index names, which live in the table's schema). */
  prefix: string;
  sessions: string;
  segments: string;
  messages: string;
  operations: string;
  runs: string;
  runEvents: string;
  blobs: string;
  checkpoints: string;
  messageSearch: string;
  migrations: string;
}

export function assertIdentifier(value: unknown, argument: 'schema' | 'tablePrefix'): string {
  if (typeof value !== 'string' || !IDENTIFIER_PATTERN.test(value)) {
    throw new InvalidArgumentError({
      argument: `postgres ${argument}`,
      message: `${JSON.stringify(value)} must match ${IDENTIFIER_PATTERN.source} (lower-case letters, digits and underscores, at most 41).`,
    });
  }
  return value;
}

function quote(identifier: string): string {
  // Validated identifiers hold no double quote; quoting still keeps reserved words (e.g. "user") usable.
  return `"${identifier}"`;
}

export function tableNames(schema: string = defaultSchema, prefix: string = defaultTablePrefix): TableNames {
  assertIdentifier(schema, 'schema');
  assertIdentifier(prefix, 'tablePrefix');
  const table = (name: string): string => `${quote(schema)}.${quote(prefix + name)}`;
  return {
    schema: quote(schema),
    schemaName: schema,
    prefix,
    sessions: table('sessions'),
    segments: table('segments'),
    messages: table('messages'),
    operations: table('operations'),
    runs: table('runs'),
    runEvents: table('run_events'),
    blobs: table('blobs'),
    checkpoints: table('checkpoints'),
    messageSearch: table('message_search'),
    migrations: table('schema_migrations'),
  };
}

/** A quoted index name; index names take the schema of their table, so only the prefix goes in. */
export function indexName(names: TableNames, suffix: string): string {
  return quote(names.prefix + suffix);
}

/** An index's name qualified by its table's schema, as DROP INDEX needs it (CREATE INDEX takes the table's). */
export function qualifiedIndexName(names: TableNames, suffix: string): string {
  return `${quote(names.schemaName)}.${indexName(names, suffix)}`;
}

/**
 * The key of the advisory lock that serializes migrations of one schema + prefix: a 64-bit number
 * derived from both, so stores with other prefixes in the same database migrate independently.
 * Returned as a decimal string, bound as a `bigint` parameter.
 */
export function migrationLockKey(names: TableNames): string {
  return lockKey(`sessionloom migrations ${names.schemaName}.${names.prefix}`);
}

/**
 * The key of the advisory lock that keeps checkpoint collection apart from commits that write
 * checkpoints (shared by those commits, exclusive for collection): without it, collection could
 * delete a blob that a checkpoint being committed, not yet visible to it, goes on to use.
 */
export function checkpointLockKey(names: TableNames): string {
  return lockKey(`sessionloom checkpoints ${names.schemaName}.${names.prefix}`);
}

function lockKey(text: string): string {
  return createHash('sha256').update(text).digest().readBigInt64BE(0).toString();
}
