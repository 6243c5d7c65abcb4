/**
 * Browser script: the runs panel. The open session's runs (id, status, input, duration, tokens);
 * choosing one lists its events in order with their time from the run's start, each expandable to
 * its data.
 */
export const RUNS_SCRIPT = String.raw`
function renderRuns() {
  const list = byId('run-list');
  if (state.session === undefined) return replaceContent(list, []);
  const rows = state.runs.map(runRow);
  if (rows.length === 0) rows.push(h('li', { class: 'empty muted', text: 'No runs recorded for this session.' }));
  replaceContent(list, rows);
  loadMissingRunInputs();
}

function runRow(run) {
  const selected = run.id === state.runId;
  const duration = run.endedAt === undefined ? 'running for ' + formatDuration(Date.now() - run.startedAt) : formatDuration(run.endedAt - run.startedAt);
  return selectableRow({ runId: run.id }, 'run-row', selected, () => selectRun(run.id), [
    h('span', { class: 'row-line' }, [
      h('span', { class: 'mono run-id', title: run.id, text: shortId(run.id) }),
      h('span', { class: ['badge', 'status-' + run.status], text: run.status }),
    ]),
    runInputLine(run),
    h('span', { class: 'row-line muted small' }, [
      h('span', { title: absoluteTime(run.startedAt), text: (run.agentName === undefined ? '' : run.agentName + ' \u00b7 ') + relativeTime(run.startedAt) }),
      h('span', { class: 'run-duration', title: 'duration', text: duration }),
    ]),
    h('span', { class: 'row-line muted small run-tokens', text: formatTokens(run.usage) }),
  ]);
}

async function selectRun(runId) {
  const generation = ++state.runGeneration;
  stopReplay();
  stopFollowing();
  setHidden(byId('live-text'), true);
  state.runId = runId;
  renderRuns();
  const detail = byId('run-detail');
  setHidden(detail, false);
  replaceContent(byId('run-summary'), h('p', { class: 'muted', text: 'Loading run ' + runId + ELLIPSIS }));
  replaceContent(byId('run-events'), []);
  detail.scrollIntoView({ block: 'nearest' });
  try {
    const [run, events] = await Promise.all([api('GET', runPath(runId)), readAllEvents(runId)]);
    if (generation !== state.runGeneration) return;
    state.run = run;
    state.events = events.events;
    state.eventsTruncated = events.truncated;
    renderRunDetail();
    if (run.status === 'running' && !events.truncated) followRunLive(runId, generation);
  } catch (error) {
    if (generation !== state.runGeneration) return;
    closeRun();
    reportError(error);
  }
}

/** Pages through the event log (afterSeq), stopping at MAX_EVENTS_SHOWN. */
async function readAllEvents(runId) {
  let events = [];
  let afterSeq = 0;
  for (;;) {
    const page = await api('GET', withQuery(runPath(runId, '/events'), { afterSeq, limit: EVENT_PAGE_SIZE }));
    events = events.concat(page.events);
    const last = page.events[page.events.length - 1];
    if (page.events.length < EVENT_PAGE_SIZE || last === undefined) return { events, truncated: false };
    if (events.length >= MAX_EVENTS_SHOWN) return { events: events.slice(0, MAX_EVENTS_SHOWN), truncated: true };
    afterSeq = last.seq;
  }
}

function closeRun() {
  stopReplay();
  stopFollowing();
  setHidden(byId('live-text'), true);
  state.runGeneration++;
  state.runId = undefined;
  state.run = undefined;
  state.events = [];
  setHidden(byId('run-detail'), true);
}

function renderRunDetail() {
  const run = state.run;
  const facts = factList([
    ['run', run.id],
    ['agent', run.agentName],
    ['input', runInputText(run) ?? undefined],
    ['status', run.status],
    ['started', absoluteTime(run.startedAt)],
    ['duration', run.endedAt === undefined ? undefined : formatDuration(run.endedAt - run.startedAt)],
    ['usage', formatTokens(run.usage)],
    ['error', run.error === undefined ? undefined : run.error.message + (run.error.name ? ' (' + run.error.name + ')' : '')],
  ], ['run']);
  replaceContent(byId('run-summary'), [
    facts,
    state.eventsTruncated ? h('p', { class: 'muted small', text: 'Showing the first ' + MAX_EVENTS_SHOWN + ' events.' }) : null,
  ]);
  const items = state.events.map(eventItem);
  if (items.length === 0) items.push(h('li', { class: 'empty muted', text: 'This run recorded no events.' }));
  replaceContent(byId('run-events'), items);
  byId('replay').disabled = state.events.length === 0;
  byId('replay-status').textContent = plural(state.events.length, 'event');
}

function eventItem(event) {
  return h('li', { class: ['run-event', 'event-' + event.type], dataset: { seq: String(event.seq) } }, [
    h('details', {}, [
      h('summary', {}, [
        h('span', { class: 'event-offset mono', text: formatOffset(event.at - state.run.startedAt) }),
        h('span', { class: 'badge event-type', text: event.type }),
        h('span', { class: 'event-summary', text: describeEvent(event) }),
      ]),
      h('pre', { class: 'json small', text: prettyJson(event.data) }),
    ]),
  ]);
}
`;
