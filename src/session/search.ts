/**
 * `search`: full-text search over message text, ranked, with a snippet per hit. The driver's index
 * answers when it has one (SQLite FTS5, PostgreSQL text search: capability `search`); otherwise a
 * bounded scan does (search-scan.ts). Either way the query is only ever terms (search-text.ts): FTS
 * operators, quotes or SQL in it are punctuation that separates words, never syntax.
 *
 * Scoped like every read: a scoped store searches only its user's sessions, and `sessionId` only
 * what that session can read (its path, compacted parts included, and its rewound tails).
 *
 * A compaction's copies of the messages it kept are not hits: their originals are (one hit per
 * message written). Pages are offsets into the ranking, so a page after new writes may repeat or
 * skip a hit near its edge; the cursor refuses a different query or filters.
 */
import { createHash } from 'node:crypto';
import type { SearchHit, SearchOptions, SearchResult } from '../audit-types.js';
import { searchableText, termsOf } from '../common/search-text.js';
import type { MessageSearchHit, MessageSearchQuery, StorageDriver } from '../driver/driver.js';
import { InvalidArgumentError } from '../errors.js';
import { requireSession } from './access.js';
import type { StoreContext } from './context.js';
import { toStoredMessage } from './messages.js';
import { parseOptions, searchOptionsSchema } from './options.js';
import { getSegment } from './path.js';
import { readableSpans } from './reach.js';
import { scanForMatches, type ScanQuery, type ScanResult } from './search-scan.js';
import { makeSnippet } from './snippet.js';
import { isCompactionSegment } from './view.js';

const DEFAULT_LIMIT = 20;

interface Searcher {
  page(offset: number, limit: number): Promise<MessageSearchHit[]>;
  partial(): boolean;
}

export async function searchMessages(context: StoreContext, query: unknown, searchOptions: SearchOptions | undefined): Promise<SearchResult> {
  const options = parseOptions(searchOptionsSchema, searchOptions, 'search options');
  const { terms, lastTermIsPrefix } = parseQuery(query);
  const limit = options.limit ?? DEFAULT_LIMIT;
  const shape = createHash('sha256')
    .update(JSON.stringify([terms, lastTermIsPrefix, options.userId ?? null, options.sessionId ?? null, options.agentId ?? null]))
    .digest('base64url')
    .slice(0, 16);
  const start = options.cursor === undefined ? 0 : decodeCursor(options.cursor, shape);

  if (context.scopeUserId !== undefined && options.userId !== undefined && options.userId !== context.scopeUserId) return { hits: [] };
  const userId = context.scopeUserId ?? options.userId;
  const scope: ScanQuery = { terms, lastTermIsPrefix };
  if (options.sessionId !== undefined) {
    const record = await requireSession(context, options.sessionId);
    if ((userId !== undefined && record.userId !== userId) || (options.agentId !== undefined && record.agentId !== options.agentId)) return { hits: [] };
    scope.within = (await readableSpans(context, record)).map(({ segmentId, fromSeq, toSeq }) => ({ segmentId, fromSeq, toSeq }));
  } else {
    if (userId !== undefined) scope.userId = userId;
    if (options.agentId !== undefined) scope.agentId = options.agentId;
  }

  const searcher = searcherFor(context, scope);
  // One more than asked tells whether there is a next page; copies dropped are made up for.
  const kept: Array<{ hit: MessageSearchHit; next: number }> = [];
  let offset = start;
  for (;;) {
    const wanted = limit + 1 - kept.length;
    const page = await searcher.page(offset, wanted);
    for (const hit of page) {
      offset += 1;
      if (!(await isCompactionCopy(context, hit))) kept.push({ hit, next: offset });
    }
    if (kept.length > limit || page.length < wanted) break;
  }
  const hits = kept.slice(0, limit).map(({ hit }) => toSearchHit(hit, terms, lastTermIsPrefix, options.sessionId));
  const last = kept[limit - 1];
  return {
    hits,
    ...(kept.length > limit && last ? { nextCursor: encodeCursor(shape, last.next) } : {}),
    ...(searcher.partial() ? { partial: true } : {}),
  };
}

