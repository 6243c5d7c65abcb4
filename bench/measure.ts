/** Timing helpers for the benchmarks: wall-clock milliseconds with process.hrtime, summarised. */
export interface Summary {
  mean: number;
  median: number;
  p95: number;
  count: number;
}

export async function timeOnce(action: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await action();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function summarise(samples: number[]): Summary {
  const sorted = [...samples].sort((left, right) => left - right);
  const at = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
  const mean = samples.reduce((total, value) => total + value, 0) / Math.max(1, samples.length);
  return { mean, median: at(0.5), p95: at(0.95), count: samples.length };
}

/** A full collection when the bench runs with --expose-gc, outside any timed region. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * Runs two measurements alternately, `rounds` times each, so that drift in machine load affects
 * both sides alike (these are noisy 2-core machines); returns each side's samples. A collection
 * every few rounds, untimed, keeps one stray major GC pause from landing on one side's mean.
 */
export async function interleave(
  rounds: number,
  left: (round: number) => Promise<unknown>,
  right: (round: number) => Promise<unknown>,
): Promise<{ left: number[]; right: number[] }> {
  const samples = { left: [] as number[], right: [] as number[] };
  for (let round = 0; round < rounds; round += 1) {
    if (round % 25 === 0) collectGarbage();
    samples.left.push(await timeOnce(() => left(round)));
    samples.right.push(await timeOnce(() => right(round)));
  }
  return samples;
}

export function formatMs(value: number): string {
  return value >= 100 ? `${value.toFixed(0)} ms` : value >= 1 ? `${value.toFixed(2)} ms` : `${(value * 1000).toFixed(0)} µs`;
}
