/**
 * Browser script: live runs. A running run's events are followed as they are recorded (the SSE
 * route, read with fetch so the token travels in a header), appended to its event list, and its
 * text shown as it is typed; Cancel asks the run to stop. Below the timeline, a message box
 * continues the open session with one of the server's agents and follows the run it starts.
 */
export const LIVE_SCRIPT = String.raw`
/** The follow in progress: { runId, controller }. */
let liveFollow;

function stopFollowing() {
  if (liveFollow) liveFollow.controller.abort();
  liveFollow = undefined;
  setHidden(byId('run-cancel'), true);
}

/** Follows the open run after the events already shown; ends with the run (then refreshes what it changed). */
async function followRunLive(runId, generation) {
  stopFollowing();
  const controller = new AbortController();
  liveFollow = { runId, controller };
  setHidden(byId('run-cancel'), false);
  const liveText = byId('live-text');
  liveText.textContent = state.events.filter((event) => event.type === 'text-delta').map((event) => String(fieldsOf(event.data).text || '')).join('');
  setHidden(liveText, false);
  const afterSeq = state.events.length === 0 ? 0 : state.events[state.events.length - 1].seq;
  const token = storedToken();
  const headers = { Accept: 'text/event-stream' };
  if (token !== undefined) headers.Authorization = 'Bearer ' + token;
  try {
    const response = await fetch(withQuery(runPath(runId, '/events'), { follow: 1, afterSeq }), { headers, credentials: 'omit', cache: 'no-store', signal: controller.signal });
    if (response.status === 204 || !response.ok || response.body === null) return;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done || generation !== state.runGeneration) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        onLiveFrame(frame, liveText);
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) console.error(error);
  } finally {
    if (liveFollow && liveFollow.controller === controller) {
      liveFollow = undefined;
      setHidden(byId('run-cancel'), true);
      if (generation === state.runGeneration && !controller.signal.aborted) refreshAfterRun(runId);
    }
  }
}

function onLiveFrame(frame, liveText) {
  const data = frame.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n');
  const isEvent = frame.split('\n').some((line) => line.startsWith('id: '));
  if (!isEvent || data === '') return;
  let event;
  try {
    event = JSON.parse(data);
  } catch {
    return;
  }
  state.events.push(event);
  const list = byId('run-events');
  if (state.events.length === 1) replaceContent(list, []);
  list.append(eventItem(event));
  if (event.type === 'text-delta') liveText.textContent += String(fieldsOf(event.data).text || '');
  byId('replay-status').textContent = plural(state.events.length, 'event');
}

/** Once a followed run ended: the run as it now reads, and the session it wrote to. */
async function refreshAfterRun(runId) {
  try {
    await loadSession(state.sessionId);
    if (state.runId === runId) {
      state.run = await api('GET', runPath(runId));
      renderRunDetail();
    }
  } catch (error) {
    reportError(error);
  }
}

async function cancelOpenRun() {
  if (state.runId === undefined) return;
  hideError();
  try {
    await api('POST', runPath(state.runId, '/cancel'), { reason: 'cancelled from the inspector' });
    byId('replay-status').textContent = 'Cancelling' + ELLIPSIS;
  } catch (error) {
    reportError(error);
  }
}

/** Shows the message box when the server has agents to run. */
async function loadAgents() {
  try {
    const answer = await api('GET', '/api/agents');
    const select = byId('continue-agent');
    replaceContent(select, answer.agents.map((agent) => h('option', { value: agent.name, text: agent.name + (agent.model ? ' (' + agent.model + ')' : '') })));
    state.agents = answer.agents;
    renderContinueBox();
  } catch (error) {
    reportError(error);
  }
}

function renderContinueBox() {
  setHidden(byId('continue-form'), state.session === undefined || !state.agents || state.agents.length === 0);
}

async function continueSession() {
  const input = byId('continue-input');
  const text = input.value.trim();
  if (text === '' || state.sessionId === undefined) return;
  hideError();
  const send = byId('continue-send');
  send.disabled = true;
  try {
    const started = await api('POST', sessionPath(state.sessionId, '/runs'), { agent: byId('continue-agent').value, input: text });
    input.value = '';
    await loadSession(state.sessionId);
    await selectRun(started.runId);
  } catch (error) {
    reportError(error);
  } finally {
    send.disabled = false;
  }
}
`;
