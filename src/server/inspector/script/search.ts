/**
 * Browser script: the search box (left pane). Full-text search over every message the token may
 * read, rewound and compacted ones included (`/api/search`), best first, each hit with its snippet,
 * the matched words marked; a hit opens its session with the message shown whole.
 */
export const SEARCH_SCRIPT = String.raw`
const SEARCH_PAGE_SIZE = 20;

async function runSearch() {
  const query = byId('search-input').value.trim();
  if (query === '') return closeSearch();
  state.search = { query, hits: [], nextCursor: undefined, partial: false };
  await loadSearchPage();
}

async function loadSearchPage() {
  const search = state.search;
  if (search === undefined) return;
  const generation = ++state.searchGeneration;
  const button = byId('search-more');
  button.disabled = true;
  try {
    const page = await api('GET', withQuery('/api/search', { q: search.query, limit: SEARCH_PAGE_SIZE, cursor: search.nextCursor }));
    if (generation !== state.searchGeneration) return;
    search.hits = search.hits.concat(page.hits);
    search.nextCursor = page.nextCursor;
    search.partial = page.partial === true;
    renderSearch();
  } catch (error) {
    if (generation === state.searchGeneration) reportError(error);
  } finally {
    button.disabled = false;
  }
}

function renderSearch() {
  const search = state.search;
  setHidden(byId('search-panel'), search === undefined);
  if (search === undefined) return;
  const rows = search.hits.map(searchHitRow);
  if (rows.length === 0) rows.push(h('li', { class: 'empty muted', text: 'No messages match.' }));
  replaceContent(byId('search-results'), rows);
  byId('search-count').textContent = search.hits.length + (search.hits.length === 1 ? ' match' : ' matches') +
    (search.nextCursor ? ', more to load' : '') + (search.partial ? ' (this store is searched by reading it; the search stopped at its limit)' : '');
  setHidden(byId('search-more'), !search.nextCursor);
}

function searchHitRow(hit) {
  const selected = hit.sessionId === state.sessionId && hit.messageId === messageIdFromHash();
  return selectableRow({ sessionId: hit.sessionId, messageId: hit.messageId }, 'search-hit', selected, () => openMessage(hit.sessionId, hit.messageId), [
    h('span', { class: 'row-line small' }, [
      h('span', { class: 'mono hit-session', title: hit.sessionId, text: shortId(hit.sessionId) }),
      h('span', { class: 'role', text: hit.role }),
      h('span', { class: 'muted', title: absoluteTime(hit.createdAt), text: relativeTime(hit.createdAt) }),
    ]),
    h('span', { class: 'snippet' }, highlightedSnippet(hit)),
  ]);
}

/** The snippet as text nodes, the matched words in <mark> (never parsed as markup). */
function highlightedSnippet(hit) {
  const pieces = [];
  let at = 0;
  for (const [start, end] of hit.highlights) {
    if (start < at) continue;
    pieces.push(hit.snippet.slice(at, start), h('mark', { text: hit.snippet.slice(start, end) }));
    at = end;
  }
  pieces.push(hit.snippet.slice(at));
  return pieces;
}

function closeSearch() {
  state.search = undefined;
  state.searchGeneration++;
  byId('search-input').value = '';
  renderSearch();
}
`;
