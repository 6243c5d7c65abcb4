/**
 * A statement turned into one database's text. Prepared statements are compiled once, when a driver
 * opens; only the session listing, whose shape depends on the query, is compiled per call.
 */
import type { SqlDialect } from './dialect.js';
import type { Sql } from './sql.js';

export interface CompiledSql {
  text: string;
  /** The values bound with `value(...)`, in placeholder order. */
  values: unknown[];
  /** For a dialect without named placeholders: the names bound with `named(...)`, in placeholder order. */
  parameterNames: string[];
}

export function compile(statement: Sql, dialect: SqlDialect): CompiledSql {
  let text = '';
  const values: unknown[] = [];
  const parameterNames: string[] = [];
  let nextPosition = 1;
  const kinds = new Set<string>();
  for (const part of statement.parts) {
    if (typeof part === 'string') {
      text += part;
      continue;
    }
    const binding = part.binding;
    let position: number;
    if ('value' in binding) {
      kinds.add('value');
      position = values.push(binding.value);
    } else if ('name' in binding) {
      kinds.add('name');
      const namedPlaceholder = dialect.namedPlaceholder(binding.name);
      if (namedPlaceholder !== undefined) {
        text += namedPlaceholder;
        continue;
      }
      const known = parameterNames.indexOf(binding.name);
      position = known >= 0 ? known + 1 : parameterNames.push(binding.name);
    } else {
      kinds.add('position');
      position = binding.position;
      // `?` binds by order of appearance: a slot out of order or repeated would bind the wrong value.
      if (dialect.parameterStyle === 'in-order' && position !== nextPosition) {
        throw new Error(`sql: argument ${position} appears where argument ${nextPosition} is due; '?' binds in order.`);
      }
      nextPosition = Math.max(nextPosition, position + 1);
    }
    text += dialect.placeholder(position, part.type, part.array);
  }
  if (kinds.size > 1) throw new Error(`sql: one statement mixes ${[...kinds].join(', ')} parameters.`);
  return { text, values, parameterNames };
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