/** The query's terms; an empty query, or one with no word in it, is refused. */
function parseQuery(query: unknown): { terms: string[]; lastTermIsPrefix: boolean } {
  if (typeof query !== 'string') throw new InvalidArgumentError({ argument: 'query', message: 'expected the text to search for, as a string.' });
  const all = termsOf(query);
  const last = all[all.length - 1];
  if (last === undefined) {
    throw new InvalidArgumentError({
      argument: 'query',
      message: query.trim() === '' ? 'the query is empty; give the words to search for.' : 'the query holds no words to search for (letters or digits).',
    });
  }
  // Search as you type: a query ending inside a word matches words it begins ("refact" finds "refactor").
  const lastTermIsPrefix = /[\p{L}\p{N}\p{M}]$/u.test(query);
  const earlier = [...new Set(all.slice(0, -1))].filter((term) => lastTermIsPrefix || term !== last);
  return { terms: [...earlier, last], lastTermIsPrefix };
}

function searcherFor(context: StoreContext, scope: ScanQuery): Searcher {
  const driver: StorageDriver = context.driver;
  if (driver.capabilities.search === true && driver.searchMessages) {
    const search = driver.searchMessages.bind(driver);
    // A driver whose index is not kept at the moment answers undefined: this search scans from then on.
    let scanner: Searcher | undefined;
    return {
      async page(offset, limit) {
        if (scanner === undefined) {
          const hits = await search({ ...scope, offset, limit } satisfies MessageSearchQuery);
          if (hits !== undefined) return hits;
          scanner = scanSearcher(context, scope);
        }
        return scanner.page(offset, limit);
      },
      partial: () => scanner?.partial() ?? false,
    };
  }
  return scanSearcher(context, scope);
}

function scanSearcher(context: StoreContext, scope: ScanQuery): Searcher {
  // One scan per search, however many pages the paging loop asks of it.
  let scanned: Promise<ScanResult> | undefined;
  let partial = false;
  return {
    async page(offset, limit) {
      scanned ??= scanForMatches(context, scope);
      const result = await scanned;
      partial = result.partial;
      return result.hits.slice(offset, offset + limit);
    },
    partial: () => partial,
  };
}

/** A compaction segment holds its summary, then copies of the messages it kept. */
async function isCompactionCopy(context: StoreContext, hit: MessageSearchHit): Promise<boolean> {
  if (!isCompactionSegment(hit.message.segmentId)) return false;
  return hit.message.seq > (await getSegment(context, hit.message.segmentId)).baseSeq + 1;
}

function toSearchHit(hit: MessageSearchHit, terms: string[], lastTermIsPrefix: boolean, sessionId: string | undefined): SearchHit {
  const message = toStoredMessage(hit.message);
  return {
    sessionId: sessionId ?? hit.sessionId,
    messageId: message.id,
    role: message.role,
    createdAt: message.createdAt,
    ...makeSnippet(searchableText(hit.message.body), terms, lastTermIsPrefix),
    score: hit.score,
  };
}

function encodeCursor(shape: string, offset: number): string {
  return Buffer.from(JSON.stringify([shape, offset])).toString('base64url');
}

function decodeCursor(cursor: string, shape: string): number {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || !Number.isSafeInteger(decoded[1]) || (decoded[1] as number) < 0) {
    throw new InvalidArgumentError({ argument: 'cursor', message: 'it is not a cursor returned by search(); pass nextCursor unchanged.' });
  }
  if (decoded[0] !== shape) {
    throw new InvalidArgumentError({ argument: 'cursor', message: 'it was made for another query or other filters; keep the same query and options across pages.' });
  }
  return decoded[1] as number;
}
