/**
 * INSERT statements, from a table's columns (`tables.ts`). Both databases accept the same
 * `ON CONFLICT (key) DO NOTHING | DO UPDATE SET column = excluded.column` upsert; what differs is
 * where the rows come from (`SqlDialect.rowsSource`) and how a duplicate key is reported.
 */
import type { Column, SqlDialect, TableName } from './dialect.js';
import { join, named, sql, Sql } from './sql.js';
import { columnList, parameterName, tableColumns } from './tables.js';

export interface InsertSpec {
  table: TableName;
  /**
   * `named-row`: one row, each column from the member of the arguments object named after it
   * (`user_id` from `userId`). `batch`: rows as the dialect writes a batch (one per statement, or all).
   */
  source: 'named-row' | 'batch';
  /** The table's name inside the statement, for an upsert's WHERE. */
  alias?: Sql;
  /**
   * On a key that exists: `report` lets the driver find out (the insert fails, or skips the row and
   * leaves it out of RETURNING); `ignore` keeps the stored row; `update` overwrites every other column,
   * only where `where` holds.
   */
  onConflict?: { key: readonly string[]; action: 'report' | 'ignore' | 'update'; where?: Sql };
}

export function insert(dialect: SqlDialect, spec: InsertSpec): Sql {
  const columns = tableColumns[spec.table];
  const alias = spec.alias === undefined ? sql`` : sql` AS ${spec.alias}`;
  const source =
    spec.source === 'batch'
      ? dialect.rowsSource(columns)
      : sql`VALUES (${join(
          columns.map((column) => sql`${named(parameterName(column), column.type)}`),
          sql`, `,
        )})`;
  const statement = sql`INSERT INTO ${dialect.table(spec.table)}${alias} (${columnList(columns)}) ${source}`;
  return spec.onConflict === undefined ? statement : sql`${statement}${conflictClause(dialect, columns, spec.onConflict)}`;
}

function conflictClause(dialect: SqlDialect, columns: readonly Column[], conflict: NonNullable<InsertSpec['onConflict']>): Sql {
  const keyColumns = conflict.key.map((name) => {
    const column = columns.find((candidate) => candidate.name === name);
    if (column === undefined) throw new Error(`sql: the conflict key ${name} is not a column.`);
    return column;
  });
  const key = columnList(keyColumns);
  if (conflict.action === 'report') return dialect.skipDuplicates(key);
  if (conflict.action === 'ignore') return sql` ON CONFLICT (${key}) DO NOTHING`;
  const updated = columns
    .filter((column) => !keyColumns.includes(column))
    .map((column) => sql`${column.sql} = excluded.${column.sql}`);
  const where = conflict.where === undefined ? sql`` : sql` WHERE ${conflict.where}`;
  return sql` ON CONFLICT (${key}) DO UPDATE SET ${join(updated, sql`, `)}${where}`;
}
