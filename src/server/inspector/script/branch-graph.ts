/**
 * Browser script: the fork tree as an SVG graph, from `/branches`. The open session sits among its
 * ancestors (a chain up to the oldest one still stored), its forks (recursively), the tails its
 * rewinds left and its compactions; a rewound tail or a compaction opens its messages above the
 * timeline. Laid out left to right: a node's column is its depth, leaves take one row each in
 * order, and a parent is centred on its children, so edges never cross. Where a node branched off
 * is its own third line, never a label on an edge, so no text is drawn over a line. How the graph
 * fits its panel (scale, zoom, pan) is graph-view.ts.
 */
export const BRANCH_GRAPH_SCRIPT = String.raw`
const GRAPH = { nodeWidth: 168, nodeHeight: 56, columnGap: 56, rowGap: 14, margin: 12 };
/** What fits a node's line in its monospace font. */
const GRAPH_TITLE_LENGTH = 22;

function renderBranchGraph() {
  const container = byId('branch-graph');
  const branches = state.branches;
  setHidden(byId('branch-section'), branches === undefined);
  if (branches === undefined) {
    replaceContent(byId('graph-summary'), []);
    return replaceContent(container, []);
  }
  const root = branchTree(branches);
  const nodes = layoutTree(root);
  const columns = Math.max(...nodes.map((node) => node.depth)) + 1;
  const rows = Math.max(...nodes.map((node) => node.row)) + 1;
  const width = GRAPH.margin * 2 + columns * GRAPH.nodeWidth + (columns - 1) * GRAPH.columnGap;
  const height = GRAPH.margin * 2 + rows * GRAPH.nodeHeight + (rows - 1) * GRAPH.rowGap;
  const edges = nodes.filter((node) => node.parent !== undefined).map(graphEdge);
  const content = svg('g', { class: 'graph-content' }, [svg('g', { class: 'edges' }, edges), svg('g', { class: 'nodes' }, nodes.map(graphNode))]);
  const graph = svg('svg', { class: 'fork-tree', role: 'group', 'aria-label': 'Fork tree of ' + branches.session.id }, [content]);
  byId('graph-summary').textContent = plural(branches.parents.length, 'ancestor') + ', ' + plural(countForks(branches.forks), 'fork') + ', ' +
    plural(branches.rewoundTails.length, 'rewound tail') + ', ' + plural(branches.compactions.length, 'compaction');
  replaceContent(container, graph);
  const current = nodes.find((node) => node.kind === 'current');
  showGraph(graph, content, { width, height, focus: { x: current.x + GRAPH.nodeWidth / 2, y: current.y + GRAPH.nodeHeight / 2 } });
  renderCompareChoices(branches);
}

function countForks(forks) {
  return forks.reduce((total, fork) => total + 1 + countForks(fork.children), 0);
}

/** The tree to draw: { kind, session | tail | compaction, forkPoint, children }, rooted at the oldest ancestor. */
function branchTree(branches) {
  const forkNode = (fork) => ({
    kind: 'fork',
    session: fork.session,
    forkPoint: fork.forkedAtMessageId,
    children: fork.children.map(forkNode),
  });
  const tailNode = (tail) => ({ kind: 'tail', tail, forkPoint: tail.afterMessageId, children: [] });
  const compactionNode = (compaction) => ({ kind: 'compaction', compaction, forkPoint: compaction.messageId, children: [] });
  let node = {
    kind: 'current',
    session: branches.session,
    forkPoint: branches.session.forkedFrom?.messageId,
    children: branches.forks.map(forkNode).concat(branches.rewoundTails.map(tailNode), (branches.compactions || []).map(compactionNode)),
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

/** A node's three lines (name, size, where it branched off), its tooltip, what opening it does and its label for assistive tech. */
function nodeFace(node) {
  if (node.kind === 'tail') {
    return {
      lines: ['rewound tail', plural(node.tail.messageCount, 'msg') + ' off the path', node.forkPoint === undefined ? 'from the start' : 'after ' + shortId(node.forkPoint)],
      tooltip: 'rewound tail: ' + node.tail.messageIds.join(', '),
      open: () => showRewoundTail(node.tail),
      label: 'Show the ' + plural(node.tail.messageCount, 'message') + ' of this rewound tail',
    };
  }
  if (node.kind === 'compaction') {
    const compaction = node.compaction;
    return {
      lines: ['compaction', plural(compaction.count, 'msg') + ' replaced', 'at ' + shortId(compaction.messageId)],
      tooltip: 'compaction ' + compaction.messageId + ': replaced ' + compaction.from + ' to ' + compaction.to + ', kept ' + compaction.kept,
      open: () => showCompactedMessages(compaction),
      label: 'Show the ' + plural(compaction.count, 'message') + ' this compaction replaced',
    };
  }
  const session = node.session;
  const named = session.title !== undefined ? ' (' + session.title + ')' : '';
  return {
    // A session's title names it better than its id; the id stays in the tooltip.
    lines: [
      session.title === undefined ? shortId(session.id) : truncate(session.title, GRAPH_TITLE_LENGTH),
      plural(session.messageCount, 'msg') + ' \u00b7 ' + session.state,
      node.forkPoint === undefined ? (node.kind === 'current' ? 'open session' : '') : 'at ' + shortId(node.forkPoint),
    ],
    tooltip: node.kind + ': ' + session.id + named,
    open: () => openSession(session.id),
    label: 'Open session ' + session.id,
  };
}

function graphNode(node) {
  const face = nodeFace(node);
  const open = () => {
    if (!graphClickAllowed()) return; // the pointer was dragging the graph, not choosing a node
    face.open();
  };
  return svg('g', {
    class: ['graph-node', 'node-' + node.kind],
    transform: 'translate(' + node.x + ',' + node.y + ')',
    'data-session-id': node.session ? node.session.id : undefined,
    'data-fork-point': node.forkPoint,
    role: 'button',
    tabindex: '0',
    'aria-label': face.label,
    onclick: open,
    onkeydown: ((event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        face.open();
      }
    }),
  }, [
    svg('title', { text: face.tooltip }),
    svg('rect', { width: GRAPH.nodeWidth, height: GRAPH.nodeHeight, rx: 6, ry: 6 }),
    svg('text', { x: 10, y: 17, class: 'node-name' }, face.lines[0]),
    svg('text', { x: 10, y: 32, class: 'node-detail' }, face.lines[1]),
    face.lines[2] === '' ? null : svg('text', { x: 10, y: 47, class: 'node-detail node-point' }, face.lines[2]),
  ]);
}

/** A curve from the parent's right edge to the child's left edge. */
function graphEdge(node) {
  const parent = node.parent;
  const x1 = parent.x + GRAPH.nodeWidth;
  const y1 = parent.y + GRAPH.nodeHeight / 2;
  const x2 = node.x;
  const y2 = node.y + GRAPH.nodeHeight / 2;
  const bend = (x2 - x1) / 2;
  return svg('path', {
    class: ['graph-edge', 'edge-' + node.kind],
    d: 'M' + x1 + ' ' + y1 + ' C' + (x1 + bend) + ' ' + y1 + ' ' + (x2 - bend) + ' ' + y2 + ' ' + x2 + ' ' + y2,
  });
}
`;
