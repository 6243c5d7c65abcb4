/**
 * Browser script: the session list (left pane). Newest updated first, filtered by user, agent,
 * state, tag and the start of the title, paged with the API's cursor ("Load more").
 */
export const SESSION_LIST_SCRIPT = String.raw`
function readFilters() {
  state.filters = {
    userId: byId('filter-user').value.trim(),
    agentId: byId('filter-agent').value.trim(),
    state: byId('filter-state').value,
    tag: byId('filter-tag').value.trim(),
    // Not trimmed: "Trip " is a narrower prefix than "Trip".
    title: byId('filter-title').value,
  };
}

function clearFilters() {
  for (const id of ['filter-user', 'filter-agent', 'filter-tag', 'filter-title']) byId(id).value = '';
  byId('filter-state').value = '';
  readFilters();
  reloadList();
}

async function reloadList() {
  state.sessions = [];
  state.nextCursor = undefined;
  await loadListPage();
}

async function loadListPage() {
  const generation = ++state.listGeneration;
  const path = withQuery('/api/sessions', {
    orderBy: 'updatedAt',
    order: 'desc',
    limit: LIST_PAGE_SIZE,
    userId: state.filters.userId,
    agentId: state.filters.agentId,
    state: state.filters.state,
    tag: state.filters.tag,
    titlePrefix: state.filters.title,
    cursor: state.nextCursor,
  });
  const button = byId('load-more');
  button.disabled = true;
  try {
    const page = await api('GET', path);
    if (generation !== state.listGeneration) return;
    state.sessions = state.sessions.concat(page.sessions);
    state.nextCursor = page.nextCursor;
    renderList();
  } catch (error) {
    if (generation === state.listGeneration) reportError(error);
  } finally {
    button.disabled = false;
  }
}

function renderList() {
  const rows = state.sessions.map(sessionRow);
  if (rows.length === 0) rows.push(h('li', { class: 'empty muted', text: 'No sessions match these filters.' }));
  replaceContent(byId('session-list'), rows);
  const count = plural(state.sessions.length, 'session') + (state.nextCursor ? ', more to load' : '');
  byId('session-count').textContent = count;
  setHidden(byId('load-more'), !state.nextCursor);
}

function sessionRow(session) {
  const selected = session.id === state.sessionId;
  const user = session.userId === undefined ? 'no user' : session.userId;
  return selectableRow({ sessionId: session.id }, 'session-row', selected, () => openSession(session.id), [
    session.title === undefined ? null : h('span', { class: 'row-line session-name', text: session.title }),
    h('span', { class: 'row-line' }, [
      h('span', { class: 'session-id mono', title: session.id, text: shortId(session.id) }),
      stateBadge(session.state),
    ]),
    h('span', { class: 'row-line muted small' }, [
      h('span', { class: 'session-user', text: user }),
      h('span', { class: 'session-count', text: plural(session.messageCount, 'msg') }),
      h('span', { class: 'session-updated', title: 'updated ' + absoluteTime(session.updatedAt), text: relativeTime(session.updatedAt) }),
    ]),
    session.tags.length === 0 ? null : h('span', { class: 'row-line tags' }, session.tags.map(tagChip)),
  ]);
}

function markSelectedInList() {
  for (const button of byId('session-list').querySelectorAll('.session-row')) {
    const selected = button.parentElement.dataset.sessionId === state.sessionId;
    button.classList.toggle('selected', selected);
    if (selected) button.setAttribute('aria-current', 'true');
    else button.removeAttribute('aria-current');
  }
}

function stateBadge(sessionState) {
  return h('span', { class: ['badge', 'state-' + sessionState], text: sessionState });
}

function tagChip(tag) {
  return h('span', { class: 'tag', text: tag });
}
`;
