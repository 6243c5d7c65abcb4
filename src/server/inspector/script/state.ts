/**
 * Browser script: what the page is showing. One plain object, changed by the loaders and read by
 * the renderers; the `generation` counters let a slow answer for a session (or list) the user has
 * already left be dropped instead of drawn over the current one.
 */
export const STATE_SCRIPT = String.raw`
const LIST_PAGE_SIZE = 50;
const MESSAGE_PAGE_SIZE = 100;
const EVENT_PAGE_SIZE = 500;
/** A run with more events than this is shown cut short (a page is for reading, not bulk export). */
const MAX_EVENTS_SHOWN = 5000;

const state = {
  filters: { userId: '', agentId: '', state: '', tag: '', title: '' },
  sessions: [],
  nextCursor: undefined,
  listGeneration: 0,

  sessionId: undefined,
  session: undefined,
  messages: [],
  /** Message id to its checkpoint summary. */
  checkpoints: new Map(),
  branches: undefined,
  /** The dry run of a rewind waiting for the user's confirmation: { messageId, removedMessages }. */
  pendingRewind: undefined,
  sessionGeneration: 0,

  /** The search shown in the left pane: { query, hits, nextCursor, partial }, or undefined. */
  search: undefined,
  searchGeneration: 0,

  runs: [],
  runId: undefined,
  run: undefined,
  events: [],
  eventsTruncated: false,
  runGeneration: 0,

  /** The server's agents ({ name, model }), for the message box; empty: no box. */
  agents: [],
};
`;
