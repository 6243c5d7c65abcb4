/**
 * Browser script: one message shown whole above the timeline, wherever it lives for the session
 * (`#session=ID&message=MSG`, read with `/api/sessions/:id/messages/:messageId`): on the path, behind
 * a compaction, or rewound off the path, which the timeline does not show. A rewound tail of the
 * fork tree opens here too, all its messages.
 */
export const MESSAGE_DETAIL_SCRIPT = String.raw`
/** A rewound tail shows at most this many messages (each is one request). */
const TAIL_MESSAGES_SHOWN = 50;

function openMessage(sessionId, messageId) {
  const hash = '#session=' + encodeURIComponent(sessionId) + '&message=' + encodeURIComponent(messageId);
  if (location.hash === hash) loadSession(sessionId);
  else location.hash = hash;
}

function messageIdFromHash() {
  const id = new URLSearchParams(location.hash.slice(1)).get('message');
  return id === null || id === '' ? undefined : id;
}

/** After a session loads: the message the address names, or nothing. */
async function showFocusedMessage(generation) {
  const messageId = messageIdFromHash();
  if (messageId === undefined) return closeMessageDetail();
  try {
    const found = await api('GET', sessionPath(state.sessionId, '/messages/' + encodeURIComponent(messageId)));
    if (generation !== state.sessionGeneration) return;
    showMessageDetail(placementText(found.location), [found.message]);
    markFocusedInTimeline(messageId);
  } catch (error) {
    if (generation === state.sessionGeneration) reportError(error);
  }
}

async function showRewoundTail(tail) {
  const generation = state.sessionGeneration;
  const ids = tail.messageIds.slice(0, TAIL_MESSAGES_SHOWN);
  try {
    const found = await Promise.all(ids.map((id) => api('GET', sessionPath(state.sessionId, '/messages/' + encodeURIComponent(id)))));
    if (generation !== state.sessionGeneration) return;
    const where = tail.afterMessageId === undefined ? 'from the start' : 'after ' + shortId(tail.afterMessageId);
    const shown = tail.messageCount > ids.length ? ' (the first ' + ids.length + ' shown)' : '';
    showMessageDetail('Rewound tail ' + where + ': ' + plural(tail.messageCount, 'message') + ' off the path, still stored' + shown, found.map((item) => item.message));
  } catch (error) {
    if (generation === state.sessionGeneration) reportError(error);
  }
}

function placementText(location) {
  const by = location.writtenBy === state.sessionId ? '' : ' (written by ' + location.writtenBy + ', history this session shares)';
  switch (location.placement) {
    case 'path':
      return 'On the path: message ' + location.position + by;
    case 'compacted':
      return 'Behind a compaction: message ' + location.position + ' of the path' + (location.compactedBy ? ', summarized by ' + shortId(location.compactedBy) : '') + by;
    default:
      return 'Rewound off the path: it was message ' + location.position + ', still stored for audit' + by;
  }
}

function showMessageDetail(heading, messages) {
  const section = byId('message-detail');
  replaceContent(section, [
    h('div', { class: 'detail-heading' }, [
      h('span', { class: 'detail-placement', text: heading }),
      h('button', { type: 'button', class: 'secondary', onclick: closeFocusedMessage }, 'Close'),
    ]),
    h('ol', { class: 'detail-messages' }, messages.map((message) => plainMessageItem(message, 'detail-message'))),
  ]);
  setHidden(section, false);
  section.scrollIntoView({ block: 'nearest' });
}

function closeMessageDetail() {
  const section = byId('message-detail');
  replaceContent(section, []);
  setHidden(section, true);
  markFocusedInTimeline(undefined);
}

/** Closing also drops the message from the address, so a reload does not bring it back. */
function closeFocusedMessage() {
  closeMessageDetail();
  if (messageIdFromHash() !== undefined && state.sessionId !== undefined) history.replaceState(null, '', '#session=' + encodeURIComponent(state.sessionId));
}

function markFocusedInTimeline(messageId) {
  for (const item of byId('timeline').querySelectorAll('li.message')) item.classList.toggle('focused', item.dataset.messageId === messageId);
}

/** A message without actions: header (role, time, id) and content. */
function plainMessageItem(message, itemClass) {
  return h('li', { class: [itemClass, 'role-' + message.role], dataset: { messageId: message.id } }, [
    h('div', { class: 'message-header small' }, [
      h('span', { class: 'role', text: message.role }),
      h('time', { class: 'muted', title: new Date(message.createdAt).toISOString(), text: absoluteTime(message.createdAt) }),
      h('span', { class: 'muted mono message-id', title: message.id, text: shortId(message.id) }),
    ]),
    h('div', { class: 'message-body' }, renderContent(message.content)),
  ]);
}
`;
