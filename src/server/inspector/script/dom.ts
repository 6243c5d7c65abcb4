/**
 * Browser script: building the DOM. Every element the inspector shows is made here from text and
 * attributes; nothing the API returns is ever parsed as markup, so a message reading
 * `<img src=x onerror=...>` is shown as those characters. Attribute names come from the script
 * only, and the ones that could run or load something (`style`, `on*` handlers, `href`, `src`)
 * are refused outright rather than trusted to callers.
 */
export const DOM_SCRIPT = String.raw`
const SVG_NS = 'http://www.w3.org/2000/svg';
const FORBIDDEN_ATTRIBUTES = new Set(['style', 'href', 'src', 'srcdoc', 'xlink:href', 'action', 'formaction']);

/** An HTML element: h('li', { class: 'x', text: 'y', onclick: f }, [children]). */
function h(tag, props, children) {
  const node = document.createElement(tag);
  applyProps(node, props);
  appendChildren(node, children);
  return node;
}

/** An SVG element, attributes set one by one (never from markup). */
function svg(tag, props, children) {
  const node = document.createElementNS(SVG_NS, tag);
  applyProps(node, props);
  appendChildren(node, children);
  return node;
}

function applyProps(node, props) {
  if (!props) return;
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : String(value));
    else if (key === 'text') node.textContent = String(value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) {
      if (typeof value !== 'function') throw new TypeError('event handlers must be functions: ' + key);
      node.addEventListener(key.slice(2), value);
    } else {
      if (FORBIDDEN_ATTRIBUTES.has(key.toLowerCase())) throw new TypeError('attribute not allowed: ' + key);
      node.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

/** Appends nodes, strings (as text nodes) and nested arrays of them; null and false are skipped. */
function appendChildren(node, children) {
  if (children === undefined || children === null || children === false) return;
  if (Array.isArray(children)) {
    for (const child of children) appendChildren(node, child);
    return;
  }
  node.append(children instanceof Node ? children : document.createTextNode(String(children)));
}

function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error('the page has no #' + id);
  return node;
}

function replaceContent(node, children) {
  node.replaceChildren();
  appendChildren(node, children);
}

function setHidden(node, hidden) {
  node.hidden = hidden;
}

/** A <dl> of [name, value] pairs; pairs without a value are left out. Values of the names in monoNames are set in monospace. */
function factList(facts, monoNames) {
  const shown = facts.filter(([, value]) => value !== undefined && value !== '');
  return h('dl', { class: 'facts small' }, shown.map(([name, value]) => [
    h('dt', { text: name }),
    h('dd', { class: monoNames && monoNames.includes(name) ? 'mono' : undefined, text: value }),
  ]));
}

/** A list row that is one button, marked (class and aria-current) when it is the selected one. */
function selectableRow(dataset, rowClass, selected, onclick, children) {
  return h('li', { dataset }, [
    h('button', { type: 'button', class: [rowClass, selected && 'selected'], 'aria-current': selected ? 'true' : undefined, onclick }, children),
  ]);
}
`;
