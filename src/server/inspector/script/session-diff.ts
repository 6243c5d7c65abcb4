/**
 * Browser script: two sessions side by side from their common fork point. Both paths are read from
 * the start (a page at a time, up to DIFF_MAX_MESSAGES each); the history they share is the longest
 * run of the same message ids at their start (a fork reads its source's messages up to the fork
 * point, ids and all), and each column shows what its session has after it. Any session id may be
 * typed; the ones offered are the open one's relatives from the fork tree (ancestors and forks).
 */
export const SESSION_DIFF_SCRIPT = String.raw`
const DIFF_PAGE_SIZE = 200;
const DIFF_MAX_MESSAGES = 2000;

function renderCompareChoices(branches) {
  const relatives = [];
  for (const parent of branches.parents) relatives.push({ session: parent, relation: 'ancestor' });
  const addForks = (forks) => {
    for (const fork of forks) {
      relatives.push({ session: fork.session, relation: 'fork' });
      addForks(fork.children);
    }
  };
  addForks(branches.forks);
  replaceContent(byId('compare-choices'), relatives.map(({ session, relation }) => h('option', {
    value: session.id,
    label: relation + (session.title === undefined ? '' : ': ' + truncate(session.title, 40)),
  })));
  // The nearest relative is the likeliest comparison: offered ready to compare.
  byId('compare-with').value = relatives.length === 0 ? '' : relatives[0].session.id;
}

async function readWholePath(sessionId) {
  let messages = [];
  let after;
  for (;;) {
    const page = await api('GET', withQuery(sessionPath(sessionId, '/messages'), { limit: DIFF_PAGE_SIZE, after }));
    messages = messages.concat(page.messages);
    const last = page.messages[page.messages.length - 1];
    if (page.messages.length < DIFF_PAGE_SIZE || last === undefined) return { messages, cut: false };
    if (messages.length >= DIFF_MAX_MESSAGES) return { messages, cut: true };
    after = last.id;
  }
}

async function compareSessions(leftId, rightId) {
  const generation = state.sessionGeneration;
  const button = byId('compare-run');
  button.disabled = true;
  try {
    const [left, right, leftPath, rightPath] = await Promise.all([
      api('GET', sessionPath(leftId)),
      api('GET', sessionPath(rightId)),
      readWholePath(leftId),
      readWholePath(rightId),
    ]);
    if (generation !== state.sessionGeneration) return;
    let shared = 0;
    while (shared < leftPath.messages.length && shared < rightPath.messages.length && leftPath.messages[shared].id === rightPath.messages[shared].id) shared++;
    renderDiff({ left, right, leftPath, rightPath, shared });
  } catch (error) {
    if (generation === state.sessionGeneration) reportError(error);
  } finally {
    button.disabled = false;
  }
}

function renderDiff(diff) {
  const forkPoint = diff.shared === 0 ? undefined : diff.leftPath.messages[diff.shared - 1];
  const common = forkPoint === undefined
    ? 'No common history: each column is the whole path.'
    : 'Common history: ' + plural(diff.shared, 'message') + ', up to the fork point ' + shortId(forkPoint.id) + '.';
  const section = byId('session-diff');
  replaceContent(section, [
    h('div', { class: 'detail-heading' }, [
      h('span', { class: 'diff-heading', text: 'Comparing ' + diff.left.id + ' with ' + diff.right.id }),
      h('button', { type: 'button', class: 'secondary', onclick: closeDiff }, 'Close'),
    ]),
    h('p', { class: 'diff-common small', text: common }),
    forkPoint === undefined ? null : h('ol', { class: 'detail-messages diff-fork-point' }, plainMessageItem(forkPoint, 'detail-message')),
    h('div', { class: 'diff-columns' }, [diffColumn(diff.left, diff.leftPath, diff.shared), diffColumn(diff.right, diff.rightPath, diff.shared)]),
  ]);
  setHidden(section, false);
  section.scrollIntoView({ block: 'nearest' });
}

function diffColumn(session, path, shared) {
  const after = path.messages.slice(shared);
  const items = after.map((message) => plainMessageItem(message, 'detail-message'));
  if (items.length === 0) items.push(h('li', { class: 'empty muted small', text: 'Nothing after the fork point.' }));
  return h('section', { class: 'diff-column', dataset: { sessionId: session.id } }, [
    h('h3', { class: 'diff-title', title: session.id, text: session.title === undefined ? session.id : session.title }),
    h('p', { class: 'muted small', text: shortId(session.id) + ': ' + plural(after.length, 'message') + ' after the fork point' + (path.cut ? ' (the path was cut at ' + DIFF_MAX_MESSAGES + ')' : '') }),
    h('ol', { class: 'detail-messages' }, items),
  ]);
}

function closeDiff() {
  const section = byId('session-diff');
  replaceContent(section, []);
  setHidden(section, true);
}

function wireCompare() {
  const compare = () => {
    const other = byId('compare-with').value.trim();
    if (state.sessionId !== undefined && other !== '') compareSessions(state.sessionId, other);
  };
  byId('compare-run').addEventListener('click', compare);
  onEnter('compare-with', compare);
}
`;
