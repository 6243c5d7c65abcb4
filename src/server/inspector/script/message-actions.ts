/**
 * Browser script: forking and rewinding from a message. A fork opens the new session. A rewind is
 * asked of the API twice: first as a dry run, whose count of messages leaving the path is shown in
 * a confirmation under the message (in the page, so it can be read and tested like the rest), then
 * for real once confirmed. Nothing is lost either way: rewound messages stay readable in the tree.
 */
export const MESSAGE_ACTIONS_SCRIPT = String.raw`
async function forkFrom(messageId, button) {
  const sourceId = state.sessionId;
  button.disabled = true;
  try {
    const fork = await api('POST', sessionPath(sourceId, '/fork'), { fromMessage: messageId });
    hideError();
    showNotice('Forked ' + sourceId + ' at ' + shortId(messageId) + ' into ' + fork.id + '.');
    reloadList();
    openSession(fork.id);
  } catch (error) {
    reportError(error);
  } finally {
    button.disabled = false;
  }
}

async function planRewind(messageId, button) {
  const sessionId = state.sessionId;
  button.disabled = true;
  try {
    const plan = await api('POST', sessionPath(sessionId, '/rewind'), { toMessage: messageId, dryRun: true });
    if (sessionId !== state.sessionId) return;
    state.pendingRewind = { messageId, removedMessages: plan.removedMessages };
    renderTimeline();
    const confirm = byId('timeline').querySelector('.rewind-confirm button');
    if (confirm) confirm.focus();
  } catch (error) {
    reportError(error);
  } finally {
    button.disabled = false;
  }
}

function rewindConfirmation(plan) {
  const count = plan.removedMessages;
  if (count === 0) {
    return h('div', { class: 'rewind-confirm', role: 'group', 'aria-label': 'Rewind' }, [
      h('p', { text: 'This message is already the head: rewinding to it changes nothing.' }),
      h('button', { type: 'button', class: 'secondary', onclick: cancelRewind }, 'Close'),
    ]);
  }
  return h('div', { class: 'rewind-confirm', role: 'group', 'aria-label': 'Confirm rewind' }, [
    h('p', { text: 'Rewind to this message? ' + plural(count, 'message') + ' after it will leave the session\'s path ' +
      '(they stay readable as a rewound tail in the fork tree). Files are not touched.' }),
    h('button', { type: 'button', class: 'danger confirm-rewind', onclick: (event) => confirmRewind(event.currentTarget) }, 'Rewind ' + plural(count, 'message')),
    h('button', { type: 'button', class: 'secondary', onclick: cancelRewind }, 'Cancel'),
  ]);
}

function cancelRewind() {
  state.pendingRewind = undefined;
  renderTimeline();
}

async function confirmRewind(button) {
  const plan = state.pendingRewind;
  const sessionId = state.sessionId;
  if (plan === undefined) return;
  button.disabled = true;
  try {
    const result = await api('POST', sessionPath(sessionId, '/rewind'), { toMessage: plan.messageId });
    hideError();
    showNotice('Rewound ' + sessionId + ' to ' + shortId(plan.messageId) + ': ' + plural(result.removedMessages, 'message') + ' left the path.');
    state.pendingRewind = undefined;
    await refreshSession();
  } catch (error) {
    button.disabled = false;
    reportError(error);
  }
}
`;
