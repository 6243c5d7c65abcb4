/**
 * PostgreSQL's side of the shared statements (`../sql/`): `$n` placeholders cast to their types,
 * tables qualified by the configured schema and prefix, a batch written as one statement of arrays
 * spread by `unnest`, and searches by containment (`@>`) on `jsonb` and `text[]`, which the GIN
 * indexes serve. A metadata filter is one JSON object, built with JSON.stringify and bound: a key
 * like `a.b` or `x') OR 1=1 --` is only ever a key of that object.
 */
import type { JsonPrimitive } from '../../types.js';
import { tableNamer, type Column, type SqlDialect } from '../sql/dialect.js';
import { arrayArg, join, sql, Sql, value, type SqlType } from '../sql/sql.js';
import type { TableNames } from './identifiers.js';
import { searchableJson, searchableText, searchableTexts } from './searchable.js';

const typeNames: Record<SqlType, string> = {
  text: 'text',
  integer: 'bigint',
  real: 'double precision',
  json: 'jsonb',
  'text-list': 'text[]',
  bytes: 'bytea',
};

/**
 * The object for `metadata @> $n`: with scalar values, containment is JSON equality of each top-level
 * key. Types must match (`1` never matches `"1"`, `true` never matches `1`; `1.0` equals `1`), a
 * missing key never matches (not even `null`), and an array value does not "contain" a scalar
 * (`{"a":[1]}` does not match `{"a":1}`).
 */
function metadataObject(entries: ReadonlyArray<readonly [string, JsonPrimitive]>): string {
  const object: Record<string, JsonPrimitive> = {};
  for (const [key, expected] of entries) {
    // defineProperty keeps a "__proto__" key an ordinary own key.
    Object.defineProperty(object, key, { value: expected, enumerable: true, writable: true, configurable: true });
  }
  return searchableJson(object);
}

/**
 * One row per element of the column arrays, in the batch's order (WITH ORDINALITY ... ORDER BY), so
 * identity columns follow it. A list column travels as JSON text (an array of arrays would have to be
 * rectangular) and becomes `text[]` here.
 */
function unnestRows(columns: readonly Column[]): Sql {
  const arrays = columns.map((column, index) => sql`${arrayArg(index + 1, column.type === 'text-list' ? 'text' : column.type)}`);
  const expressions = columns.map((column) =>
    column.type === 'text-list' ? sql`ARRAY(SELECT jsonb_array_elements_text(batch.${column.sql}::jsonb))` : sql`batch.${column.sql}`,
  );
  const names = columns.map((column) => column.sql);
  return sql`SELECT ${join(expressions, sql`, `)}
      FROM unnest(${join(arrays, sql`, `)}) WITH ORDINALITY AS batch (${join(names, sql`, `)}, position)
      ORDER BY position`;
}

export function postgresDialect(names: TableNames): SqlDialect {
  return {
    driverName: 'PostgresDriver',
    parameterStyle: 'numbered',
    placeholder: (position, type, array) =>
      type === undefined ? `$${position}` : `$${position}::${typeNames[type]}${array ? '[]' : ''}`,
    namedPlaceholder: () => undefined,
    table: tableNamer((name) => Sql.identifier([names.schemaName, names.prefix + name], 'double-quoted')),

    // The exact record: metadata, tags and surfaces are kept again in their searchable form.
    sessionColumns: sql`record`,
    insertionOrder: sql`ordinal`,
    orderedJoin: sql`JOIN`,

    rowsSource: unnestRows,
    keyIn: (column, position) => sql`${column} = ANY(${arrayArg(position, 'text')})`,
    // ON CONFLICT cannot tell a repeat inside the batch from a stored row: the driver checks the batch first.
    skipDuplicates: (key) => sql` ON CONFLICT (${key}) DO NOTHING RETURNING ${key}`,

    listElements: (list, alias) => sql`unnest(${list}) WITH ORDINALITY AS ${alias} (value, key)`,
    listContainsAll: (column, texts) => sql`${column} @> ${value(searchableTexts(texts), 'text-list')}`,
    jsonEquals: (column, entries) => sql`${column} @> ${value(metadataObject(entries), 'json')}`,

    searchable: searchableText,
    textListParameter: (texts) => [...texts],
    readTextList: (stored) => [...(stored as string[])],
    // NULL is PostgreSQL's "no limit".
    limit: (limit) => (limit === undefined || !Number.isFinite(limit) ? null : Math.max(0, Math.trunc(limit))),
    // A bigint cannot hold an infinity (the memory driver accepts unbounded ranges): use its extremes.
    seqBound: (seq) => {
      if (seq === Number.POSITIVE_INFINITY) return '9223372036854775807';
      if (seq === Number.NEGATIVE_INFINITY) return '-9223372036854775808';
      return seq;
    },
  };
}
