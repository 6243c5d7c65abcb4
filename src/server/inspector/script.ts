/**
 * The inspector's browser script, served as `/inspector.js` (a module script: strict, and its
 * names stay out of the page's global scope). Plain modern JavaScript, no framework and no build
 * step; kept as strings in several modules by concern and joined here. The parts share one module
 * scope, so a part may call functions of any other; only `main` runs anything, and it comes last.
 */
import { API_SCRIPT } from './script/api.js';
import { APPROVALS_SCRIPT } from './script/approvals.js';
import { BRANCH_GRAPH_SCRIPT } from './script/branch-graph.js';
import { COMPACTION_SCRIPT } from './script/compaction.js';
import { DOM_SCRIPT } from './script/dom.js';
import { FORMAT_SCRIPT } from './script/format.js';
import { GRAPH_VIEW_SCRIPT } from './script/graph-view.js';
import { LIVE_SCRIPT } from './script/live.js';
import { MAIN_SCRIPT } from './script/main.js';
import { MESSAGE_ACTIONS_SCRIPT } from './script/message-actions.js';
import { MESSAGE_CONTENT_SCRIPT } from './script/message-content.js';
import { MESSAGE_DETAIL_SCRIPT } from './script/message-detail.js';
import { REPLAY_SCRIPT } from './script/replay.js';
import { RUN_EVENTS_SCRIPT } from './script/run-events.js';
import { RUN_INPUT_SCRIPT } from './script/run-input.js';
import { RUNS_SCRIPT } from './script/runs.js';
import { SEARCH_SCRIPT } from './script/search.js';
import { SESSION_DIFF_SCRIPT } from './script/session-diff.js';
import { SESSION_LIST_SCRIPT } from './script/session-list.js';
import { SESSION_VIEW_SCRIPT } from './script/session-view.js';
import { STATE_SCRIPT } from './script/state.js';
import { TIMELINE_SCRIPT } from './script/timeline.js';

const PARTS = [
  DOM_SCRIPT,
  FORMAT_SCRIPT,
  STATE_SCRIPT,
  API_SCRIPT,
  SESSION_LIST_SCRIPT,
  SEARCH_SCRIPT,
  SESSION_VIEW_SCRIPT,
  MESSAGE_CONTENT_SCRIPT,
  TIMELINE_SCRIPT,
  COMPACTION_SCRIPT,
  MESSAGE_DETAIL_SCRIPT,
  MESSAGE_ACTIONS_SCRIPT,
  BRANCH_GRAPH_SCRIPT,
  GRAPH_VIEW_SCRIPT,
  SESSION_DIFF_SCRIPT,
  RUN_EVENTS_SCRIPT,
  RUN_INPUT_SCRIPT,
  RUNS_SCRIPT,
  REPLAY_SCRIPT,
  LIVE_SCRIPT,
  APPROVALS_SCRIPT,
  MAIN_SCRIPT,
];

export const INSPECTOR_SCRIPT = `// sessionloom inspector\n${PARTS.map((part) => part.trim()).join('\n\n')}\n`;
