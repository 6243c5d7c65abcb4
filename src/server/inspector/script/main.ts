/**
 * Browser script: start-up. Wires the page's static controls, follows the URL hash
 * (`#session=ID`), and loads everything; after a token is entered, everything is loaded again.
 */
export const MAIN_SCRIPT = String.raw`
async function loadHealth() {
  const health = byId('health');
  try {
    const answer = await api('GET', '/api/health');
    health.textContent = answer.backend + (answer.degraded ? ' (degraded: serving from the local journal)' : '');
    health.classList.toggle('degraded', answer.degraded === true);
  } catch (error) {
    health.textContent = '';
    reportError(error);
  }
}

function loadEverything() {
  hideError();
  readFilters();
  state.sessionId = undefined; // so the session from the hash is opened afresh
  return Promise.all([loadHealth(), reloadList(), loadSession(sessionIdFromHash()), loadAgents(), loadApprovals()]);
}

function onEnter(id, action) {
  byId(id).addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      action();
    }
  });
}

function applyFilters() {
  readFilters();
  reloadList();
}

function wireControls() {
  byId('error-dismiss').addEventListener('click', hideError);
  byId('notice-dismiss').addEventListener('click', hideNotice);
  byId('token-submit').addEventListener('click', () => submitToken(loadEverything));
  onEnter('token-input', () => submitToken(loadEverything));
  byId('forget-token').addEventListener('click', () => {
    storeToken(undefined);
    loadEverything();
  });
  byId('filter-apply').addEventListener('click', applyFilters);
  byId('filter-clear').addEventListener('click', clearFilters);
  byId('filter-state').addEventListener('change', applyFilters);
  for (const id of ['filter-user', 'filter-agent', 'filter-tag', 'filter-title']) onEnter(id, applyFilters);
  byId('load-more').addEventListener('click', loadListPage);
  byId('search-submit').addEventListener('click', runSearch);
  onEnter('search-input', runSearch);
  byId('search-more').addEventListener('click', loadSearchPage);
  byId('search-close').addEventListener('click', closeSearch);
  byId('load-older').addEventListener('click', loadOlder);
  byId('replay').addEventListener('click', startReplay);
  byId('replay-stop').addEventListener('click', () => {
    stopReplay();
    byId('replay-status').textContent = 'Replay stopped.';
  });
  byId('run-cancel').addEventListener('click', cancelOpenRun);
  byId('continue-send').addEventListener('click', continueSession);
  wireGraphControls();
  wireCompare();
  window.addEventListener('hashchange', () => loadSession(sessionIdFromHash()));
}

wireControls();
storeToken(storedToken()); // shows "Forget token" when this tab already has one
loadEverything();
`;
