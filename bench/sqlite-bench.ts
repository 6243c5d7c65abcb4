/** The phases only the SQLite store has, as printed lines and raw results (see sqlite-figures.ts). */
import type { Counts } from './configuration.js';
import { formatMs } from './measure.js';
import { inPhase } from './progress.js';
import { ratioAtLeast, ratioAtMost, timeUnder, type Line } from './report.js';
import { resumeAgainstFloor } from './resume-figures.js';
import { appendAgainstRaw, bytesPerMessage, proseTurns, type BaselineComparison } from './sqlite-figures.js';

/** Issue 18: a durable append of a turn keeps at least 0.8x the raw insert's speed, at every depth. */
const RAW_RATIO_LIMIT = 0.8;
/** Issue 18: at most 1.3x the message's JSON on disk, settled. */
const BYTES_RATIO_LIMIT = 1.3;
const SHALLOW_DEPTH = 10;
/** Issue 18: resume in a fresh process within 2x of one-row JSON, and under 30 ms. */
const RESUME_RATIO_LIMIT = 2;
const RESUME_LIMIT_MS = 30;
const RESUME_ROUNDS = 8;

const count = (value: number) => value.toLocaleString('en-US');

function againstRawLine(comparison: BaselineComparison, withoutIndex = false): Line {
  const file = withoutIndex ? ', file without the search index' : '';
  return {
    measure: `durable append of a turn (2 messages) at depth ${count(comparison.depth)}${file} vs raw 2-row transaction (FULL), ${count(comparison.turns)} turns`,
    figure: `${formatMs(comparison.sessionloomMs)} vs floor ${formatMs(comparison.rawMs)}`,
    check: ratioAtLeast(`append / raw at depth ${count(comparison.depth)}${file}`, comparison.ratio, RAW_RATIO_LIMIT, {
      median: comparison.medianRatio,
      trimmed: comparison.trimmedRatio,
    }),
  };
}

export async function benchSqliteOnly(counts: Counts, directory: string): Promise<{ lines: Line[]; results: Record<string, unknown> }> {
  const againstRaw: BaselineComparison[] = [];
  for (const depth of [SHALLOW_DEPTH, counts.deep]) {
    againstRaw.push(
      await inPhase('sqlite', `durable append of a turn at depth ${count(depth)} vs raw better-sqlite3 (${count(counts.appends)} turns, interleaved)`, (phase) =>
        appendAgainstRaw(directory, depth, counts.appends, phase.advance),
      ),
    );
  }
  const withoutIndex = await inPhase('sqlite', `the same at depth ${count(SHALLOW_DEPTH)}, a file without the search index (${count(counts.appends)} turns, interleaved)`, (phase) =>
    appendAgainstRaw(directory, SHALLOW_DEPTH, counts.appends, phase.advance, { searchIndex: false }),
  );
  const bytes = await inPhase('sqlite', `bytes on disk per message (${count(counts.deep)} messages)`, () => bytesPerMessage(directory, counts.deep));
  const bytesWithoutIndex = await inPhase('sqlite', `bytes on disk per message without the search index (${count(counts.deep)} messages)`, () =>
    bytesPerMessage(directory, counts.deep, { searchIndex: false }),
  );
  const prose = proseTurns();
  const proseBytes = await inPhase('sqlite', `bytes on disk per message, varied prose (${count(counts.deep)} messages)`, () =>
    bytesPerMessage(directory, counts.deep, { turn: prose, name: 'size-prose' }),
  );
  const proseBytesWithoutIndex = await inPhase('sqlite', `bytes on disk per message, varied prose, without the search index (${count(counts.deep)} messages)`, () =>
    bytesPerMessage(directory, counts.deep, { turn: prose, name: 'size-prose', searchIndex: false }),
  );
  const resume = await inPhase('sqlite', `resume in a fresh process: open + read ${count(counts.deep)} messages vs one-row JSON (${RESUME_ROUNDS} processes each)`, (phase) =>
    resumeAgainstFloor(directory, counts.deep, RESUME_ROUNDS, phase.advance),
  );
  return {
    lines: [
      ...againstRaw.map((comparison) => againstRawLine(comparison)),
      againstRawLine(withoutIndex, true),
      {
        measure: `resume, fresh process: open + read all ${count(resume.messages)} vs one row of JSON (open, SELECT, JSON.parse)`,
        figure: `${formatMs(resume.sessionloom.mean)} vs floor ${formatMs(resume.floor.mean)} (medians ${formatMs(resume.sessionloom.median)} vs ${formatMs(resume.floor.median)})`,
        check: ratioAtMost('resume / one-row JSON', resume.ratio, RESUME_RATIO_LIMIT),
      },
      { measure: '  the same resume, absolute', figure: formatMs(resume.sessionloom.mean), check: timeUnder('resume, fresh process', resume.sessionloom.mean, RESUME_LIMIT_MS) },
      {
        measure: `bytes on disk per message, settled (${count(counts.deep)} messages of ~${bytes.jsonBytes.toFixed(0)} B of JSON)`,
        figure: `${bytes.fileBytes.toFixed(0)} B, of which search index ${bytes.indexBytes.toFixed(0)} B`,
        check: ratioAtMost('bytes per message / its JSON', bytes.ratio, BYTES_RATIO_LIMIT),
      },
      {
        measure: '  where those bytes go, per message (dbstat, pages included)',
        figure: bytes.breakdown.map((table) => `${table.name} ${table.bytes.toFixed(0)}`).join(', '),
      },
      {
        measure: `  the same messages in a file kept without the search index (searchIndex: false; searches scan)`,
        figure: `${bytesWithoutIndex.fileBytes.toFixed(0)} B (${bytesWithoutIndex.ratio.toFixed(2)}x the JSON, vs ${bytes.ratio.toFixed(2)}x with the index)`,
        check: ratioAtMost('bytes per message / its JSON, searchIndex: false', bytesWithoutIndex.ratio, BYTES_RATIO_LIMIT),
      },
      {
        measure: `  the same on varied prose (the README cut in pieces, ~${proseBytes.jsonBytes.toFixed(0)} B of JSON: deflate gains less than on the repeated turn)`,
        figure: `${proseBytes.fileBytes.toFixed(0)} B with the index (${proseBytes.ratio.toFixed(2)}x), ${proseBytesWithoutIndex.fileBytes.toFixed(0)} B without (${proseBytesWithoutIndex.ratio.toFixed(2)}x)`,
        check: ratioAtMost('bytes per message / its JSON, varied prose', proseBytes.ratio, BYTES_RATIO_LIMIT),
      },
      {
        measure: '  where those bytes go, per message (dbstat, pages included)',
        figure: proseBytes.breakdown.map((table) => `${table.name} ${table.bytes.toFixed(0)}`).join(', '),
      },
    ],
    results: { againstRaw, againstRawWithoutIndex: withoutIndex, bytesPerMessage: bytes, bytesPerMessageWithoutIndex: bytesWithoutIndex, proseBytes, proseBytesWithoutIndex, resume },
  };
}
