/**
 * Browser script: what each run was asked, for the runs panel. A run's input messages are stored
 * with its id (the runner appends them under the run); the ones on the timeline's page are read
 * from there, and the others through the run's first event (`run-start` names its input message
 * ids) and the message route, once per run, for at most RUN_INPUTS_FETCHED runs of a session.
 */
export const RUN_INPUT_SCRIPT = String.raw`
const RUN_INPUTS_FETCHED = 20;
/** Run id to its input text ('' when it had none, null when it could not be read), or a Promise while it is being read. */
const runInputs = new Map();

function messageTextOf(message) {
  const content = message.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.filter((part) => part && part.type === 'text' && typeof part.text === 'string').map((part) => part.text).join(' ');
}

/** The input's text (one line), '' for a run without input, null when unreadable, or undefined while unknown. */
function runInputText(run) {
  const known = runInputs.get(run.id);
  if (typeof known === 'string' || known === null) return known;
  const message = state.messages.find((candidate) => candidate.runId === run.id && candidate.role === 'user');
  if (message !== undefined) {
    const text = oneLine(messageTextOf(message));
    runInputs.set(run.id, text);
    return text;
  }
  return undefined;
}

function oneLine(text) {
  return text.replace(/\s+/g, ' ').trim();
}

/** Reads the inputs the timeline's page does not hold, then draws the run list again. */
function loadMissingRunInputs() {
  const sessionId = state.sessionId;
  const missing = state.runs.filter((run) => runInputText(run) === undefined && !runInputs.has(run.id)).slice(0, RUN_INPUTS_FETCHED);
  if (missing.length === 0) return;
  const reads = missing.map((run) => {
    // A failed read is remembered as unreadable: drawing the list again must not ask again, and again.
    const read = readRunInput(sessionId, run.id).then((text) => runInputs.set(run.id, text), () => runInputs.set(run.id, null));
    runInputs.set(run.id, read);
    return read;
  });
  Promise.all(reads).then(() => {
    if (sessionId === state.sessionId) renderRuns();
  });
}

async function readRunInput(sessionId, runId) {
  const page = await api('GET', withQuery(runPath(runId, '/events'), { afterSeq: 0, limit: 1 }));
  const start = page.events[0];
  const ids = start && start.type === 'run-start' && Array.isArray(fieldsOf(start.data).inputMessageIds) ? start.data.inputMessageIds : [];
  for (const id of ids) {
    const found = await api('GET', sessionPath(sessionId, '/messages/' + encodeURIComponent(id)));
    if (found.message.role === 'user') return oneLine(messageTextOf(found.message));
  }
  return '';
}

function runInputLine(run) {
  const text = runInputText(run);
  if (text === undefined) return h('span', { class: 'row-line run-input muted small', text: 'input: reading' + ELLIPSIS });
  if (text === '') return h('span', { class: 'row-line run-input muted small', text: 'no input message' });
  if (text === null) return h('span', { class: 'row-line run-input muted small', text: 'input could not be read' });
  return h('span', { class: 'row-line run-input small', title: text, text: text });
}
`;
