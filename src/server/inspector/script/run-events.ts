/**
 * Browser script: one line per run event, as `sessionloom replay` prints it. Data is read loosely:
 * an event of a type this page does not know is shown as its JSON, never dropped or fatal.
 */
export const RUN_EVENTS_SCRIPT = String.raw`
const EVENT_SUMMARY_LENGTH = 200;

function describeEvent(event) {
  const data = fieldsOf(event.data);
  return truncate(describeEventData(event.type, data, event.data), EVENT_SUMMARY_LENGTH);
}

function describeEventData(type, data, raw) {
  switch (type) {
    case 'run-start': {
      const parts = [];
      if (data.agent !== undefined) parts.push('agent ' + String(data.agent));
      if (data.model !== undefined) parts.push('model ' + String(data.model));
      if (data.created === true) parts.push('new session');
      if (typeof data.historyLength === 'number') parts.push(plural(data.historyLength, 'earlier message'));
      return parts.length === 0 ? compactJson(raw) : parts.join(', ');
    }
    case 'step-start':
      return 'step ' + String(data.step);
    case 'text':
    case 'reasoning':
      return '"' + String(data.text) + '"' + (data.partial === true ? ' (partial)' : '');
    case 'tool-call':
      return String(data.toolName) + ' ' + compactJson(data.input) + (data.invalid === true ? ' (invalid input)' : '');
    case 'tool-result':
      return String(data.toolName) + (data.isError === true ? ' failed: ' : ' \u2192 ') + describeEventOutput(data.output);
    case 'step-end':
      return 'step ' + String(data.step) + ': ' + String(data.finishReason) + ', ' + formatTokens(fieldsOf(data.usage));
    case 'error':
      return String(data.status || 'failed') + (data.step === undefined ? '' : ' in step ' + String(data.step)) + ': ' + String(data.message);
    case 'run-end':
      return String(data.status) + (typeof data.steps === 'number' ? ' after ' + plural(data.steps, 'step') : '') +
        (data.usage === undefined ? '' : ', ' + formatTokens(fieldsOf(data.usage)));
    case 'checkpoint':
      return 'files at ' + shortId(String(data.messageId)) + ': ' + String(data.changedFiles) + ' changed of ' + String(data.files);
    default:
      return compactJson(raw);
  }
}

function describeEventOutput(output) {
  const fields = fieldsOf(output);
  if (fields.type === 'text' || fields.type === 'error-text') return String(fields.value);
  if (fields.type === 'json' || fields.type === 'error-json') return compactJson(fields.value);
  return compactJson(output);
}
`;
