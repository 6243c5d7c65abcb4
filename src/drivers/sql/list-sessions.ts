/**
 * The statement behind `listSessions`, agreeing with `src/driver/query-match.ts`. Its shape follows
 * the query (which fields are present, how many tags, which order column and states, from fixed
 * maps); every value, metadata keys and tags included, is a bound parameter. SQLite keeps the
 * prepared statement of each shape it has seen, keyed by the compiled text.
 */
import type { SessionQuery } from '../../driver/driver.js';
import type { JsonPrimitive, SessionOrderBy, SessionState } from '../../types.js';
import type { SqlDialect } from './dialect.js';
import { prefixRange } from './prefix-range.js';
import { join, sql, value, type Sql } from './sql.js';

/** The only columns an ORDER BY may name. */
const orderColumns: Record<SessionOrderBy, Sql> = {
  createdAt: sql`s.created_at`,
  updatedAt: sql`s.updated_at`,
  lastActiveAt: sql`s.last_active_at`,
};

/**
 * States are written as SQL literals, from this fixed map, rather than bound: the partial indexes
 * on `state = 'active'` and `state = 'suspended'` are only used when the query names the state.
 */
const stateLiterals: Record<SessionState, Sql> = {
  active: sql`'active'`,
  suspended: sql`'suspended'`,
  expired: sql`'expired'`,
};

function fromFixedMap<Key extends string>(map: Record<Key, Sql>, key: Key, dialect: SqlDialect, what: string): Sql {
  const fragment = Object.hasOwn(map, key) ? map[key] : undefined;
  if (fragment === undefined) throw new Error(`${dialect.driverName}: ${what} ${JSON.stringify(key)}.`);
  return fragment;
}

function stateCondition(states: readonly SessionState[], dialect: SqlDialect): Sql {
  const literals = [...new Set(states)].map((state) => fromFixedMap(stateLiterals, state, dialect, 'unknown session state'));
  // An empty list of states matches nothing, like membership of any empty set.
  if (literals.length === 0) return sql`FALSE`;
  return literals.length === 1 ? sql`s.state = ${literals[0]!}` : sql`s.state IN (${join(literals, sql`, `)})`;
}

/** The filter's entries, each checked to be a JSON scalar (JSON equality of objects is not offered). */
function filterEntries(filter: Record<string, JsonPrimitive>, dialect: SqlDialect): Array<[string, JsonPrimitive]> {
  return Object.entries(filter).map(([key, filterValue]) => {
    const scalar =
      filterValue === null ||
      typeof filterValue === 'string' ||
      typeof filterValue === 'boolean' ||
      (typeof filterValue === 'number' && Number.isFinite(filterValue));
    if (!scalar) {
      throw new Error(
        `${dialect.driverName}: metadata filter "${key}" must be a string, finite number, boolean or null, got ${String(filterValue)}.`,
      );
    }
    return [key, filterValue];
  });
}

/** `title` starts with the prefix, as a range its index serves (prefix-range.ts). */
function titleStartsWith(prefix: string, dialect: SqlDialect): Sql {
  const range = prefixRange(dialect.searchable(prefix));
  const from = sql`s.title >= ${value(range.from, 'text')}`;
  return range.below === undefined ? from : sql`${from} AND s.title < ${value(range.below, 'text')}`;
}

function textEquals(column: Sql, text: string, dialect: SqlDialect): Sql {
  return sql`${column} = ${value(dialect.searchable(text))}`;
}

export function listSessionsStatement(dialect: SqlDialect, query: SessionQuery): Sql {
  const conditions: Sql[] = [];
  if (query.userId !== undefined) conditions.push(textEquals(sql`s.user_id`, query.userId, dialect));
  if (query.agentId !== undefined) conditions.push(textEquals(sql`s.agent_id`, query.agentId, dialect));
  if (query.workspaceId !== undefined) conditions.push(textEquals(sql`s.workspace_id`, query.workspaceId, dialect));
  if (query.parentId !== undefined) conditions.push(textEquals(sql`s.parent_id`, query.parentId, dialect));
  if (query.titlePrefix !== undefined) conditions.push(titleStartsWith(query.titlePrefix, dialect));
  if (query.states !== undefined) conditions.push(stateCondition(query.states, dialect));
  if (query.tags !== undefined && query.tags.length > 0) conditions.push(dialect.listContainsAll(sql`s.tags`, query.tags));
  const entries = filterEntries(query.filter ?? {}, dialect);
  if (entries.length > 0) conditions.push(dialect.jsonEquals(sql`s.metadata`, entries));
  if (query.surfaceId !== undefined) conditions.push(dialect.listContainsAll(sql`s.surfaces`, [query.surfaceId]));
  if (query.suspendAtBefore !== undefined) conditions.push(sql`s.suspend_at < ${value(query.suspendAtBefore, 'real')}`);
  if (query.expiresAtBefore !== undefined) conditions.push(sql`s.expires_at < ${value(query.expiresAtBefore, 'real')}`);
  if (query.updatedBefore !== undefined) conditions.push(sql`s.updated_at < ${value(query.updatedBefore, 'real')}`);
  // Written literally, like the states: the partial indexes on `live_runs IS NOT NULL` serve only a query that says so.
  if (query.hasLiveRuns !== undefined) conditions.push(query.hasLiveRuns ? sql`s.live_runs IS NOT NULL` : sql`s.live_runs IS NULL`);

  if (query.order !== 'asc' && query.order !== 'desc') {
    throw new Error(`${dialect.driverName}: order must be 'asc' or 'desc', got ${JSON.stringify(query.order)}.`);
  }
  const column = fromFixedMap(orderColumns, query.orderBy, dialect, 'cannot order sessions by');
  const direction = query.order === 'asc' ? sql`ASC` : sql`DESC`;
  if (query.after !== undefined) {
    // A row-value comparison: the planner turns it into a range on the (column, id) index.
    const comparison = query.order === 'asc' ? sql`>` : sql`<`;
    conditions.push(
      sql`(${column}, s.id) ${comparison} (${value(query.after.value, 'real')}, ${value(query.after.id, 'text')})`,
    );
  }

  const where = conditions.length === 0 ? sql`` : sql` WHERE ${join(conditions, sql` AND `)}`;
  return sql`SELECT ${dialect.sessionColumns} FROM ${dialect.table('sessions')} AS s${where} ORDER BY ${column} ${direction}, s.id ${direction} LIMIT ${value(dialect.limit(query.limit), 'integer')}`;
}
