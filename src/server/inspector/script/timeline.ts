/**
 * Browser script: the message timeline of the open session, oldest at the top. A long session
 * opens on its newest page; "Load older" reads the page before the first message shown (`before`
 * with `last`), keeping the reader's place.
 */
export const TIMELINE_SCRIPT = String.raw`
function renderTimeline() {
  const session = state.session;
  const headId = session.messageCount === 0 ? undefined : state.messages[state.messages.length - 1]?.id;
  const items = state.messages.map((message) => messageItem(message, message.id === headId));
  if (items.length === 0) items.push(h('li', { class: 'empty muted', text: 'No messages on this session\'s path.' }));
  replaceContent(byId('timeline'), items);
  // Nothing is older on the path than a compaction's summary (its messageCount also counts what the compaction replaced).
  const startsAtCompaction = state.messages.length > 0 && compactionOfMessage(state.messages[0]) !== undefined;
  setHidden(byId('load-older'), startsAtCompaction || state.messages.length >= session.messageCount);
}

function messageItem(message, isHead) {
  const checkpoint = state.checkpoints.get(message.id);
  const pending = state.pendingRewind !== undefined && state.pendingRewind.messageId === message.id;
  const compaction = compactionOfMessage(message);
  return h('li', { class: ['message', 'role-' + message.role], dataset: { messageId: message.id } }, [
    h('div', { class: 'message-header small' }, [
      h('span', { class: 'role', text: message.role }),
      h('time', { class: 'muted', title: new Date(message.createdAt).toISOString(), text: absoluteTime(message.createdAt) }),
      h('span', { class: 'muted mono message-id', title: message.id, text: shortId(message.id) }),
      message.runId === undefined ? null : h('button', {
        type: 'button',
        class: 'badge run-badge mono',
        title: 'Show run ' + message.runId,
        onclick: () => selectRun(message.runId),
      }, 'run ' + shortId(message.runId)),
      checkpoint === undefined ? null : h('span', {
        class: 'badge checkpoint-marker',
        title: 'Files were checkpointed at this message (' + plural(checkpoint.changedFiles, 'changed file') + '); rewinding here with the CLI can restore them.',
      }, 'checkpoint'),
      compaction === undefined ? null : compactionBadge(compaction),
      isHead ? h('span', { class: 'badge head-marker', text: 'head' }) : null,
      h('span', { class: 'spacer' }),
      h('button', { type: 'button', class: 'secondary action-fork', onclick: (event) => forkFrom(message.id, event.currentTarget) }, 'Fork from here'),
      // Rewinding to the head would change nothing, so the head does not offer it.
      isHead ? null : h('button', { type: 'button', class: 'secondary action-rewind', onclick: (event) => planRewind(message.id, event.currentTarget) }, 'Rewind to here'),
    ]),
    h('div', { class: 'message-body' }, renderContent(message.content)),
    compaction === undefined ? null : compactionDetails(message, compaction),
    message.metadata === undefined ? null : h('details', { class: 'metadata small' }, [
      h('summary', { text: 'Metadata' }),
      h('pre', { class: 'json', text: prettyJson(message.metadata) }),
    ]),
    pending ? rewindConfirmation(state.pendingRewind) : null,
  ]);
}

async function loadOlder() {
  const first = state.messages[0];
  if (first === undefined) return;
  const id = state.sessionId;
  const generation = state.sessionGeneration;
  const button = byId('load-older');
  button.disabled = true;
  try {
    const page = await api('GET', withQuery(sessionPath(id, '/messages'), { before: first.id, last: MESSAGE_PAGE_SIZE }));
    if (generation !== state.sessionGeneration) return;
    // After a compaction the session's messageCount counts stored positions, more than its path shows.
    if (page.messages.length === 0) {
      setHidden(button, true);
      return;
    }
    // Prepending moves everything down: keep the message the reader was looking at in place.
    const pane = byId('timeline').closest('.pane');
    const fromBottom = pane.scrollHeight - pane.scrollTop;
    state.messages = page.messages.concat(state.messages);
    renderTimeline();
    pane.scrollTop = pane.scrollHeight - fromBottom;
  } catch (error) {
    reportError(error);
  } finally {
    button.disabled = false;
  }
}
`;
