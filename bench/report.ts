/**
 * What the bench prints and writes: one table per store, then a summary of every ratio (and every
 * other figure with a target) with its verdict, ok or MISSED. A ratio with no target in the issues
 * (the concurrency ratios) is still summarised, marked as having none, so nobody reads it as passed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Target {
  /** As printed: `<= 1.3`, `>= 0.5`, `< 5 ms`. */
  text: string;
  met: boolean;
}

/** A figure the summary lists: a ratio, or a time with a target. */
export interface Check {
  /** A short name for the summary, e.g. `append 10000 / 10`. */
  name: string;
  value: number;
  /** The value as printed: `1.02`, `0.95 ms`. */
  shown: string;
  target?: Target;
  /** The same comparison made with tail-resistant statistics (see `trimmedMean` in measure.ts), to read a verdict by. */
  robust?: RobustRatios;
}

export interface RobustRatios {
  median: number;
  /** Of the means of the fastest 99%. */
  trimmed: number;
  /** Both of them meet the target. */
  met: boolean;
}

/** What a ratio is compared with: the judged mean ratio and the robust ones alike. */
type Comparison = (value: number) => boolean;

function withRobust(check: Check, meets: Comparison, robust: { median: number; trimmed: number } | undefined): Check {
  return robust === undefined ? check : { ...check, robust: { ...robust, met: meets(robust.median) && meets(robust.trimmed) } };
}

export interface Line {
  measure: string;
  figure: string;
  check?: Check;
}

export interface StoreReport {
  store: string;
  lines: Line[];
}

export function ratioAtMost(name: string, value: number, limit: number, robust?: { median: number; trimmed: number }): Check {
  const meets: Comparison = (ratio) => ratio <= limit;
  return withRobust({ name, value, shown: value.toFixed(2), target: { text: `<= ${limit}`, met: meets(value) } }, meets, robust);
}

export function ratioAtLeast(name: string, value: number, limit: number, robust?: { median: number; trimmed: number }): Check {
  const meets: Comparison = (ratio) => ratio >= limit;
  return withRobust({ name, value, shown: value.toFixed(2), target: { text: `>= ${limit}`, met: meets(value) } }, meets, robust);
}

export function ratioWithoutTarget(name: string, value: number): Check {
  return { name, value, shown: value.toFixed(2) };
}

export function timeUnder(name: string, milliseconds: number, limit: number): Check {
  return { name, value: milliseconds, shown: `${milliseconds.toFixed(2)} ms`, target: { text: `< ${limit} ms`, met: milliseconds < limit } };
}

function verdict(check: Check): string {
  if (check.target === undefined) return 'no target';
  return check.target.met ? 'ok' : 'MISSED';
}

function table(rows: string[][], indent = '  '): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => indent + row.map((cell, column) => cell.padEnd(widths[column]!)).join('   ').trimEnd()).join('\n');
}

export function storeTable(report: StoreReport): string {
  const rows = [
    ['measure', 'figure', 'ratio / target'],
    ...report.lines.map((line) => [
      line.measure,
      line.figure,
      line.check === undefined ? '' : `${line.check.shown}${line.check.target ? `  ${verdict(line.check)} (${line.check.target.text})` : ''}`,
    ]),
  ];
  return `\n${report.store}\n${table(rows)}`;
}

export interface SummaryEntry {
  store: string;
  name: string;
  value: number;
  shown: string;
  target: string | null;
  verdict: string;
  robust: RobustRatios | null;
}

export function summaryEntries(reports: StoreReport[]): SummaryEntry[] {
  return reports.flatMap((report) =>
    report.lines.flatMap((line) =>
      line.check === undefined
        ? []
        : [
            {
              store: report.store,
              name: line.check.name,
              value: line.check.value,
              shown: line.check.shown,
              target: line.check.target?.text ?? null,
              verdict: verdict(line.check),
              robust: line.check.robust ?? null,
            },
          ],
    ),
  );
}

export interface StoreNotMeasured {
  store: string;
  reason: string;
}

export function summaryTable(entries: SummaryEntry[], skipped: StoreNotMeasured[], failed: StoreNotMeasured[]): string {
  const rows = [
    ['store', 'ratio or figure', 'value', 'target', 'verdict', 'robust ratios (median; mean of fastest 99%)'],
    ...entries.map((entry) => [
      entry.store,
      entry.name,
      entry.shown,
      entry.target ?? '-',
      entry.verdict,
      entry.robust === null ? '' : `${entry.robust.median.toFixed(2)}; ${entry.robust.trimmed.toFixed(2)}${entry.robust.met ? '' : '  (also missed)'}`,
    ]),
  ];
  // A miss on the mean alone is a handful of slow samples (see measure.ts); say so, so it is read as noise to rerun, not a regression.
  const tailMisses = entries
    .filter((entry) => entry.verdict === 'MISSED' && entry.robust?.met === true)
    .map((entry) => `  note: ${entry.store} ${entry.name} missed on the mean only; its median and fastest-99% ratios meet the target, so the miss is in the slowest 1% of samples (machine noise): rerun before reading it as the store.`);
  const missed = entries.filter((entry) => entry.verdict === 'MISSED').length;
  const judged = entries.filter((entry) => entry.target !== null).length;
  const notMeasured = [
    ...skipped.map((store) => `  ${store.store}: SKIPPED, ${store.reason}`),
    ...failed.map((store) => `  ${store.store}: FAILED, ${store.reason}`),
  ];
  const tally = [
    `${judged - missed} of ${judged} targets met${missed > 0 ? `, ${missed} MISSED` : ''}`,
    ...(skipped.length > 0 ? [`${skipped.length} store(s) skipped`] : []),
    ...(failed.length > 0 ? [`${failed.length} store(s) FAILED`] : []),
  ];
  return ['\nSummary: every ratio with its target', table(rows), ...tailMisses, ...notMeasured, `  ${tally.join('; ')}`].join('\n');
}

export function writeJson(path: string, content: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(content, null, 2)}\n`);
}
