/**
 * What differs between SQLite and PostgreSQL, and nothing else: the statements themselves are
 * written once (`statements.ts`, `list-sessions.ts`) and each database supplies a dialect
 * (`sqlite/dialect.ts`, `postgres/dialect.ts`). Modelled on kysely's split of one query compiler
 * from per-database placeholders, identifier wrapping and capabilities, at the size this package needs.
 */
import type { JsonPrimitive } from '../../types.js';
import type { Sql, SqlType } from './sql.js';

export type TableName = 'sessions' | 'segments' | 'messages' | 'operations' | 'runs' | 'run_events' | 'blobs' | 'checkpoints';

export interface SqlDialect {
  /** Starts error messages: `SqliteDriver`, `PostgresDriver`. */
  readonly driverName: string;

  /** `in-order`: anonymous `?`, one per appearance, bound in the order they appear. `numbered`: `$n`, reusable. */
  readonly parameterStyle: 'in-order' | 'numbered';
  /** The placeholder of parameter `position` (1-based), cast to `type` where the database needs it. */
  placeholder(position: number, type: SqlType | undefined, array: boolean): string;
  /** A named placeholder (`@name`), or undefined when the database numbers named parameters instead. */
  namedPlaceholder(name: string): string | undefined;
  /** A table, schema-qualified and quoted as configured. */
  table(name: TableName): Sql;

  /** The columns read to rebuild a session (the two databases lay a session row out differently). */
  readonly sessionColumns: Sql;
  /** A column that grows with every insert, to order rows created in the same millisecond. */
  readonly insertionOrder: Sql;
  /** An inner join the planner keeps in the order written (SQLite's `CROSS JOIN`; PostgreSQL plans joins well itself). */
  readonly orderedJoin: Sql;

  /**
   * How a batch is written. SQLite runs one statement per row (a statement costs microseconds):
   * `rowsSource` is `VALUES (?, ...)`, `keyIn` compares with one key, and a duplicate key fails its
   * insert, which the driver then looks up. PostgreSQL sends one statement per kind of row (a
   * statement costs a round trip): each column is an array spread by `unnest`, `keyIn` is `= ANY`,
   * and `skipDuplicates` skips existing keys and returns the ones written, so the driver can tell which failed.
   */
  rowsSource(columns: readonly Column[]): Sql;
  keyIn(column: Sql, position: number): Sql;
  skipDuplicates(key: Sql): Sql;

  /** The elements of a list of texts as a FROM item named `alias`, with columns `value` and `key` (its position). */
  listElements(list: Sql, alias: Sql): Sql;
  /** A condition: the list column holds every one of `texts` (never called with none). */
  listContainsAll(column: Sql, texts: readonly string[]): Sql;
  /** A condition: each key of the JSON object column equals its value, JSON types included (never called with none). */
  jsonEquals(column: Sql, entries: ReadonlyArray<readonly [string, JsonPrimitive]>): Sql;

  /** A text as stored in searchable columns and compared with them. */
  searchable(text: string): string;
  /** A list of texts bound as one parameter (for `listElements`). */
  textListParameter(texts: readonly string[]): unknown;
  /** A list of texts read back from a `text-list` column. */
  readTextList(stored: unknown): string[];
  /** A LIMIT parameter: a non-negative integer, or the database's "no limit" for an absent or infinite one. */
  limit(limit: number | undefined): number | null;
  /** A sequence number as an integer parameter; infinities, which integers cannot hold, become bounds no seq reaches. */
  seqBound(seq: number): number | string;
}

/** A column of a table the statements write, with the type of its values. */
export interface Column {
  readonly name: string;
  readonly sql: Sql;
  readonly type: SqlType;
}

/** `table` for a dialect: each name made once (listing asks for the sessions table on every call). */
export function tableNamer(make: (name: TableName) => Sql): (name: TableName) => Sql {
  const made = new Map<TableName, Sql>();
  return (name) => {
    let table = made.get(name);
    if (table === undefined) made.set(name, (table = make(name)));
    return table;
  };
}
