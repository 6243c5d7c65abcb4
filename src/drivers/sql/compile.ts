/**
 * A statement turned into one database's text. Prepared statements are compiled once, when a driver
 * opens; only the session listing, whose shape depends on the query, is compiled per call.
 */
import type { SqlDialect } from './dialect.js';
import { Sql, type ParameterSlot } from './sql.js';

export interface CompiledSql {
  text: string;
  /** The values bound with `value(...)`, in placeholder order. */
  values: unknown[];
  /** For a dialect without named placeholders: the names bound with `named(...)`, in placeholder order. */
  parameterNames: string[];
}

export function compile(statement: Sql, dialect: SqlDialect): CompiledSql {
  const state: CompileState = { dialect, text: '', values: [], parameterNames: [], nextPosition: 1, kinds: 0 };
  append(statement, state);
  // 1, 2 and 4: positions, names and values; one statement uses one kind, or its arguments could not be given.
  if (state.kinds !== 1 && state.kinds !== 2 && state.kinds !== 4 && state.kinds !== 0) {
    throw new Error('sql: one statement mixes positional, named and bound parameters.');
  }
  return { text: state.text.trim(), values: state.values, parameterNames: state.parameterNames };
}

interface CompileState {
  readonly dialect: SqlDialect;
  text: string;
  readonly values: unknown[];
  readonly parameterNames: string[];
  nextPosition: number;
  kinds: number;
}

function append(fragment: Sql, state: CompileState): void {
  const { strings, items } = fragment;
  state.text += strings[0]!;
  for (let index = 0; index < items.length; index += 1) {
    const item = items[index]!;
    if (item instanceof Sql) append(item, state);
    else state.text += placeholder(item, state);
    state.text += strings[index + 1]!;
  }
}

function placeholder(slot: ParameterSlot, state: CompileState): string {
  const dialect = state.dialect;
  let position: number;
  if (slot.kind === 'value') {
    state.kinds |= 4;
    position = state.values.push(slot.value);
  } else if (slot.kind === 'name') {
    state.kinds |= 2;
    const namedPlaceholder = dialect.namedPlaceholder(slot.name);
    if (namedPlaceholder !== undefined) return namedPlaceholder;
    const known = state.parameterNames.indexOf(slot.name);
    position = known >= 0 ? known + 1 : state.parameterNames.push(slot.name);
  } else {
    state.kinds |= 1;
    position = slot.position;
    // `?` binds by order of appearance: a slot out of order or repeated would bind the wrong value.
    if (dialect.parameterStyle === 'in-order' && position !== state.nextPosition) {
      throw new Error(`sql: argument ${position} appears where argument ${state.nextPosition} is due; '?' binds in order.`);
    }
    state.nextPosition = Math.max(state.nextPosition, position + 1);
  }
  return dialect.placeholder(position, slot.type, slot.array);
}

/** The text of each statement of a set, compiled for one dialect. */
export function compileTexts<Names extends string>(statements: Record<Names, Sql>, dialect: SqlDialect): Record<Names, string> {
  const texts = {} as Record<Names, string>;
  for (const name of Object.keys(statements) as Names[]) texts[name] = compile(statements[name], dialect).text;
  return texts;
}

/** The positional values of a statement compiled with numbered named parameters. */
export function bindNamed(parameterNames: readonly string[], values: Readonly<Record<string, unknown>>): unknown[] {
  return parameterNames.map((name) => {
    if (!Object.hasOwn(values, name)) throw new Error(`sql: no value for parameter "${name}".`);
    return values[name];
  });
}
