/**
 * Browser script: the fork tree's view in its panel. The graph is drawn once in its own units and
 * shown through a transform (translate and scale): it opens scaled to fit the panel when it can be
 * read that small, placed so the open session is as near the centre as the whole graph staying in
 * view allows, and otherwise at a readable scale centred on the open session. The toolbar
 * zooms (around the panel's centre), fits and centres; dragging pans (a drag is not a click on the
 * node under it); Ctrl+wheel zooms at the pointer; from the keyboard, with a node focused, the arrow
 * keys pan (as scrolling would), + and - zoom and 0 fits.
 */
export const GRAPH_VIEW_SCRIPT = String.raw`
/** Below this scale node text is too small to read: a larger graph opens at it, centred on the open session. */
const GRAPH_READABLE_SCALE = 0.75;
const GRAPH_MIN_SCALE = 0.2;
const GRAPH_MAX_SCALE = 3;
const GRAPH_MIN_HEIGHT = 120;
const GRAPH_MAX_HEIGHT = 340;
/** A pointer that moved more than this many pixels was dragging. */
const GRAPH_DRAG_THRESHOLD = 4;
/** How far an arrow key pans, in pixels. */
const GRAPH_KEY_STEP = 40;

const graphView = { svg: undefined, content: undefined, width: 0, height: 0, focus: undefined, scale: 1, x: 0, y: 0, drag: undefined, dragged: false };

function showGraph(svgNode, content, layout) {
  Object.assign(graphView, { svg: svgNode, content, width: layout.width, height: layout.height, focus: layout.focus, dragged: false });
  svgNode.addEventListener('pointerdown', startGraphDrag);
  svgNode.addEventListener('pointermove', moveGraphDrag);
  svgNode.addEventListener('pointerup', endGraphDrag);
  svgNode.addEventListener('pointercancel', endGraphDrag);
  svgNode.addEventListener('wheel', wheelZoom, { passive: false });
  svgNode.addEventListener('keydown', graphKey);
  openingView();
}

/** The panel's size in pixels; the SVG is as wide as the panel and as tall as the graph needs, within bounds. */
function graphPanel() {
  const width = Math.max(1, byId('branch-graph').clientWidth);
  const height = Math.min(GRAPH_MAX_HEIGHT, Math.max(GRAPH_MIN_HEIGHT, Math.ceil(graphView.height * Math.min(1, width / graphView.width))));
  graphView.svg.setAttribute('width', String(width));
  graphView.svg.setAttribute('height', String(height));
  return { width, height };
}

function fitScale(panel) {
  return Math.min(1, panel.width / graphView.width, panel.height / graphView.height);
}

function openingView() {
  if (graphView.svg === undefined) return;
  const panel = graphPanel();
  if (fitScale(panel) >= GRAPH_READABLE_SCALE) fitGraph();
  else {
    graphView.scale = GRAPH_READABLE_SCALE;
    centreGraph();
  }
}

/** The whole graph in view, the open session as near the centre as that allows. */
function fitGraph() {
  if (graphView.svg === undefined) return;
  const panel = graphPanel();
  const scale = fitScale(panel);
  // Where centring the open session would put the graph, kept within the room the fitted graph leaves.
  const within = (wanted, room) => Math.min(Math.max(wanted, 0), Math.max(0, room));
  setGraphTransform(
    scale,
    within(panel.width / 2 - graphView.focus.x * scale, panel.width - graphView.width * scale),
    within(panel.height / 2 - graphView.focus.y * scale, panel.height - graphView.height * scale),
  );
}

/** The open session in the middle of the panel, at the current scale. */
function centreGraph() {
  if (graphView.svg === undefined) return;
  const panel = graphPanel();
  const scale = graphView.scale;
  setGraphTransform(scale, panel.width / 2 - graphView.focus.x * scale, panel.height / 2 - graphView.focus.y * scale);
}

/** Zooms by factor, keeping the graph point under (px, py) (panel pixels; default its centre) where it is. */
function zoomGraph(factor, px, py) {
  if (graphView.svg === undefined) return;
  const panel = graphPanel();
  const cx = px === undefined ? panel.width / 2 : px;
  const cy = py === undefined ? panel.height / 2 : py;
  const scale = Math.min(GRAPH_MAX_SCALE, Math.max(GRAPH_MIN_SCALE, graphView.scale * factor));
  const ratio = scale / graphView.scale;
  setGraphTransform(scale, cx - (cx - graphView.x) * ratio, cy - (cy - graphView.y) * ratio);
}

function setGraphTransform(scale, x, y) {
  Object.assign(graphView, { scale, x, y });
  graphView.content.setAttribute('transform', 'translate(' + x.toFixed(2) + ',' + y.toFixed(2) + ') scale(' + scale.toFixed(4) + ')');
  byId('graph-scale').textContent = Math.round(scale * 100) + '%';
}

function startGraphDrag(event) {
  if (event.button !== 0) return;
  graphView.drag = { pointerId: event.pointerId, startX: event.clientX, startY: event.clientY, x: graphView.x, y: graphView.y };
  graphView.dragged = false;
}

function moveGraphDrag(event) {
  const drag = graphView.drag;
  if (drag === undefined || drag.pointerId !== event.pointerId) return;
  const dx = event.clientX - drag.startX;
  const dy = event.clientY - drag.startY;
  if (!graphView.dragged && Math.hypot(dx, dy) < GRAPH_DRAG_THRESHOLD) return;
  if (!graphView.dragged) {
    graphView.dragged = true;
    graphView.svg.setPointerCapture(event.pointerId);
    graphView.svg.classList.add('panning');
  }
  setGraphTransform(graphView.scale, drag.x + dx, drag.y + dy);
}

function endGraphDrag(event) {
  const drag = graphView.drag;
  if (drag === undefined || drag.pointerId !== event.pointerId) return;
  graphView.drag = undefined;
  graphView.svg.classList.remove('panning');
  if (graphView.svg.hasPointerCapture(event.pointerId)) graphView.svg.releasePointerCapture(event.pointerId);
}

/** False right after a drag: the click that ends it must not open the node it ended on. */
function graphClickAllowed() {
  const allowed = !graphView.dragged;
  graphView.dragged = false;
  return allowed;
}

function wheelZoom(event) {
  if (!event.ctrlKey) return; // a plain wheel scrolls the page
  event.preventDefault();
  const box = graphView.svg.getBoundingClientRect();
  zoomGraph(event.deltaY < 0 ? 1.1 : 1 / 1.1, event.clientX - box.left, event.clientY - box.top);
}

/** Arrow keys pan the way scrolling would: ArrowRight shows what is to the right (the graph moves left). */
function graphKey(event) {
  const pans = { ArrowLeft: [1, 0], ArrowRight: [-1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
  const pan = pans[event.key];
  if (pan !== undefined) setGraphTransform(graphView.scale, graphView.x + pan[0] * GRAPH_KEY_STEP, graphView.y + pan[1] * GRAPH_KEY_STEP);
  else if (event.key === '+' || event.key === '=') zoomGraph(1.25);
  else if (event.key === '-') zoomGraph(1 / 1.25);
  else if (event.key === '0') fitGraph();
  else return;
  event.preventDefault();
}

function wireGraphControls() {
  byId('graph-zoom-in').addEventListener('click', () => zoomGraph(1.25));
  byId('graph-zoom-out').addEventListener('click', () => zoomGraph(1 / 1.25));
  byId('graph-fit').addEventListener('click', fitGraph);
  byId('graph-centre').addEventListener('click', centreGraph);
  // A closed panel has no width: lay the view out again when it opens, and when the window resizes.
  byId('branch-section').addEventListener('toggle', openingView);
  window.addEventListener('resize', openingView);
}
`;
