/**
 * Browser script: a compaction boundary in the timeline. A compaction message (its metadata has
 * `sessionloom.compaction`) gets a marker that expands to what it replaced: the history before it
 * (`/history?before=`), without the newest `kept` messages, which follow it as copies. The history
 * is read a page at a time, newest first, as the timeline is.
 */
export const COMPACTION_SCRIPT = String.raw`
function compactionOfMessage(message) {
  const marker = message.metadata && message.metadata.sessionloom && message.metadata.sessionloom.compaction;
  return marker && typeof marker === 'object' && typeof marker.count === 'number' ? marker : undefined;
}

function compactionBadge(compaction) {
  return h('span', {
    class: 'badge compaction-marker',
    title: 'A compaction: the ' + plural(compaction.count, 'message') + ' before it were replaced by this summary; they stay stored (expand below).',
  }, 'compaction');
}

function compactionDetails(message, compaction) {
  const list = h('ol', { class: 'replaced-messages' });
  const more = h('button', { type: 'button', class: 'secondary replaced-older', hidden: true }, 'Load older');
  let oldest;
  let loading = false;
  const load = async () => {
    if (loading) return;
    loading = true;
    try {
      // The first page also reads the kept messages (the newest of the history before the summary) to drop them.
      const query = oldest === undefined
        ? { before: message.id, last: MESSAGE_PAGE_SIZE + compaction.kept }
        : { before: oldest, last: MESSAGE_PAGE_SIZE };
      const page = await api('GET', withQuery(sessionPath(state.sessionId, '/history'), query));
      const messages = oldest === undefined ? page.messages.slice(0, Math.max(0, page.messages.length - compaction.kept)) : page.messages;
      if (page.messages.length > 0) oldest = page.messages[0].id;
      list.prepend(...messages.map(replacedItem));
      more.hidden = page.messages.length < query.last;
    } catch (error) {
      reportError(error);
    } finally {
      loading = false;
    }
  };
  more.addEventListener('click', load);
  return h('details', {
    class: 'compaction-details small',
    ontoggle: (event) => {
      if (event.currentTarget.open && oldest === undefined) load();
    },
  }, [
    h('summary', { text: 'Replaced ' + plural(compaction.count, 'message') + ', kept ' + compaction.kept + ': show what it replaced' }),
    more,
    list,
  ]);
}

/** From the fork tree: the messages a compaction replaced (at most TAIL_MESSAGES_SHOWN, the newest), above the timeline. */
async function showCompactedMessages(compaction) {
  const generation = state.sessionGeneration;
  const wanted = Math.min(compaction.count, TAIL_MESSAGES_SHOWN);
  try {
    // The history before the summary ends with the kept messages (copied behind it): read them too, to drop them.
    const page = await api('GET', withQuery(sessionPath(state.sessionId, '/history'), { before: compaction.messageId, last: wanted + compaction.kept }));
    if (generation !== state.sessionGeneration) return;
    const messages = page.messages.slice(0, Math.max(0, page.messages.length - compaction.kept));
    const shown = compaction.count > messages.length ? ' (the newest ' + messages.length + ' shown)' : '';
    showMessageDetail('Compaction ' + shortId(compaction.messageId) + ': ' + plural(compaction.count, 'message') + ' replaced by its summary, still stored' + shown, messages);
  } catch (error) {
    if (generation === state.sessionGeneration) reportError(error);
  }
}

function replacedItem(message) {
  return plainMessageItem(message, 'replaced-message');
}
`;
