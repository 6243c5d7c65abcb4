/**
 * The inspector's stylesheet, served as `/inspector.css` (the Content-Security-Policy allows no
 * inline style, so every look is a class here). Light and dark follow the system setting.
 */
export const INSPECTOR_STYLES = String.raw`
:root {
  color-scheme: light dark;
  --bg: #f7f7f8;
  --panel: #ffffff;
  --text: #1d1f23;
  --muted: #6b7079;
  --border: #dcdee3;
  --accent: #2f6fdb;
  --accent-soft: #e3ecfb;
  --danger: #c0392b;
  --danger-soft: #fbe5e2;
  --ok: #25855a;
  --warn: #b7791f;
  --code: #f1f2f4;
  --user: #2f6fdb;
  --assistant: #7b4bc4;
  --tool: #b7791f;
  --system: #6b7079;
  --highlight: #fff3bf;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #16181c;
    --panel: #1e2127;
    --text: #e4e6ea;
    --muted: #9aa0aa;
    --border: #343841;
    --accent: #6ea0f5;
    --accent-soft: #23324d;
    --danger: #f07b6e;
    --danger-soft: #45231f;
    --code: #262a31;
    --highlight: #4a4220;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--text); height: 100vh; display: flex; flex-direction: column; }
h1 { font-size: 16px; margin: 0; }
h2 { font-size: 14px; margin: 0 0 8px; }
code, .mono, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre { margin: 4px 0 0; padding: 6px 8px; background: var(--code); border-radius: 4px; white-space: pre-wrap; word-break: break-word; max-height: 360px; overflow: auto; }
.muted { color: var(--muted); }
.small { font-size: 12px; }
.spacer { flex: 1; }

/* A button's label never wraps (list rows, which are buttons holding several lines, say otherwise below). */
button { font: inherit; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 4px; padding: 3px 10px; cursor: pointer; white-space: nowrap; }
button.secondary { background: transparent; color: var(--accent); }
button.danger { background: var(--danger); border-color: var(--danger); }
button.link-button { border: none; background: none; color: var(--accent); padding: 0; text-decoration: underline; }
button.wide { width: 100%; margin-top: 8px; }
button:disabled { opacity: 0.5; cursor: progress; }
button:focus-visible, .graph-node:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
input, select { font: inherit; color: inherit; background: var(--panel); border: 1px solid var(--border); border-radius: 4px; padding: 3px 6px; width: 100%; }

.topbar { display: flex; align-items: center; gap: 16px; padding: 8px 16px; background: var(--panel); border-bottom: 1px solid var(--border); }
.health { color: var(--muted); font-size: 12px; }
.health.degraded { color: var(--warn); }

.banner { display: flex; gap: 12px; align-items: center; padding: 8px 16px; border-bottom: 1px solid var(--border); }
.banner-text { flex: 1; word-break: break-word; }
.banner-error { background: var(--danger-soft); color: var(--danger); }
.banner-notice { background: var(--accent-soft); }

.token-prompt { margin: 16px auto; padding: 16px; max-width: 520px; background: var(--panel); border: 1px solid var(--border); border-radius: 6px; }
.token-prompt label { font-weight: 600; }
.token-row { display: flex; gap: 8px; }

.layout { flex: 1; min-height: 0; display: grid; grid-template-columns: 300px minmax(0, 1fr) 380px; }
.pane { overflow: auto; padding: 12px; border-right: 1px solid var(--border); }
.runs-pane { border-right: none; }
@media (max-width: 1100px) {
  body { height: auto; }
  .layout { grid-template-columns: 1fr; }
  .pane { border-right: none; border-bottom: 1px solid var(--border); }
}

.filters { display: grid; grid-template-columns: 1fr 1fr; gap: 6px 8px; margin-bottom: 8px; }
.filters label { font-size: 12px; color: var(--muted); }
.filter-buttons { grid-column: 1 / -1; display: flex; gap: 8px; }
.filters .filter-wide { grid-column: 1 / -1; }

.session-list, .run-list, .timeline, .run-events { list-style: none; margin: 0; padding: 0; }
.session-row, .run-row { display: flex; flex-direction: column; gap: 2px; width: 100%; text-align: left; margin: 0 0 4px; padding: 6px 8px; border: 1px solid var(--border); background: var(--panel); color: var(--text); white-space: normal; }
.row-line.run-input { display: block; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.session-row.selected, .run-row.selected { border-color: var(--accent); background: var(--accent-soft); }
.row-line { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.row-line > :first-child { flex: 1; }
.row-line.tags > :first-child { flex: none; }
.empty { padding: 8px 0; }

.badge { display: inline-block; white-space: nowrap; padding: 0 6px; border-radius: 9px; font-size: 11px; border: 1px solid var(--border); color: var(--muted); background: transparent; }
.state-active, .status-completed { color: var(--ok); border-color: var(--ok); }
.state-suspended, .status-running, .status-interrupted { color: var(--warn); border-color: var(--warn); }
.state-expired, .status-failed, .status-cancelled { color: var(--danger); border-color: var(--danger); }
.tag { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 11px; background: var(--code); color: var(--text); margin-right: 4px; }
.tags { display: flex; flex-wrap: wrap; gap: 4px; }

.session-header { margin-bottom: 8px; }
.title-line { display: flex; align-items: center; gap: 10px; }
.title-line > button, .title-line > .badge { flex: none; }
.session-title { font-size: 15px; margin: 0; word-break: break-all; min-width: 0; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0 12px; margin: 8px 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; word-break: break-word; }
.forked-from { margin: 4px 0; }
.session-name { font-weight: 600; word-break: break-word; }
p.session-name { margin: 4px 0 0; }

.branch-section { margin: 8px 0 12px; padding: 8px; background: var(--panel); border: 1px solid var(--border); border-radius: 6px; }
.branch-section summary { cursor: pointer; font-weight: 600; }
.graph-toolbar { display: flex; align-items: center; gap: 6px; margin: 6px 0; }
.graph-toolbar button { flex: none; padding: 1px 8px; }
#graph-summary { flex: 0 1 auto; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.graph-scale { flex: none; min-width: 3.2em; text-align: center; }
/* The graph is shown through a transform (graph-view.ts): the panel never scrolls or overflows. */
.branch-graph { overflow: hidden; border: 1px solid var(--border); border-radius: 4px; touch-action: none; }
.fork-tree { display: block; cursor: grab; user-select: none; }
.fork-tree.panning { cursor: grabbing; }
.graph-edge { fill: none; stroke: var(--muted); stroke-width: 1.5; }
.edge-tail, .edge-compaction { stroke-dasharray: 4 3; }
.graph-node rect { fill: var(--panel); stroke: var(--border); stroke-width: 1.5; }
.graph-node text { fill: var(--text); font: 11px ui-monospace, monospace; }
.graph-node .node-detail { fill: var(--muted); font-size: 10px; }
.graph-node[role="button"] { cursor: pointer; }
.graph-node[role="button"]:hover rect { stroke: var(--accent); }
.node-current rect { stroke: var(--accent); stroke-width: 2.5; fill: var(--accent-soft); }
.node-parent rect { stroke: var(--muted); }
.node-tail rect { stroke-dasharray: 4 3; fill: transparent; }
.node-compaction rect { stroke: var(--accent); stroke-dasharray: 2 2; fill: transparent; }
.compare-row { display: flex; align-items: center; gap: 8px; margin-top: 8px; }
.compare-row label { flex: none; }
.compare-row input { flex: 1; min-width: 0; width: auto; }
.compare-row button { flex: none; }
.session-diff { margin: 8px 0 12px; padding: 8px; border: 1px solid var(--border); border-radius: 6px; background: var(--panel); }
.diff-common { margin: 4px 0; }
.diff-columns { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 12px; }
.diff-column { min-width: 0; }
.diff-title { font-size: 13px; margin: 8px 0 0; word-break: break-word; }

.message { background: var(--panel); border: 1px solid var(--border); border-left: 4px solid var(--system); border-radius: 4px; padding: 8px 10px; margin-bottom: 8px; }
.detail-message { border-left: 4px solid var(--system); padding: 4px 8px; margin-top: 6px; }
.role-user { border-left-color: var(--user); }
.role-assistant { border-left-color: var(--assistant); }
.role-tool { border-left-color: var(--tool); }
/* One line: the time and id give way (ellipsis) before a button would move to a line of its own. */
.message-header { display: flex; align-items: center; gap: 8px; }
.message-header > * { flex: none; }
.message-header > time, .message-header > .message-id { flex: 0 1 auto; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.message-header > .spacer { flex: 1; }
.message-header button { font-size: 12px; padding: 1px 8px; }
.role { font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; }
.run-badge { cursor: pointer; color: var(--accent); border-color: var(--accent); background: transparent; }
.checkpoint-marker { color: var(--ok); border-color: var(--ok); }
.head-marker { color: var(--accent); border-color: var(--accent); }
.compaction-marker { color: var(--accent); border-style: dashed; border-color: var(--accent); }
.compaction-details { margin-top: 6px; }
.replaced-messages { list-style: none; padding-left: 12px; border-left: 2px dashed var(--border); }
.replaced-message { opacity: 0.85; margin: 4px 0; }
.message-body { margin-top: 6px; }
.text { white-space: pre-wrap; word-break: break-word; }
.part + .part { margin-top: 6px; }
.part-label { display: flex; gap: 8px; align-items: baseline; }
.part-kind { text-transform: uppercase; font-size: 10.5px; letter-spacing: 0.05em; color: var(--muted); }
.part-reasoning .text { color: var(--muted); font-style: italic; }
.part-tool-call, .part-tool-result { border: 1px dashed var(--border); border-radius: 4px; padding: 4px 8px; }
.part-tool-result.failed { border-color: var(--danger); }
.part-tool-result.failed .part-kind { color: var(--danger); }
.metadata summary { cursor: pointer; color: var(--muted); }
.rewind-confirm { margin-top: 8px; padding: 8px; border: 1px solid var(--danger); background: var(--danger-soft); border-radius: 4px; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.rewind-confirm p { margin: 0; flex-basis: 100%; }

.search-box { display: flex; gap: 6px; margin-bottom: 8px; }
.search-box button { flex: none; }
.search-panel { margin-bottom: 12px; padding-bottom: 8px; border-bottom: 1px solid var(--border); }
.search-heading { display: flex; justify-content: space-between; align-items: baseline; gap: 8px; margin-bottom: 4px; }
.search-results { list-style: none; margin: 0; padding: 0; }
.search-hit { display: flex; flex-direction: column; gap: 2px; width: 100%; text-align: left; margin: 0 0 4px; padding: 6px 8px; border: 1px solid var(--border); background: var(--panel); color: var(--text); white-space: normal; }
.search-hit.selected { border-color: var(--accent); background: var(--accent-soft); }
.snippet { word-break: break-word; }
mark { background: var(--highlight); color: inherit; border-radius: 2px; padding: 0 1px; }
.message-detail { margin: 8px 0 12px; padding: 8px; border: 1px solid var(--accent); border-radius: 6px; background: var(--panel); }
.detail-heading { display: flex; justify-content: space-between; align-items: center; gap: 8px; font-weight: 600; }
.detail-messages { list-style: none; margin: 6px 0 0; padding: 0; }
.message.focused { outline: 2px solid var(--accent); outline-offset: 1px; }

.run-detail { margin-top: 12px; }
.replay-controls { display: flex; gap: 8px; align-items: center; margin: 8px 0; }
.replay-controls > button { flex: none; }
.live-text { white-space: pre-wrap; margin: 8px 0; padding: 8px; border-left: 3px solid currentColor; }
.continue-form { display: grid; gap: 6px; margin-top: 12px; }
.run-event { border-bottom: 1px solid var(--border); padding: 3px 4px; transition: background-color 0.15s; }
/* The summary takes the rest of the line, or a line of its own below a long chip (never a sliver cut mid-word). */
.run-event summary { cursor: pointer; display: flex; flex-wrap: wrap; gap: 0 8px; align-items: baseline; }
.event-offset { color: var(--muted); min-width: 68px; flex: none; }
.event-type { flex: none; }
.event-summary { word-break: break-word; min-width: 0; flex: 1 1 14em; }
.event-error .event-type, .event-error .event-summary { color: var(--danger); }
.replaying .run-event { opacity: 0.45; }
.replaying .run-event.replayed { opacity: 1; }
.run-event.replay-current { opacity: 1; background: var(--highlight); }
`;
