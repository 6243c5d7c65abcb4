/** The phases only the SQLite store has, as printed lines and raw results (see sqlite-figures.ts). */
import type { Counts } from './configuration.js';
import { inPhase } from './progress.js';
import { ratioAtLeast, type Line } from './report.js';
import { bytesPerMessage, throughputAgainstRaw } from './sqlite-figures.js';

/** Promised by issue 2: sessionloom's durable append keeps at least half of the raw insert's throughput. */
const RAW_RATIO_LIMIT = 0.5;

const count = (value: number) => value.toLocaleString('en-US');

export async function benchSqliteOnly(counts: Counts, directory: string): Promise<{ lines: Line[]; results: Record<string, unknown> }> {
  const raw = await inPhase('sqlite', `durable append throughput vs raw better-sqlite3 (${count(counts.throughputAppends)} rows, interleaved)`, (phase) =>
    throughputAgainstRaw(directory, counts.throughputAppends, phase.advance),
  );
  const bytes = await inPhase('sqlite', `bytes on disk per message (${count(counts.deep)} messages)`, () => bytesPerMessage(directory, counts.deep));
  return {
    lines: [
      {
        measure: `durable append vs raw better-sqlite3 (1 tx per row, FULL), ${count(raw.rows)} rows`,
        figure: `${count(Math.round(raw.sessionloomPerSecond))} vs ${count(Math.round(raw.rawPerSecond))} rows/s`,
        check: ratioAtLeast('durable append / raw better-sqlite3', raw.ratio, RAW_RATIO_LIMIT, { median: raw.medianRatio, trimmed: raw.trimmedRatio }),
      },
      { measure: `bytes on disk per message (${count(counts.deep)} messages, ~190 B of content)`, figure: `${bytes.toFixed(0)} B` },
    ],
    results: { againstRaw: raw, bytesPerMessage: bytes },
  };
}
