/**
 * SQL for `listSessions`. The text is assembled only from constant fragments chosen by the shape of
 * the query (which fields are present, how many tags, which JSON type a filter value has, which of
 * the three states); every other value, metadata keys included, is a bound parameter. Metadata keys
 * are matched with `json_each` against `key`, never turned into a JSON path, so keys like `a.b`,
 * `$.a` or `x') OR 1=1 --` are just strings.
 */
import type { SessionQuery } from '../../driver/driver.js';
import type { JsonPrimitive, SessionOrderBy, SessionState } from '../../types.js';

export interface BuiltQuery {
  sql: string;
  parameters: unknown[];
}

/** The only column names an ORDER BY may contain. */
const orderColumns: Record<SessionOrderBy, string> = {
  createdAt: 's.created_at',
  updatedAt: 's.updated_at',
  lastActiveAt: 's.last_active_at',
};

function orderColumn(orderBy: SessionOrderBy): string {
  const column = Object.hasOwn(orderColumns, orderBy) ? orderColumns[orderBy] : undefined;
  if (column === undefined) throw new Error(`SqliteDriver: cannot order sessions by ${JSON.stringify(orderBy)}.`);
  return column;
}

/**
 * States are written as SQL literals, from this fixed map, rather than bound: the partial indexes
 * on `state = 'active'` and `state = 'suspended'` are only used when the query names the state.
 */
const stateLiterals: Record<SessionState, string> = {
  active: "'active'",
  suspended: "'suspended'",
  expired: "'expired'",
};

function stateCondition(states: readonly SessionState[]): string {
  const literals = [...new Set(states)].map((state) => {
    const literal = Object.hasOwn(stateLiterals, state) ? stateLiterals[state] : undefined;
    if (literal === undefined) throw new Error(`SqliteDriver: unknown session state ${JSON.stringify(state)}.`);
    return literal;
  });
  // An empty list of states matches nothing, like membership of any empty set.
  if (literals.length === 0) return '0';
  return literals.length === 1 ? `s.state = ${literals[0]}` : `s.state IN (${literals.join(', ')})`;
}

/** JSON equality: the stored type must match too, so `1` never matches `"1"` and `true` never matches `1`. */
function metadataCondition(key: string, value: JsonPrimitive): BuiltQuery {
  const entry = 'EXISTS (SELECT 1 FROM json_each(s.metadata) AS entry WHERE entry.key = ? AND ';
  if (value === null) return { sql: `${entry}entry.type = 'null')`, parameters: [key] };
  if (value === true) return { sql: `${entry}entry.type = 'true')`, parameters: [key] };
  if (value === false) return { sql: `${entry}entry.type = 'false')`, parameters: [key] };
  if (typeof value === 'string') return { sql: `${entry}entry.type = 'text' AND entry.atom = ?)`, parameters: [key, value] };
  if (typeof value === 'number' && Number.isFinite(value)) {
    return { sql: `${entry}entry.type IN ('integer', 'real') AND entry.atom = ?)`, parameters: [key, value] };
  }
  throw new Error(
    `SqliteDriver: metadata filter "${key}" must be a string, finite number, boolean or null, got ${String(value)}.`,
  );
}

/** `limit` as SQLite wants it: a non-negative integer, or -1 for no limit. */
function limitParameter(limit: number): number {
  return Number.isFinite(limit) ? Math.max(0, Math.trunc(limit)) : -1;
}

export function buildListSessionsQuery(query: SessionQuery): BuiltQuery {
  const conditions: string[] = [];
  const parameters: unknown[] = [];
  const add = (sql: string, ...values: unknown[]): void => {
    conditions.push(sql);
    parameters.push(...values);
  };

  if (query.userId !== undefined) add('s.user_id = ?', query.userId);
  if (query.agentId !== undefined) add('s.agent_id = ?', query.agentId);
  if (query.workspaceId !== undefined) add('s.workspace_id = ?', query.workspaceId);
  if (query.parentId !== undefined) add('s.parent_id = ?', query.parentId);
  if (query.states !== undefined) add(stateCondition(query.states));
  for (const tag of query.tags ?? []) {
    add("EXISTS (SELECT 1 FROM json_each(s.tags) AS tag WHERE tag.type = 'text' AND tag.value = ?)", tag);
  }
  for (const [key, value] of Object.entries(query.filter ?? {})) {
    const condition = metadataCondition(key, value);
    add(condition.sql, ...condition.parameters);
  }
  if (query.surfaceId !== undefined) {
    add(
      "EXISTS (SELECT 1 FROM json_each(s.surfaces) AS surface WHERE surface.type = 'text' AND surface.value = ?)",
      query.surfaceId,
    );
  }
  if (query.suspendAtBefore !== undefined) add('s.suspend_at < ?', query.suspendAtBefore);
  if (query.expiresAtBefore !== undefined) add('s.expires_at < ?', query.expiresAtBefore);
  if (query.updatedBefore !== undefined) add('s.updated_at < ?', query.updatedBefore);

  if (query.order !== 'asc' && query.order !== 'desc') {
    throw new Error(`SqliteDriver: order must be 'asc' or 'desc', got ${JSON.stringify(query.order)}.`);
  }
  const column = orderColumn(query.orderBy);
  const direction = query.order === 'asc' ? 'ASC' : 'DESC';
  if (query.after !== undefined) {
    // A row-value comparison: the planner turns it into a range on the (column, id) index.
    add(`(${column}, s.id) ${query.order === 'asc' ? '>' : '<'} (?, ?)`, query.after.value, query.after.id);
  }

  const where = conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
  parameters.push(limitParameter(query.limit));
  return {
    sql:
      `SELECT s.metadata, s.tags, s.surfaces, s.record FROM sessions AS s${where}` +
      ` ORDER BY ${column} ${direction}, s.id ${direction} LIMIT ?`,
    parameters,
  };
}
