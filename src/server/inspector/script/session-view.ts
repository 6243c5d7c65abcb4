/**
 * Browser script: opening a session. Its record, newest messages, checkpoints, fork tree and runs
 * are read together; the header shows what the record says about it.
 */
export const SESSION_VIEW_SCRIPT = String.raw`
/** Opens a session through the URL hash, so it can be bookmarked and the back button works. */
function openSession(id) {
  const hash = '#session=' + encodeURIComponent(id);
  if (location.hash === hash) loadSession(id);
  else location.hash = hash;
}

function sessionIdFromHash() {
  const id = new URLSearchParams(location.hash.slice(1)).get('session');
  return id === null || id === '' ? undefined : id;
}

async function loadSession(id) {
  const generation = ++state.sessionGeneration;
  stopReplay();
  const switching = id !== state.sessionId;
  state.sessionId = id;
  state.pendingRewind = undefined;
  markSelectedInList();
  if (switching) clearSessionView(id === undefined ? undefined : 'Loading ' + id + ELLIPSIS);
  if (id === undefined) return;
  try {
    const [session, page, checkpoints, branches, runs] = await Promise.all([
      api('GET', sessionPath(id)),
      api('GET', withQuery(sessionPath(id, '/messages'), { last: MESSAGE_PAGE_SIZE })),
      // Markers are a nicety: a store without file checkpoints must not keep the session from opening.
      api('GET', sessionPath(id, '/checkpoints')).catch((error) => {
        if (error instanceof TokenRequired) throw error;
        return { checkpoints: [] };
      }),
      api('GET', sessionPath(id, '/branches')),
      api('GET', sessionPath(id, '/runs')),
    ]);
    if (generation !== state.sessionGeneration) return;
    state.session = session;
    state.messages = page.messages;
    state.checkpoints = new Map(checkpoints.checkpoints.map((checkpoint) => [checkpoint.messageId, checkpoint]));
    state.branches = branches;
    state.runs = runs.runs;
    renderSessionHeader();
    renderTimeline();
    renderBranchGraph();
    renderRuns();
    renderContinueBox();
    showFocusedMessage(generation);
    if (state.search !== undefined) renderSearch();
    if (state.runId !== undefined && !state.runs.some((run) => run.id === state.runId)) closeRun();
  } catch (error) {
    if (generation !== state.sessionGeneration) return;
    if (!(error instanceof TokenRequired)) clearSessionView('This session could not be opened.');
    reportError(error);
  }
}

function clearSessionView(message) {
  state.session = undefined;
  state.messages = [];
  state.checkpoints = new Map();
  state.branches = undefined;
  state.runs = [];
  closeRun();
  replaceContent(byId('session-header'), h('p', { class: 'muted', text: message || 'Select a session on the left, or open #session=ID.' }));
  replaceContent(byId('timeline'), []);
  replaceContent(byId('branch-graph'), []);
  setHidden(byId('branch-section'), true);
  closeDiff();
  closeMessageDetail();
  setHidden(byId('load-older'), true);
  renderRuns();
  renderContinueBox();
}

function renderSessionHeader() {
  const session = state.session;
  const facts = factList([
    ['user', session.userId],
    ['agent', session.agentId],
    ['workspace', session.workspaceId],
    ['messages', String(session.messageCount)],
    ['version', String(session.version)],
    ['created', absoluteTime(session.createdAt)],
    ['updated', absoluteTime(session.updatedAt) + ' (' + relativeTime(session.updatedAt) + ')'],
    ['usage', formatTokens(session.usage)],
    ['expires', session.expiresAt === undefined ? undefined : absoluteTime(session.expiresAt)],
  ]);
  const forkedFrom = session.forkedFrom;
  replaceContent(byId('session-header'), [
    h('div', { class: 'title-line' }, [
      h('h2', { class: 'session-title mono', text: session.id }),
      stateBadge(session.state),
      h('button', { type: 'button', class: 'secondary', onclick: () => refreshSession() }, 'Refresh'),
      h('button', { type: 'button', class: 'secondary', title: 'Download this session as a sessionloom export (JSON Lines), for sessionloom import', onclick: () => exportSession(session.id) }, 'Export'),
    ]),
    session.title === undefined ? null : h('p', { class: 'session-name', text: session.title }),
    forkedFrom === undefined ? null : h('p', { class: 'forked-from small' }, [
      'Forked from ',
      h('button', { type: 'button', class: 'link-button mono', title: forkedFrom.sessionId, onclick: () => openSession(forkedFrom.sessionId) }, shortId(forkedFrom.sessionId)),
      ' at ',
      h('span', { class: 'mono', title: forkedFrom.messageId, text: shortId(forkedFrom.messageId) }),
    ]),
    facts,
    session.tags.length === 0 ? null : h('div', { class: 'tags' }, session.tags.map(tagChip)),
    Object.keys(session.metadata).length === 0 ? null : h('details', { class: 'metadata small' }, [
      h('summary', { text: 'Metadata' }),
      h('pre', { class: 'json', text: prettyJson(session.metadata) }),
    ]),
  ]);
}

/**
 * Downloads the session's export. The API needs the token in a header, which a plain link cannot
 * send, so the file is fetched here and handed to the browser as a blob: URL (revoked right after).
 */
async function exportSession(id) {
  hideError();
  try {
    const blob = await download(withQuery('/api/export', { session: id }));
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = id + '.jsonl';
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 0);
    showNotice('Exported ' + id + ' (' + blob.size.toLocaleString('en-US') + ' bytes).');
  } catch (error) {
    reportError(error);
  }
}

/** After a change made here (or elsewhere): the session again, and the list whose order it may have changed. */
async function refreshSession() {
  hideError();
  await Promise.all([loadSession(state.sessionId), reloadList()]);
}
`;
