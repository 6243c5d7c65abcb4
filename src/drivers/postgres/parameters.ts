/** Numeric bounds as PostgreSQL parameters, for values JavaScript allows and SQL types do not. */

/** `limit` as PostgreSQL wants it: a non-negative integer, or NULL (no limit) for an absent or infinite one. */
export function limitParameter(limit: number | undefined): number | null {
  return limit === undefined || !Number.isFinite(limit) ? null : Math.max(0, Math.trunc(limit));
}

/**
 * A seq bound as a `bigint` parameter. The memory driver accepts unbounded ranges (`Infinity`); a
 * bigint cannot hold one, so infinities become the type's extremes, which no seq reaches.
 */
export function seqBound(seq: number): number | string {
  if (seq === Number.POSITIVE_INFINITY) return '9223372036854775807';
  if (seq === Number.NEGATIVE_INFINITY) return '-9223372036854775808';
  return seq;
}
