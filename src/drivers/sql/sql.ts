/**
 * SQL written once for every database, as tagged templates: `sql\`SELECT seq FROM ${table} WHERE id = ${arg(1)}\``.
 * A statement is a list of parts: text, which comes only from template literals in this source tree
 * (or from a dialect's validated identifiers), and parameter slots, which a dialect turns into `?`
 * or `$n` when the statement is compiled (`compile.ts`). A template accepts only other fragments and
 * slots, never a plain string, so no input can become SQL text by accident.
 */

/** What a bound value holds; each dialect says how its database spells the type (PostgreSQL casts to it). */
export type SqlType = 'text' | 'integer' | 'real' | 'json' | 'text-list' | 'bytes';

export interface ParameterSlot {
  readonly kind: 'slot';
  /** `position`: the n-th argument of a prepared statement; `name`: a member of the arguments object; `value`: bound now. */
  readonly binding: { position: number } | { name: string } | { value: unknown };
  readonly type: SqlType | undefined;
  /** An array of `type` (PostgreSQL binds a batch's column as one array). */
  readonly array: boolean;
}

type Part = string | ParameterSlot;

/** A piece of SQL: text and parameter slots, ready to be compiled for one dialect. */
export class Sql {
  private constructor(readonly parts: readonly Part[]) {}

  /** @internal Use the `sql` tag; this is how it builds fragments. */
  static fromParts(parts: readonly Part[]): Sql {
    return new Sql(parts);
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
    return new Sql([checked.join('.')]);
  }
}

/** The template tag: static text from the literal, fragments and slots in between. */
export function sql(strings: TemplateStringsArray, ...items: ReadonlyArray<Sql | ParameterSlot>): Sql {
  const parts: Part[] = [];
  strings.forEach((text, index) => {
    if (text !== '') parts.push(text);
    const item = items[index];
    if (item === undefined) return;
    if (item instanceof Sql) parts.push(...item.parts);
    else parts.push(item);
  });
  return Sql.fromParts(parts);
}

/** The fragments one after another, `separator` between them. */
export function join(fragments: readonly Sql[], separator: Sql): Sql {
  const parts: Part[] = [];
  fragments.forEach((fragment, index) => {
    if (index > 0) parts.push(...separator.parts);
    parts.push(...fragment.parts);
  });
  return Sql.fromParts(parts);
}

/** The `position`-th (1-based) argument of a prepared statement. */
export function arg(position: number, type?: SqlType): ParameterSlot {
  return { kind: 'slot', binding: { position }, type, array: false };
}

/** The `position`-th argument, an array of `type` (a batch's column). */
export function arrayArg(position: number, type: SqlType): ParameterSlot {
  return { kind: 'slot', binding: { position }, type, array: true };
}

/** The member `name` of the arguments object of a prepared statement. */
export function named(name: string, type?: SqlType): ParameterSlot {
  return { kind: 'slot', binding: { name }, type, array: false };
}

/** A value bound now, in a statement built for one call (the session listing). */
export function value(bound: unknown, type?: SqlType): ParameterSlot {
  return { kind: 'slot', binding: { value: bound }, type, array: false };
}
