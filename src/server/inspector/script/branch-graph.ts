/**
 * Browser script: the fork tree as an SVG graph, from `/branches`. The open session sits among its
 * ancestors (a chain up to the oldest one still stored), its forks (recursively) and the tails its
 * rewinds left; each edge is labeled with the message the branch was taken at. Laid out left to
 * right: a node's column is its depth, leaves take one row each in order, and a parent is centred
 * on its children, so edges never cross.
 */
export const BRANCH_GRAPH_SCRIPT = String.raw`
const GRAPH = { nodeWidth: 156, nodeHeight: 42, columnGap: 112, rowGap: 16, margin: 12 };
/** What fits a node's first line in its monospace font. */
const GRAPH_TITLE_LENGTH = 20;

function renderBranchGraph() {
  const container = byId('branch-graph');
  const branches = state.branches;
  setHidden(byId('branch-section'), branches === undefined);
  if (branches === undefined) return replaceContent(container, []);
  const root = branchTree(branches);
  const nodes = layoutTree(root);
  const columns = Math.max(...nodes.map((node) => node.depth)) + 1;
  const rows = Math.max(...nodes.map((node) => node.row)) + 1;
  const width = GRAPH.margin * 2 + columns * GRAPH.nodeWidth + (columns - 1) * GRAPH.columnGap;
  const height = GRAPH.margin * 2 + rows * GRAPH.nodeHeight + (rows - 1) * GRAPH.rowGap;
  const edges = nodes.filter((node) => node.parent !== undefined).map(graphEdge);
  const graph = svg('svg', {
    class: 'fork-tree',
    width, height,
    viewBox: '0 0 ' + width + ' ' + height,
    role: 'group',
    'aria-label': 'Fork tree of ' + branches.session.id,
  }, [svg('g', { class: 'edges' }, edges), svg('g', { class: 'nodes' }, nodes.map(graphNode))]);
  const summary = plural(branches.parents.length, 'ancestor') + ', ' + plural(countForks(branches.forks), 'fork') + ', ' +
    plural(branches.rewoundTails.length, 'rewound tail');
  replaceContent(container, [h('p', { class: 'muted small', text: summary }), graph]);
}

function countForks(forks) {
  return forks.reduce((total, fork) => total + 1 + countForks(fork.children), 0);
}

/** The tree to draw: { kind, session | tail, forkPoint, children }, rooted at the oldest ancestor. */
function branchTree(branches) {
  const forkNode = (fork) => ({
    kind: 'fork',
    session: fork.session,
    forkPoint: fork.forkedAtMessageId,
    children: fork.children.map(forkNode),
  });
  const tailNode = (tail) => ({ kind: 'tail', tail, forkPoint: tail.afterMessageId, fromStart: tail.afterMessageId === undefined, children: [] });
  let node = {
    kind: 'current',
    session: branches.session,
    forkPoint: branches.session.forkedFrom?.messageId,
    children: branches.forks.map(forkNode).concat(branches.rewoundTails.map(tailNode)),
  };
  // Parents come nearest first: wrap the tree in each of them in turn.
  for (const parent of branches.parents) {
    node = { kind: 'parent', session: parent, forkPoint: parent.forkedFrom?.messageId, children: [node] };
  }
  return node;
}

/** Positions every node (depth = column, row may be fractional for a parent) and returns them in drawing order. */
function layoutTree(root) {
  const nodes = [];
  let nextRow = 0;
  const place = (node, depth, parent) => {
    node.depth = depth;
    node.parent = parent;
    nodes.push(node);
    if (node.children.length === 0) node.row = nextRow++;
    else {
      for (const child of node.children) place(child, depth + 1, node);
      node.row = (node.children[0].row + node.children[node.children.length - 1].row) / 2;
    }
    node.x = GRAPH.margin + depth * (GRAPH.nodeWidth + GRAPH.columnGap);
    node.y = GRAPH.margin + node.row * (GRAPH.nodeHeight + GRAPH.rowGap);
  };
  place(root, 0, undefined);
  return nodes;
}

function graphNode(node) {
  const isSession = node.kind !== 'tail';
  const named = isSession && node.session.title !== undefined ? ' (' + node.session.title + ')' : '';
  const title = isSession ? node.kind + ': ' + node.session.id + named : 'rewound tail: ' + node.tail.messageIds.join(', ');
  // A session's title names it better than its id; the id stays in the tooltip.
  const lines = isSession
    ? [node.session.title === undefined ? shortId(node.session.id) : truncate(node.session.title, GRAPH_TITLE_LENGTH), plural(node.session.messageCount, 'msg') + ' \u00b7 ' + node.session.state]
    : ['rewound tail', plural(node.tail.messageCount, 'msg') + ' off the path'];
  // A rewound tail opens its messages above the timeline (they are off the path, so not in it).
  const open = isSession ? () => openSession(node.session.id) : () => showRewoundTail(node.tail);
  const group = svg('g', {
    class: ['graph-node', 'node-' + node.kind],
    transform: 'translate(' + node.x + ',' + node.y + ')',
    'data-session-id': isSession ? node.session.id : undefined,
    role: 'button',
    tabindex: '0',
    'aria-label': isSession ? 'Open session ' + node.session.id : 'Show the ' + plural(node.tail.messageCount, 'message') + ' of this rewound tail',
    onclick: open,
    onkeydown: ((event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        open();
      }
    }),
  }, [
    svg('title', { text: title }),
    svg('rect', { width: GRAPH.nodeWidth, height: GRAPH.nodeHeight, rx: 6, ry: 6 }),
    svg('text', { x: 10, y: 17, class: 'node-name' }, lines[0]),
    svg('text', { x: 10, y: 33, class: 'node-detail' }, lines[1]),
  ]);
  return group;
}

/** A curve from the parent's right edge to the child's left edge, labeled with the fork point. */
function graphEdge(node) {
  const parent = node.parent;
  const x1 = parent.x + GRAPH.nodeWidth;
  const y1 = parent.y + GRAPH.nodeHeight / 2;
  const x2 = node.x;
  const y2 = node.y + GRAPH.nodeHeight / 2;
  const bend = (x2 - x1) / 2;
  const label = node.kind === 'tail'
    ? (node.fromStart ? 'rewound from start' : 'after ' + shortId(node.forkPoint))
    : node.forkPoint === undefined ? '' : 'at ' + shortId(node.forkPoint);
  return svg('g', { class: ['graph-edge', 'edge-' + node.kind] }, [
    svg('path', { d: 'M' + x1 + ' ' + y1 + ' C' + (x1 + bend) + ' ' + y1 + ' ' + (x2 - bend) + ' ' + y2 + ' ' + x2 + ' ' + y2 }),
    label === '' ? null : svg('text', { class: 'edge-label', x: x2 - 6, y: y2 - 5, 'text-anchor': 'end' }, [
      svg('title', { text: node.forkPoint || 'the start' }),
      label,
    ]),
  ]);
}
`;
