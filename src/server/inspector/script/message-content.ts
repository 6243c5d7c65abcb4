/**
 * Browser script: a message's content, readable. AI SDK content is a string or a list of parts
 * (text, reasoning, tool calls and results, images, files); each part gets its own block, and a
 * part this page does not know is shown as its JSON rather than dropped. Images and files are
 * described, never loaded: a URL in a message must not make the browser fetch anything.
 */
export const MESSAGE_CONTENT_SCRIPT = String.raw`
function renderContent(content) {
  if (typeof content === 'string') return [textBlock(content)];
  if (!Array.isArray(content)) return [jsonBlock('content', content)];
  return content.map(renderPart);
}

function renderPart(part) {
  const fields = fieldsOf(part);
  switch (fields.type) {
    case 'text':
      return textBlock(fields.text);
    case 'reasoning':
      return h('div', { class: 'part part-reasoning' }, [partLabel('reasoning'), h('div', { class: 'text', text: String(fields.text) })]);
    case 'tool-call':
      return h('div', { class: 'part part-tool-call' }, [
        partLabel('tool call', fields.toolName, fields.toolCallId),
        h('pre', { class: 'json', text: prettyJson(fields.input) }),
      ]);
    case 'tool-result':
      return renderToolResult(fields);
    case 'image':
      return mediaBlock('image', [fields.mediaType, describeData(fields.image)]);
    case 'file':
      return mediaBlock('file', [fields.filename, fields.mediaType, describeData(fields.data)]);
    default:
      return jsonBlock(typeof fields.type === 'string' ? fields.type : 'part', part);
  }
}

function renderToolResult(fields) {
  const output = fieldsOf(fields.output);
  const failed = typeof output.type === 'string' && output.type.startsWith('error');
  return h('div', { class: ['part', 'part-tool-result', failed && 'failed'] }, [
    partLabel(failed ? 'tool error' : 'tool result', fields.toolName, fields.toolCallId),
    renderToolOutput(output, fields.output),
  ]);
}

/** Tool output as the AI SDK shapes it: { type: 'text' | 'json' | 'error-text' | 'error-json' | 'content' | ..., value }. */
function renderToolOutput(output, raw) {
  switch (output.type) {
    case 'text':
    case 'error-text':
      return h('pre', { class: 'text', text: String(output.value) });
    case 'json':
    case 'error-json':
      return h('pre', { class: 'json', text: prettyJson(output.value) });
    case 'execution-denied':
      return h('p', { class: 'muted', text: 'denied' + (output.reason ? ': ' + output.reason : '') });
    case 'content':
      if (Array.isArray(output.value)) {
        return h('div', {}, output.value.map((item) => {
          const entry = fieldsOf(item);
          if (entry.type === 'text') return h('pre', { class: 'text', text: String(entry.text) });
          return mediaBlock(String(entry.type || 'content'), [entry.mediaType, describeData(entry.data)]);
        }));
      }
      return h('pre', { class: 'json', text: prettyJson(raw) });
    default:
      return h('pre', { class: 'json', text: prettyJson(raw) });
  }
}

function textBlock(text) {
  return h('div', { class: 'part part-text text', text: String(text) });
}

function jsonBlock(label, value) {
  return h('div', { class: 'part part-other' }, [partLabel(label), h('pre', { class: 'json', text: prettyJson(value) })]);
}

function mediaBlock(kind, details) {
  return h('div', { class: 'part part-media' }, [
    partLabel(kind),
    h('span', { class: 'muted', text: details.filter((detail) => typeof detail === 'string' && detail !== '').join(', ') }),
  ]);
}

/** What inline data or a reference is, without showing (or fetching) it. */
function describeData(data) {
  if (typeof data !== 'string') return data === undefined ? '' : 'binary data';
  if (/^(https?|data):/i.test(data)) return data.startsWith('data:') ? 'data URL, ' + plural(data.length, 'character') : 'at ' + truncate(data, 120);
  return 'inline, ' + plural(Math.floor((data.length * 3) / 4), 'byte') + ' (base64)';
}

function partLabel(kind, name, id) {
  return h('div', { class: 'part-label small' }, [
    h('span', { class: 'part-kind', text: kind }),
    typeof name === 'string' ? h('strong', { class: 'tool-name mono', text: name }) : null,
    typeof id === 'string' ? h('span', { class: 'muted mono', title: id, text: shortId(id) }) : null,
  ]);
}
`;
