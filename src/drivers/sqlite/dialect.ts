/**
 * SQLite's side of the shared statements (`../sql/`): `?` and `@name` placeholders, bare table names
 * (one database file per store), one statement per row, and lists and metadata kept as JSON text,
 * searched with `json_each`. Metadata keys are compared with `json_each`'s `key`, never turned into a
 * JSON path, so keys like `a.b`, `$.a` or `x') OR 1=1 --` are just strings.
 */
import type { JsonPrimitive } from '../../types.js';
import { tableNamer, type Column, type SqlDialect } from '../sql/dialect.js';
import { arg, join, sql, Sql, value } from '../sql/sql.js';

/**
 * JSON equality with `json_each`'s types: the stored type must match too, so `1` never matches `"1"`,
 * `true` never matches `1`, and a key whose value is null is not an absent key. `1.0` and `1` are the
 * same number (JSON.stringify writes both as `1`; `integer` and `real` compare by value).
 */
function metadataEntry(column: Sql, key: string, expected: JsonPrimitive): Sql {
  const entry = sql`EXISTS (SELECT 1 FROM json_each(${column}) AS entry WHERE entry.key = ${value(key)} AND `;
  if (expected === null) return sql`${entry}entry.type = 'null')`;
  if (expected === true) return sql`${entry}entry.type = 'true')`;
  if (expected === false) return sql`${entry}entry.type = 'false')`;
  if (typeof expected === 'string') return sql`${entry}entry.type = 'text' AND entry.atom = ${value(expected)})`;
  return sql`${entry}entry.type IN ('integer', 'real') AND entry.atom = ${value(expected)})`;
}

export const sqliteDialect: SqlDialect = {
  driverName: 'SqliteDriver',
  parameterStyle: 'in-order',
  placeholder: () => '?',
  namedPlaceholder: (name) => `@${name}`,
  table: tableNamer((name) => Sql.identifier([name], 'bare')),

  // metadata, tags and surfaces live only in their own columns (see rows.ts).
  sessionColumns: sql`metadata, tags, surfaces, record`,
  insertionOrder: sql`rowid`,
  orderedJoin: sql`CROSS JOIN`,

  rowsSource: (columns: readonly Column[]) => sql`VALUES (${join(
    columns.map((column, index) => sql`${arg(index + 1, column.type)}`),
    sql`, `,
  )})`,
  keyIn: (column, position) => sql`${column} = ${arg(position, 'text')}`,
  // The insert fails on the unique key; the driver then looks the key up inside the same transaction.
  skipDuplicates: () => sql``,

  listElements: (list, alias) => sql`json_each(${list}) AS ${alias}`,
  listContainsAll: (column, texts) =>
    join(
      texts.map((text) => sql`EXISTS (SELECT 1 FROM json_each(${column}) AS item WHERE item.type = 'text' AND item.value = ${value(text)})`),
      sql` AND `,
    ),
  jsonEquals: (column, entries) =>
    join(
      entries.map(([key, expected]) => metadataEntry(column, key, expected)),
      sql` AND `,
    ),

  searchable: (text) => text,
  textListParameter: (texts) => JSON.stringify(texts),
  readTextList: (stored) => JSON.parse(stored as string) as string[],
  // -1 is SQLite's "no limit" (LIMIT NULL is an error).
  limit: (limit) => (limit === undefined || !Number.isFinite(limit) ? -1 : Math.max(0, Math.trunc(limit))),
  // SQLite compares an INTEGER column with a REAL infinity as expected.
  seqBound: (seq) => seq,
};
