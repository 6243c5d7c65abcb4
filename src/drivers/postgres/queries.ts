/**
 * SQL for `listSessions`, agreeing with `src/driver/query-match.ts`. The text is assembled only from
 * constant fragments chosen by the shape of the query (which fields are present, which order column
 * from a whitelist, which states from a fixed map); every value, metadata keys and tags included,
 * is a bound parameter. A metadata filter is one JSON object, built with JSON.stringify and bound,
 * tested with `@>`: a key like `a.b` or `x') OR 1=1 --` is only ever a key of that object.
 */
import type { SessionQuery } from '../../driver/driver.js';
import type { JsonPrimitive, SessionOrderBy, SessionState } from '../../types.js';
import { limitParameter } from './parameters.js';
import { searchableJson, searchableText, searchableTexts } from './searchable.js';

export interface BuiltQuery {
  text: string;
  values: unknown[];
}

/** The only column names an ORDER BY may contain. */
const orderColumns: Record<SessionOrderBy, string> = {
  createdAt: 's.created_at',
  updatedAt: 's.updated_at',
  lastActiveAt: 's.last_active_at',
};

function orderColumn(orderBy: SessionOrderBy): string {
  const column = Object.hasOwn(orderColumns, orderBy) ? orderColumns[orderBy] : undefined;
  if (column === undefined) throw new Error(`PostgresDriver: cannot order sessions by ${JSON.stringify(orderBy)}.`);
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
    if (literal === undefined) throw new Error(`PostgresDriver: unknown session state ${JSON.stringify(state)}.`);
    return literal;
  });
  // An empty list of states matches nothing, like membership of any empty set.
  if (literals.length === 0) return 'FALSE';
  return literals.length === 1 ? `s.state = ${literals[0]}` : `s.state IN (${literals.join(', ')})`;
}

/**
 * The object for `metadata @> $n`: with scalar values, containment is JSON equality of each top-level
 * key. Types must match (`1` never matches `"1"`), a missing key never matches (not even `null`), and
 * below the top level an array value does not "contain" a scalar (`{"a":[1]}` does not match `{"a":1}`).
 */
function metadataFilter(filter: Record<string, JsonPrimitive>): string {
  const object: Record<string, JsonPrimitive> = {};
  for (const [key, value] of Object.entries(filter)) {
    const scalar =
      value === null ||
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value));
    if (!scalar) {
      throw new Error(`PostgresDriver: metadata filter "${key}" must be a string, finite number, boolean or null, got ${String(value)}.`);
    }
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return searchableJson(object);
}

export function buildListSessionsQuery(sessionsTable: string, query: SessionQuery): BuiltQuery {
  const conditions: string[] = [];
  const values: unknown[] = [];
  /** Binds a value and returns its placeholder. */
  const parameter = (value: unknown): string => `$${values.push(value)}`;

  if (query.userId !== undefined) conditions.push(`s.user_id = ${parameter(searchableText(query.userId))}`);
  if (query.agentId !== undefined) conditions.push(`s.agent_id = ${parameter(searchableText(query.agentId))}`);
  if (query.workspaceId !== undefined) conditions.push(`s.workspace_id = ${parameter(searchableText(query.workspaceId))}`);
  if (query.parentId !== undefined) conditions.push(`s.parent_id = ${parameter(searchableText(query.parentId))}`);
  if (query.states !== undefined) conditions.push(stateCondition(query.states));
  if (query.tags !== undefined && query.tags.length > 0) {
    conditions.push(`s.tags @> ${parameter(searchableTexts(query.tags))}::text[]`);
  }
  if (query.filter !== undefined && Object.keys(query.filter).length > 0) {
    conditions.push(`s.metadata @> ${parameter(metadataFilter(query.filter))}::jsonb`);
  }
  if (query.surfaceId !== undefined) {
    conditions.push(`s.surfaces @> ARRAY[${parameter(searchableText(query.surfaceId))}::text]`);
  }
  if (query.suspendAtBefore !== undefined) conditions.push(`s.suspend_at < ${parameter(query.suspendAtBefore)}::double precision`);
  if (query.expiresAtBefore !== undefined) conditions.push(`s.expires_at < ${parameter(query.expiresAtBefore)}::double precision`);
  if (query.updatedBefore !== undefined) conditions.push(`s.updated_at < ${parameter(query.updatedBefore)}::double precision`);

  if (query.order !== 'asc' && query.order !== 'desc') {
    throw new Error(`PostgresDriver: order must be 'asc' or 'desc', got ${JSON.stringify(query.order)}.`);
  }
  const column = orderColumn(query.orderBy);
  const direction = query.order === 'asc' ? 'ASC' : 'DESC';
  if (query.after !== undefined) {
    // A row-value comparison: the planner turns it into a range on the (column, id) index.
    const comparison = query.order === 'asc' ? '>' : '<';
    const value = parameter(query.after.value);
    const id = parameter(query.after.id);
    conditions.push(`(${column}, s.id) ${comparison} (${value}::double precision, ${id}::text)`);
  }

  const where = conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
  const limit = parameter(limitParameter(query.limit));
  return {
    text: `SELECT s.record FROM ${sessionsTable} AS s${where} ORDER BY ${column} ${direction}, s.id ${direction} LIMIT ${limit}::bigint`,
    values,
  };
}
