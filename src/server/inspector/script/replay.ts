/**
 * Browser script: replaying a run. Events are highlighted one after another with the gaps they
 * really had, sped up so a replay lasts at most a few seconds however long the run took; every
 * event stays on screen long enough to be seen, even when many were recorded in one millisecond.
 */
export const REPLAY_SCRIPT = String.raw`
/** The real gaps are scaled into this much time... */
const REPLAY_SPAN_MS = 3000;
/** ...plus at most this much, spent on showing each event for a moment (REPLAY_MIN_STEP_MS, or less for long runs). */
const REPLAY_STEPS_BUDGET_MS = 1500;
const REPLAY_MIN_STEP_MS = 80;

const replay = { timer: undefined, index: 0, schedule: [], items: [], startedAt: 0 };

/** When (ms from the replay's start) each event is highlighted. */
function replaySchedule(events) {
  const first = events[0].at;
  const span = events[events.length - 1].at - first;
  const scale = span > REPLAY_SPAN_MS ? REPLAY_SPAN_MS / span : 1;
  const minStep = Math.min(REPLAY_MIN_STEP_MS, REPLAY_STEPS_BUDGET_MS / events.length);
  const schedule = [];
  for (const [index, event] of events.entries()) {
    const scaled = Math.max(0, event.at - first) * scale;
    schedule.push(index === 0 ? 0 : Math.max(scaled, schedule[index - 1] + minStep));
  }
  return { schedule, scale };
}

function startReplay() {
  stopReplay();
  if (state.events.length === 0) return;
  const { schedule, scale } = replaySchedule(state.events);
  replay.schedule = schedule;
  replay.items = Array.from(byId('run-events').querySelectorAll('.run-event'));
  replay.index = 0;
  replay.startedAt = performance.now();
  replay.speed = scale < 1 ? ' at ' + Math.round(1 / scale) + '\u00d7 speed' : '';
  byId('run-events').classList.add('replaying');
  setHidden(byId('replay-stop'), false);
  byId('replay').textContent = 'Restart';
  replayTick();
}

function replayTick() {
  replay.timer = undefined;
  const elapsed = performance.now() - replay.startedAt;
  // One event per tick, even when late, so each one is seen being highlighted.
  if (replay.index < replay.schedule.length && replay.schedule[replay.index] <= elapsed) {
    highlightEvent(replay.index);
    replay.index++;
  }
  if (replay.index < replay.schedule.length) {
    replay.timer = setTimeout(replayTick, Math.max(0, replay.schedule[replay.index] - (performance.now() - replay.startedAt)));
  } else {
    replay.timer = setTimeout(finishReplay, REPLAY_MIN_STEP_MS);
  }
}

function highlightEvent(index) {
  const previous = replay.items[index - 1];
  if (previous) {
    previous.classList.remove('replay-current');
    previous.classList.add('replayed');
    previous.removeAttribute('aria-current');
  }
  const item = replay.items[index];
  if (!item) return;
  item.classList.add('replay-current');
  item.setAttribute('aria-current', 'step');
  item.scrollIntoView({ block: 'nearest' });
  const event = state.events[index];
  byId('replay-status').textContent = 'Event ' + (index + 1) + ' of ' + state.events.length + ' (' + formatOffset(event.at - state.run.startedAt) + ')' + replay.speed;
}

function finishReplay() {
  replay.timer = undefined;
  for (const item of replay.items) {
    item.classList.remove('replay-current');
    item.classList.add('replayed');
    item.removeAttribute('aria-current');
  }
  byId('run-events').classList.remove('replaying');
  setHidden(byId('replay-stop'), true);
  byId('replay').textContent = 'Replay';
  byId('replay-status').textContent = 'Replay finished: ' + plural(replay.items.length, 'event') + '.';
}

function stopReplay() {
  if (replay.timer !== undefined) clearTimeout(replay.timer);
  replay.timer = undefined;
  for (const item of replay.items) {
    item.classList.remove('replay-current', 'replayed');
    item.removeAttribute('aria-current');
  }
  replay.items = [];
  byId('run-events').classList.remove('replaying');
  setHidden(byId('replay-stop'), true);
  byId('replay').textContent = 'Replay';
}
`;
