/** The token-window and compaction phase of one store, as printed lines and raw results (see compaction-workload.ts). */
import { compactionCosts, KEPT_MESSAGES, WINDOW_COMPARISON_DEPTH, WINDOW_TOKENS, windowCostByHistory, windowCosts } from './compaction-workload.js';
import type { Counts } from './configuration.js';
import { formatMs } from './measure.js';
import { inPhase } from './progress.js';
import { ratioAtMost, ratioWithoutTarget, type Line } from './report.js';
import type { StoreTarget } from './store-targets.js';
import { sessionOfDepth } from './workload.js';

/** Promised by issue 12: compaction costs the same at 100,000 messages as at 1,000. */
const COMPACT_RATIO_LIMIT = 1.5;

const count = (value: number) => value.toLocaleString('en-US');

export async function benchCompaction(target: StoreTarget, counts: Counts): Promise<{ lines: Line[]; results: Record<string, unknown> }> {
  const name = target.name;
  const deep = count(counts.compactionDepth);
  const rounds = counts.compactionRounds;
  const store = await target.open('compaction');
  try {
    const deepSession = await inPhase(name, `a session of ${deep} messages for token windows and compaction`, () => sessionOfDepth(store, counts.compactionDepth));
    const window = await inPhase(name, `transcript within ${count(WINDOW_TOKENS)} tokens of ${deep} messages, cold and warm (${rounds} times each)`, (phase) =>
      windowCosts(store, deepSession, rounds, phase.advance),
    );
    const byHistory = await inPhase(name, `the same window of ${count(WINDOW_COMPARISON_DEPTH)} vs ${deep} messages, warm (${rounds} interleaved rounds)`, (phase) =>
      windowCostByHistory(store, deepSession, rounds, phase.advance),
    );
    const compaction = await inPhase(name, `compact at ${count(counts.compactionShallow)} vs ${deep} messages (${rounds} interleaved rounds)`, (phase) =>
      compactionCosts(store, counts.compactionShallow, deepSession, rounds, phase.advance),
    );
    const { compact } = compaction;
    const lines: Line[] = [
      {
        measure: `transcript, ${count(WINDOW_TOKENS)}-token window of ${deep} (${count(window.messages)} messages, ${count(window.tokens)} tokens): cold`,
        figure: `mean ${formatMs(window.cold.mean)}, median ${formatMs(window.cold.median)}, p95 ${formatMs(window.cold.p95)}`,
      },
      {
        measure: '  the same window, warm (token counts cached)',
        figure: `mean ${formatMs(window.warm.mean)}, median ${formatMs(window.warm.median)}, p95 ${formatMs(window.warm.p95)}`,
      },
      {
        measure: `  the same window, warm, of ${count(WINDOW_COMPARISON_DEPTH)} vs ${deep} messages`,
        figure: `${formatMs(byHistory.shallow.mean)} vs ${formatMs(byHistory.deep.mean)} (median ${formatMs(byHistory.shallow.median)} vs ${formatMs(byHistory.deep.median)})`,
        check: ratioWithoutTarget(`window of ${deep} / ${count(WINDOW_COMPARISON_DEPTH)} messages`, byHistory.ratio),
      },
      {
        measure: `compact (keep ${KEPT_MESSAGES}), mean of ${rounds}: ${count(counts.compactionShallow)} vs ${deep}`,
        figure: `${formatMs(compact.shallow.mean)} vs ${formatMs(compact.deep.mean)} (median ${formatMs(compact.shallow.median)} vs ${formatMs(compact.deep.median)})`,
        check: ratioAtMost(`compact ${deep} / ${count(counts.compactionShallow)}`, compact.ratio, COMPACT_RATIO_LIMIT, { median: compact.medianRatio, trimmed: compact.trimmedRatio }),
      },
      {
        measure: '  what one compaction writes',
        figure: `${compaction.messagesWritten} messages, ${count(compaction.bytesWritten)} bytes of bodies, 2 segment records, the session record`,
      },
    ];
    return { lines, results: { tokenWindow: { ...window, byHistory }, compaction } };
  } finally {
    await store.close();
  }
}
