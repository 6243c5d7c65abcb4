/**
 * The columns both databases share, in the order rows are written (`rows.ts` encodes a record in
 * this order). The two schemas differ in column types and indexes (`sqlite/migrations.ts`,
 * `postgres/migrations.ts`), not in names.
 */
import type { Column, TableName } from './dialect.js';
import { join, Sql, sql, type SqlType } from './sql.js';

function columns(...list: Array<readonly [string, SqlType]>): readonly Column[] {
  return list.map(([name, type]) => ({ name, sql: Sql.identifier([name], 'bare'), type }));
}

export const tableColumns = {
  // metadata, tags and surfaces are what listing searches: JSON text in SQLite, jsonb and text[] in PostgreSQL.
  sessions: columns(
    ['id', 'text'],
    ['user_id', 'text'],
    ['agent_id', 'text'],
    ['workspace_id', 'text'],
    ['parent_id', 'text'],
    ['state', 'text'],
    ['created_at', 'real'],
    ['updated_at', 'real'],
    ['last_active_at', 'real'],
    ['suspend_at', 'real'],
    ['expires_at', 'real'],
    ['version', 'integer'],
    ['metadata', 'json'],
    ['tags', 'text-list'],
    ['surfaces', 'text-list'],
    ['record', 'text'],
    // Filtered by prefix (a range on its own index): NULL for an untitled session.
    ['title', 'text'],
    // How many runs the record lists in flight or waiting (liveRuns), NULL for none: what the partial
    // indexes on `live_runs IS NOT NULL` hold, so an idle session costs them nothing.
    ['live_runs', 'integer'],
  ),
  segments: columns(['id', 'text'], ['session_id', 'text'], ['parent_id', 'text'], ['base_seq', 'integer'], ['created_at', 'real']),
  messages: columns(['segment_id', 'text'], ['seq', 'integer'], ['id', 'text'], ['created_at', 'real'], ['run_id', 'text'], ['body', 'text']),
  operations: columns(['session_id', 'text'], ['operation_id', 'text'], ['message_ids', 'text-list'], ['created_at', 'real']),
  runs: columns(['id', 'text'], ['session_id', 'text'], ['started_at', 'real'], ['record', 'text']),
  run_events: columns(['run_id', 'text'], ['seq', 'integer'], ['type', 'text'], ['at', 'real'], ['data', 'text']),
  blobs: columns(['hash', 'text'], ['bytes', 'bytes']),
  checkpoints: columns(['message_id', 'text'], ['session_id', 'text'], ['created_at', 'real'], ['manifest', 'text'], ['blob_hashes', 'text-list']),
} satisfies Record<TableName, readonly Column[]>;

/** `a, b, c`: the columns of a table, for a SELECT list or an INSERT. */
export function columnList(table: readonly Column[]): Sql {
  return join(
    table.map((column) => column.sql),
    sql`, `,
  );
}

/** `name` as camelCase: the member of the arguments object a named parameter reads. */
export function parameterName(column: Column): string {
  return column.name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
