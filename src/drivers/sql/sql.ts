/**
 * SQL written once for every database, as tagged templates: `sql\`SELECT seq FROM ${table} WHERE id = ${arg(1)}\``.
 * A statement is text, which comes only from template literals in this source tree (or from a
 * dialect's validated identifiers), and parameters, which a dialect turns into `?`, `@name` or `$n`
 * when the statement is compiled (`compile.ts`). A template accepts only other fragments and
 * slots, never a plain string, so no input can become SQL text by accident.
 */

/** What a bound value holds; each dialect says how its database spells the type (PostgreSQL casts to it). */
export type SqlType = 'text' | 'integer' | 'real' | 'json' | 'text-list' | 'bytes';

/** A parameter: the n-th argument of a prepared statement, a member of its arguments object, or a value bound now. */
export type ParameterSlot = (
  | { readonly kind: 'position'; readonly position: number }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'value'; readonly value: unknown }
) & {
  /** PostgreSQL casts the placeholder to this type; SQLite ignores it. */
  readonly type: SqlType | undefined;
  /** An array of `type` (PostgreSQL binds a batch's column as one array). */
  readonly array: boolean;
};

/**
 * A piece of SQL as its template wrote it: `strings[0] items[0] strings[1] ... strings[n]`, where an
 * item is a nested fragment or a parameter. Nothing is copied when fragments nest, so building the
 * listing statement per call stays cheap; `compile` walks the tree once.
 */
export class Sql {
  private constructor(
    readonly strings: readonly string[],
    readonly items: ReadonlyArray<Sql | ParameterSlot>,
  ) {}

  /** @internal Use the `sql` tag or `join`; this is how they build fragments. */
  static of(strings: readonly string[], items: ReadonlyArray<Sql | ParameterSlot>): Sql {
    return new Sql(strings, items);
  }

  /**
   * A table or column name as SQL text. Identifiers cannot be bound as parameters, so each part is
   * checked here, where it becomes text (dialects also check their configuration earlier).
   */
  static identifier(parts: readonly string[], quoting: 'bare' | 'double-quoted'): Sql {
    const checked = parts.map((part) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) throw new Error(`sql: ${JSON.stringify(part)} is not a safe identifier.`);
      return quoting === 'bare' ? part : `"${part}"`;
    });
    return new Sql([checked.join('.')], []);
  }
}

/** The template tag: static text from the literal, fragments and parameters in between. */
export function sql(strings: TemplateStringsArray, ...items: ReadonlyArray<Sql | ParameterSlot>): Sql {
  return Sql.of(strings, items);
}

/** The fragments one after another, `separator` between them. */
export function join(fragments: readonly Sql[], separator: Sql): Sql {
  if (fragments.length === 1) return fragments[0]!;
  const items: Sql[] = [];
  const strings: string[] = [''];
  for (let index = 0; index < fragments.length; index += 1) {
    if (index > 0) {
      items.push(separator);
      strings.push('');
    }
    items.push(fragments[index]!);
    strings.push('');
  }
  return Sql.of(strings, items);
}

/** The `position`-th (1-based) argument of a prepared statement. */
export function arg(position: number, type?: SqlType): ParameterSlot {
  return { kind: 'position', position, type, array: false };
}

/** The `position`-th argument, an array of `type` (a batch's column). */
export function arrayArg(position: number, type: SqlType): ParameterSlot {
  return { kind: 'position', position, type, array: true };
}

/** The member `name` of the arguments object of a prepared statement. */
export function named(name: string, type?: SqlType): ParameterSlot {
  return { kind: 'name', name, type, array: false };
}

/** A value bound now, in a statement built for one call (the session listing). */
export function value(bound: unknown, type?: SqlType): ParameterSlot {
  return { kind: 'value', value: bound, type, array: false };
}
