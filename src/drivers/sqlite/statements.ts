/**
 * Every fixed statement the driver runs, prepared once per connection (on first use): preparing
 * costs about as much as running a small statement, and an append runs several. Most are the shared statements
 * (`../sql/statements.ts`) compiled for SQLite; the few here are SQLite's own.
 */
import { compile } from '../sql/compile.js';
import { arg, named, sql } from '../sql/sql.js';
import { checkpointStatements, historyStatements, sessionStatements } from '../sql/statements.js';
import type { BetterSqliteDatabaseLike, SqliteStatementLike } from './database.js';
import { sqliteDialect } from './dialect.js';
import { messagePackStatementSources } from './message-packs.js';
import { messageStatementSources } from './message-statements.js';
import { recentMessageStatementSources } from './recent-messages.js';
import { searchStatementSources } from './search.js';
import { searchSettingStatementSources } from './search-setting.js';

const sessions = sqliteDialect.table('sessions');

/** Statements whose rows are read as arrays. */
const rawStatements = new Set(['selectMergedCellsAscending', 'selectMergedCellsDescending']);

const ownStatements = {
  // The common write (an append, a touch): every column that can change, and none of the indexed
  // ones that never do (user, parent, creation time) or seldom do (the title, the count of live runs). SQLite maintains an index on UPDATE when the
  // SET list names one of its columns, whatever the value, so leaving them out spares the indexes
  // by creation and by parent. The WHERE repeats them: if one did change, no row matches and the
  // driver writes the whole row with putSession instead.
  updateSession: sql`
    UPDATE ${sessions} SET
      agent_id = ${named('agentId')}, workspace_id = ${named('workspaceId')}, state = ${named('state')},
      updated_at = ${named('updatedAt')}, last_active_at = ${named('lastActiveAt')}, suspend_at = ${named('suspendAt')},
      expires_at = ${named('expiresAt')}, version = ${named('version')}, metadata = ${named('metadata')},
      tags = ${named('tags')}, surfaces = ${named('surfaces')}, record = ${named('record')}
    WHERE id = ${named('id')} AND version = ${named('expectedVersion')}
      AND user_id IS ${named('userId')} AND parent_id IS ${named('parentId')} AND created_at = ${named('createdAt')}
      AND title IS ${named('title')} AND live_runs IS ${named('liveRuns')}`,
  deleteSegment: sql`DELETE FROM ${sqliteDialect.table('segments')} WHERE id = ${arg(1)}`,
};

// The shared message insert names a segment_id column schema 8 replaced; SQLite inserts by position (message-writes.ts).
const { insertMessages: _byPosition, ...sharedHistory } = historyStatements(sqliteDialect);

const statementSources = {
  ...sessionStatements(sqliteDialect),
  ...sharedHistory,
  ...checkpointStatements(sqliteDialect),
  ...ownStatements,
  // After the shared ones, which the messages' own layout replaces (message-statements.ts).
  ...messageStatementSources,
  ...messagePackStatementSources,
  ...recentMessageStatementSources,
  ...searchStatementSources,
  ...searchSettingStatementSources,
};

export type Statements = Record<keyof typeof statementSources, SqliteStatementLike>;

/**
 * Each statement prepared on its first use, then kept: a process that opens the store to resume one
 * session prepares the few statements that takes, not all of them (opening is part of a resume).
 * The texts are compiled here, at once (a statement the builder refuses fails the open); SQLite checks
 * each against the schema, which the migrations have just brought up to date, when it is prepared.
 */
export function prepareStatements(database: BetterSqliteDatabaseLike): Statements {
  const statements = {} as Statements;
  for (const [name, source] of Object.entries(statementSources)) {
    const text = compile(source, sqliteDialect).text;
    let prepared: SqliteStatementLike | undefined;
    const prepare = () => (rawStatements.has(name) ? database.prepare(text).raw(true) : database.prepare(text));
    Object.defineProperty(statements, name, { enumerable: true, get: () => (prepared ??= prepare()) });
  }
  return statements;
}
