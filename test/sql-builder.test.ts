/**
 * The shared SQL builder (src/drivers/sql): how one statement compiles for each dialect, and the
 * guarantees the drivers rely on: parameters bind where they should, and nothing a caller gives
 * ever becomes SQL text. What the statements do on real databases is the conformance suites' job.
 */
import { describe, expect, it } from 'vitest';
import type { SessionQuery } from '../src/driver/driver.js';
import { postgresDialect } from '../src/drivers/postgres/dialect.js';
import { tableNames } from '../src/drivers/postgres/identifiers.js';
import { bindNamed, compile } from '../src/drivers/sql/compile.js';
import type { SqlDialect } from '../src/drivers/sql/dialect.js';
import { listSessionsStatement } from '../src/drivers/sql/list-sessions.js';
import { arg, named, sql, Sql, value } from '../src/drivers/sql/sql.js';
import { sqliteDialect } from '../src/drivers/sqlite/dialect.js';

const postgres = postgresDialect(tableNames('app', 'pre_'));
const dialects: Array<[string, SqlDialect]> = [
  ['sqlite', sqliteDialect],
  ['postgres', postgres],
];

describe('compiling a statement', () => {
  it('numbers PostgreSQL arguments as written, casting typed ones, and binds SQLite ones in order of appearance', () => {
    const statement = sql`SELECT 1 FROM ${sqliteDialect.table('messages')} WHERE a = ${arg(1)} AND b > ${arg(2, 'real')}`;
    expect(compile(statement, sqliteDialect).text).toBe('SELECT 1 FROM messages WHERE a = ? AND b > ?');
    expect(compile(statement, postgres).text).toBe('SELECT 1 FROM messages WHERE a = $1 AND b > $2::double precision');
  });

  it("refuses, for SQLite's '?', an argument out of order or used twice, which would bind the wrong value", () => {
    expect(() => compile(sql`a = ${arg(2)} AND b = ${arg(1)}`, sqliteDialect)).toThrow(/argument 2 appears where argument 1/);
    expect(() => compile(sql`a = ${arg(1)} AND b = ${arg(1)}`, sqliteDialect)).toThrow(/argument 1 appears where argument 2/);
    // PostgreSQL's $n may repeat: the same statement is fine there.
    expect(compile(sql`a = ${arg(1)} AND b = ${arg(1)}`, postgres).text).toBe('a = $1 AND b = $1');
  });

  it('names parameters @name in SQLite, and numbers them by first appearance in PostgreSQL', () => {
    const statement = sql`UPDATE t SET v = ${named('version')} WHERE id = ${named('id')} AND v = ${named('version')}`;
    expect(compile(statement, sqliteDialect).text).toBe('UPDATE t SET v = @version WHERE id = @id AND v = @version');
    const compiled = compile(statement, postgres);
    expect(compiled.text).toBe('UPDATE t SET v = $1 WHERE id = $2 AND v = $1');
    expect(bindNamed(compiled.parameterNames, { id: 'x', version: 3, other: 'unused' })).toEqual([3, 'x']);
    expect(() => bindNamed(compiled.parameterNames, { id: 'x' })).toThrow(/no value for parameter "version"/);
  });

  it('refuses a statement mixing kinds of parameters, whose arguments no caller could give', () => {
    expect(() => compile(sql`a = ${arg(1)} AND b = ${named('b')}`, postgres)).toThrow(/mixes/);
    expect(() => compile(sql`a = ${value(1)} AND b = ${arg(1)}`, sqliteDialect)).toThrow(/mixes/);
  });

  it('writes only checked identifiers: a table name with a quote or a space is refused', () => {
    expect(compile(sql`SELECT * FROM ${postgres.table('sessions')}`, postgres).text).toBe('SELECT * FROM "app"."pre_sessions"');
    expect(() => Sql.identifier(['sessions"; DROP TABLE x; --'], 'double-quoted')).toThrow(/not a safe identifier/);
    expect(() => Sql.identifier(['two words'], 'bare')).toThrow(/not a safe identifier/);
  });
});

describe('the session listing statement', () => {
  const hostile = `x') OR 1=1 --`;
  const query: SessionQuery = {
    userId: hostile,
    agentId: `agent"; DROP TABLE sessions; --`,
    workspaceId: 'w',
    parentId: 'p',
    states: ['active', 'suspended', 'active'],
    tags: [hostile, 'b'],
    filter: { [hostile]: hostile, 'a.b': 1, $: null, flag: true },
    surfaceId: hostile,
    suspendAtBefore: 1,
    expiresAtBefore: 2,
    updatedBefore: 3,
    orderBy: 'updatedAt',
    order: 'desc',
    after: { value: 4, id: hostile },
    limit: 20,
  };

  it.each(dialects)('binds every value of the query on %s and writes none of them into the text', (_, dialect) => {
    const compiled = compile(listSessionsStatement(dialect, query), dialect);
    expect(compiled.text).not.toContain('OR 1=1');
    expect(compiled.text).not.toContain('DROP');
    expect(compiled.text).not.toContain('a.b');
    const placeholders = dialect === sqliteDialect ? (compiled.text.match(/\?/g) ?? []).length : new Set(compiled.text.match(/\$\d+/g)).size;
    expect(placeholders).toBe(compiled.values.length);
    expect(JSON.stringify(compiled.values)).toContain('OR 1=1');
    // States come from a fixed map, once each, so the partial indexes apply.
    expect(compiled.text).toContain(`s.state IN ('active', 'suspended')`);
  });

  it.each(dialects)('refuses on %s an order column, order or state outside the fixed lists, naming the driver', (_, dialect) => {
    const base: SessionQuery = { orderBy: 'updatedAt', order: 'asc', limit: 1 };
    const driver = dialect.driverName;
    expect(() => listSessionsStatement(dialect, { ...base, orderBy: 'id; --' as never })).toThrow(`${driver}: cannot order sessions by`);
    expect(() => listSessionsStatement(dialect, { ...base, order: 'up' as never })).toThrow(`${driver}: order must be`);
    expect(() => listSessionsStatement(dialect, { ...base, states: ['gone' as never] })).toThrow(`${driver}: unknown session state`);
    expect(() => listSessionsStatement(dialect, { ...base, filter: { n: Number.NaN } })).toThrow(`${driver}: metadata filter "n"`);
  });

  it('matches nothing for an empty list of states, and binds "no limit" as each database spells it', () => {
    const query: SessionQuery = { states: [], orderBy: 'createdAt', order: 'asc', limit: Number.POSITIVE_INFINITY };
    const onSqlite = compile(listSessionsStatement(sqliteDialect, query), sqliteDialect);
    const onPostgres = compile(listSessionsStatement(postgres, query), postgres);
    expect(onSqlite.text).toContain('WHERE FALSE');
    expect(onPostgres.text).toContain('WHERE FALSE');
    expect(onSqlite.values).toEqual([-1]);
    expect(onPostgres.values).toEqual([null]);
  });
});
