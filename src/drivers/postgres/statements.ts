/**
 * The text of every statement the driver runs, compiled once per driver from the shared statements
 * (`../sql/statements.ts`) for its dialect, plus the few only PostgreSQL runs. Every value is a `$n`
 * parameter; the text never contains anything a caller wrote.
 */
import { compile, compileTexts } from '../sql/compile.js';
import type { SqlDialect } from '../sql/dialect.js';
import { arg, arrayArg, sql } from '../sql/sql.js';
import { checkpointStatements, historyStatements, sessionStatements } from '../sql/statements.js';
import type { TableNames } from './identifiers.js';
import { insertSearchDocuments } from './search.js';

function ownStatements(dialect: SqlDialect) {
  const sessions = dialect.table('sessions');
  return {
    // Row locks taken in id order, so two commits touching the same sessions cannot deadlock.
    lockSessions: sql`SELECT id, version FROM ${sessions} WHERE id = ANY(${arrayArg(1, 'text')}) ORDER BY id FOR UPDATE`,
    // Deleting messages and segment in one statement makes the pair atomic without a transaction.
    deleteSegment: sql`
      WITH removed AS (DELETE FROM ${dialect.table('messages')} WHERE segment_id = ${arg(1)} RETURNING 1),
           segment AS (DELETE FROM ${dialect.table('segments')} WHERE id = ${arg(1)})
      SELECT count(*)::integer AS removed FROM removed`,
    lockCheckpointsShared: sql`SELECT pg_advisory_xact_lock_shared(${arg(1, 'integer')})`,
    lockCheckpointsExclusive: sql`SELECT pg_advisory_xact_lock(${arg(1, 'integer')})`,
  };
}

export function buildStatements(dialect: SqlDialect, names: TableNames) {
  const shared = { ...sessionStatements(dialect), ...historyStatements(dialect), ...checkpointStatements(dialect) };
  return {
    ...compileTexts({ ...shared, ...ownStatements(dialect) }, dialect),
    insertSearchDocuments: insertSearchDocuments(dialect, names),
    /** The order in which `putSession` binds the members of `sessionParameters`. */
    putSessionParameters: compile(shared.putSession, dialect).parameterNames,
  };
}

export type Statements = ReturnType<typeof buildStatements>;
