/**
 * Search on stores without a full-text index (memory, file, Redis, record adapters, and a fallback
 * store, whose journal the primary's index cannot see): a bounded scan through the driver's reads.
 *
 * What it reads: with `sessionId`, the spans that session can read (reach.ts); otherwise every
 * session in scope (its user, its agent), and each segment those sessions wrote, a page of
 * SCAN_PAGE messages per call. Each message's searchable text is tokenized as the indexes do
 * (search-text.ts), and matches are ranked by BM25 as SQLite's FTS5 ranks them (k1 = 1.2, b = 0.75,
 * its IDF), the statistics taken over the messages scanned: so an unscoped search on a SQLite file
 * kept without its index ranks as the index would (a scoped one counts only the scope's messages).
 *
 * Its cost is the messages in scope, on every search (a next page scans again): roughly a
 * second per 100,000 short messages in memory, plus a round trip per page of messages and per
 * session on Redis. It stops after SCAN_LIMIT messages and then says so (`partial: true`); narrow
 * the search with `userId` or `sessionId`, or use SQLite or PostgreSQL, whose indexes cost the
 * matches, not the history.
 */
import { searchableText, termMatches, termsOf } from '../common/search-text.js';
import type { MessageRecord, MessageSearchHit, MessageSearchQuery, SessionQuery } from '../driver/driver.js';
import type { StoreContext } from './context.js';
import { getSegment, type PathSpan } from './path.js';

/** The most messages one search scans. */
export const SCAN_LIMIT = 100_000;
const SCAN_PAGE = 1000;
const SESSION_PAGE = 500;
const K1 = 1.2;
const B = 0.75;

export type ScanQuery = Omit<MessageSearchQuery, 'offset' | 'limit'>;

interface Candidate {
  message: MessageRecord;
  sessionId: string;
  /** How often each query term occurs in the message. */
  frequencies: number[];
  length: number;
}

export interface ScanResult {
  hits: MessageSearchHit[];
  partial: boolean;
}

export async function scanForMatches(context: StoreContext, query: ScanQuery): Promise<ScanResult> {
  const state = { scanned: 0, totalLength: 0, documentFrequencies: query.terms.map(() => 0), candidates: [] as Candidate[] };
  const visit = (message: MessageRecord, sessionId: string): void => {
    const terms = termsOf(searchableText(message.body));
    if (terms.length === 0) return;
    state.scanned += 1;
    state.totalLength += terms.length;
    const frequencies = query.terms.map((queryTerm, index) => {
      const prefix = query.lastTermIsPrefix && index === query.terms.length - 1;
      return terms.reduce((count, term) => count + (termMatches(term, queryTerm, prefix) ? 1 : 0), 0);
    });
    frequencies.forEach((frequency, index) => {
      if (frequency > 0) state.documentFrequencies[index]! += 1;
    });
    if (frequencies.every((frequency) => frequency > 0)) state.candidates.push({ message, sessionId, frequencies, length: terms.length });
  };
  const complete = await forEachMessage(context, query, visit, () => state.scanned >= SCAN_LIMIT);

  const averageLength = state.totalLength / Math.max(1, state.scanned);
  // FTS5's own IDF (fts5_aux.c: at least 1e-6, for a term in more than half the messages), so a
  // SQLite file kept without its index (searchIndex: false) ranks a search as its index would.
  const inverse = state.documentFrequencies.map((frequency) => Math.max(1e-6, Math.log((state.scanned - frequency + 0.5) / (frequency + 0.5))));
  const hits = state.candidates.map((candidate): MessageSearchHit => {
    const norm = K1 * (1 - B + (B * candidate.length) / averageLength);
    const score = candidate.frequencies.reduce((sum, frequency, index) => sum + (inverse[index]! * frequency * (K1 + 1)) / (frequency + norm), 0);
    return { message: candidate.message, sessionId: candidate.sessionId, score };
  });
  // The order the indexes give (see MessageSearchHit): score, then position, descending.
  hits.sort(
    (left, right) =>
      right.score - left.score ||
      (left.message.segmentId < right.message.segmentId ? 1 : left.message.segmentId > right.message.segmentId ? -1 : right.message.seq - left.message.seq),
  );
  return { hits, partial: !complete };
}

/** Calls `visit` for every message in the query's scope; false when `full()` stopped it early. */
async function forEachMessage(
  context: StoreContext,
  query: ScanQuery,
  visit: (message: MessageRecord, sessionId: string) => void,
  full: () => boolean,
): Promise<boolean> {
  if (query.within !== undefined) {
    for (const span of query.within) {
      const owner = (await getSegment(context, span.segmentId)).sessionId;
      if (!(await scanSpan(context, span, (message) => visit(message, owner), full))) return false;
    }
    return true;
  }
  let after: SessionQuery['after'];
  for (;;) {
    const sessions = await context.driver.listSessions({
      ...(query.userId === undefined ? {} : { userId: query.userId }),
      ...(query.agentId === undefined ? {} : { agentId: query.agentId }),
      ...(after === undefined ? {} : { after }),
      orderBy: 'createdAt',
      order: 'asc',
      limit: SESSION_PAGE,
    });
    for (const session of sessions) {
      for (const segment of await context.driver.listSegments({ sessionId: session.id })) {
        const span = { segmentId: segment.id, fromSeq: segment.baseSeq + 1, toSeq: Number.MAX_SAFE_INTEGER };
        if (!(await scanSpan(context, span, (message) => visit(message, session.id), full))) return false;
      }
    }
    const last = sessions[sessions.length - 1];
    if (sessions.length < SESSION_PAGE || !last) return true;
    after = { value: last.createdAt, id: last.id };
  }
}

async function scanSpan(context: StoreContext, span: PathSpan, visit: (message: MessageRecord) => void, full: () => boolean): Promise<boolean> {
  let fromSeq = span.fromSeq;
  for (;;) {
    if (full()) return false;
    // The range itself is bounded, not only the limit: a driver may slice a range before limiting it.
    const toSeq = Math.min(span.toSeq, fromSeq + SCAN_PAGE - 1);
    const page = await context.driver.readMessages(span.segmentId, { fromSeq, toSeq, order: 'asc', limit: SCAN_PAGE });
    for (const message of page) visit(message);
    const last = page[page.length - 1];
    if (!last || toSeq >= span.toSeq) return true;
    fromSeq = Math.max(toSeq, last.seq) + 1;
  }
}
