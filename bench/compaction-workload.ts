/**
 * Token windows and compaction on a long session (issue 12): `transcript` with a 128,000-token
 * budget on a 100,000-message session, cold (no message counted yet) and warm (counts cached), and
 * `compact` there versus on a 1,000-message session (interleaved rounds, each compaction undone by
 * a rewind to the old head, untimed, so every round compacts the same path), and what a compaction
 * writes.
 */
import { loadTokenCounter, type SessionStore, type StoredMessage } from '../src/index.js';
import { interleave, summarise, timeOnce, collectGarbage, type Summary } from './measure.js';
import { sessionOfDepth, type DepthComparison, type OnProgress } from './workload.js';

export const WINDOW_TOKENS = 128_000;
/** Messages a bench compaction keeps after its summary. */
export const KEPT_MESSAGES = 20;
const SUMMARY = 'The user and the assistant went through the figures question by question; every answer followed from the earlier steps.';

export interface WindowCosts {
  cold: Summary;
  warm: Summary;
  messages: number;
  tokens: number;
}

/** `transcript(id, { maxTokens: 128,000 })`, cold and warm, `rounds` times each. */
export async function windowCosts(store: SessionStore, sessionId: string, rounds: number, onProgress?: OnProgress): Promise<WindowCosts> {
  const count = await loadTokenCounter();
  // A counter function the store has never seen: nothing is cached for it, every message in the window is tokenized.
  const coldCounter = () => (message: Parameters<typeof count>[0]) => count(message);
  const window = await store.transcript(sessionId, { maxTokens: WINDOW_TOKENS });
  const tokens = window.reduce((total, message) => total + count(message), 0);
  collectGarbage();
  const cold: number[] = [];
  const warm: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const counter = coldCounter();
    cold.push(await timeOnce(() => store.transcript(sessionId, { maxTokens: WINDOW_TOKENS, countTokens: counter })));
    warm.push(await timeOnce(() => store.transcript(sessionId, { maxTokens: WINDOW_TOKENS })));
    onProgress?.(round + 1, rounds);
  }
  return { cold: summarise(cold), warm: summarise(warm), messages: window.length, tokens };
}

/** Messages in the shorter session a window is compared on: long enough to fill the same 128,000-token window. */
export const WINDOW_COMPARISON_DEPTH = 10_000;

/** The warm window on a `WINDOW_COMPARISON_DEPTH`-message session versus on `deepSession` (interleaved): the same window, histories ten times apart. */
export async function windowCostByHistory(store: SessionStore, deepSession: string, rounds: number, onProgress?: OnProgress): Promise<DepthComparison> {
  const shallow = await sessionOfDepth(store, WINDOW_COMPARISON_DEPTH);
  const read = (id: string) => () => store.transcript(id, { maxTokens: WINDOW_TOKENS });
  return compare(await interleave(rounds, read(shallow), read(deepSession), (done) => onProgress?.(done, rounds)));
}

function compare(samples: { left: number[]; right: number[] }): DepthComparison {
  const shallow = summarise(samples.left);
  const deep = summarise(samples.right);
  return { shallow, deep, ratio: deep.mean / shallow.mean, medianRatio: deep.median / shallow.median, trimmedRatio: deep.trimmedMean / shallow.trimmedMean };
}

/** A session (of `depth` messages, or the one given) whose every round compacts it (timed) and rewinds the compaction away (untimed). */
async function compactAndUndo(store: SessionStore, session: number | string) {
  const id = typeof session === 'string' ? session : await sessionOfDepth(store, session);
  const [head] = await store.getMessages(id, { last: 1 });
  return {
    id,
    side: {
      timed: async () => {
        const result = await store.compact(id, { summary: SUMMARY, keep: { lastMessages: KEPT_MESSAGES } });
        if (!result.compacted) throw new Error(`a bench compaction did not compact: ${result.reason}`);
      },
      after: () => store.rewind(id, { toMessage: head!.id }),
    },
  };
}

export interface CompactionCosts {
  compact: DepthComparison;
  /** Encoded bytes of the messages one compaction writes (the summary and the kept copies). */
  bytesWritten: number;
  messagesWritten: number;
}

/** Compaction of a `shallowDepth` session versus of `deepSession` (an id), interleaved. */
export async function compactionCosts(store: SessionStore, shallowDepth: number, deepSession: string, rounds: number, onProgress?: OnProgress): Promise<CompactionCosts> {
  await loadTokenCounter();
  const shallow = await compactAndUndo(store, shallowDepth);
  const deep = await compactAndUndo(store, deepSession);
  const compact = compare(await interleave(rounds, shallow.side, deep.side, (done) => onProgress?.(done, rounds)));
  await deep.side.timed();
  const written = await store.getMessages(deep.id);
  return { compact, bytesWritten: written.reduce((total, message) => total + encodedBytes(message), 0), messagesWritten: written.length };
}

/** The size of a message as the store keeps its body (everything but id, time and run, as JSON). */
function encodedBytes(message: StoredMessage): number {
  const { id: _id, createdAt: _createdAt, runId: _runId, ...body } = message;
  return Buffer.byteLength(JSON.stringify(body), 'utf8');
}
