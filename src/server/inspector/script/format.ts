/**
 * Browser script: how ids, times, durations, token counts and JSON read on the page. Non-ASCII
 * characters are written as escapes so the script's meaning never depends on how it is decoded.
 */
export const FORMAT_SCRIPT = String.raw`
const ELLIPSIS = '\u2026';

/** Long generated ids (session_01J...) as prefix, ellipsis and the last characters, which differ between ids made together. */
function shortId(id) {
  if (typeof id !== 'string') return '';
  if (id.length <= 16) return id;
  const underscore = id.indexOf('_');
  const prefix = underscore > 0 && underscore <= 8 ? id.slice(0, underscore + 1) : id.slice(0, 6);
  return prefix + ELLIPSIS + id.slice(-6);
}

function pad(number, width) {
  return String(number).padStart(width || 2, '0');
}

/** Local time as 2024-05-01 14:03:07: unambiguous, and the same in every browser locale. */
function absoluteTime(at) {
  if (typeof at !== 'number') return '';
  const date = new Date(at);
  return date.getFullYear() + '-' + pad(date.getMonth() + 1) + '-' + pad(date.getDate()) + ' ' +
    pad(date.getHours()) + ':' + pad(date.getMinutes()) + ':' + pad(date.getSeconds());
}

function relativeTime(at, now) {
  if (typeof at !== 'number') return '';
  const seconds = Math.round(((now === undefined ? Date.now() : now) - at) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 60) return seconds + ' s ago';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return minutes + ' min ago';
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return hours + ' h ago';
  const days = Math.floor(hours / 24);
  if (days < 30) return days + ' d ago';
  return absoluteTime(at).slice(0, 10);
}

/** An event's time from the start of its run: +0.123s. */
function formatOffset(milliseconds) {
  const sign = milliseconds < 0 ? '-' : '+';
  return sign + (Math.abs(milliseconds) / 1000).toFixed(3) + 's';
}

function formatDuration(milliseconds) {
  if (typeof milliseconds !== 'number' || !Number.isFinite(milliseconds)) return '';
  if (milliseconds < 1000) return Math.round(milliseconds) + ' ms';
  if (milliseconds < 60000) return (milliseconds / 1000).toFixed(1) + ' s';
  const minutes = Math.floor(milliseconds / 60000);
  return minutes + ' min ' + Math.round((milliseconds % 60000) / 1000) + ' s';
}

function plural(count, word) {
  return count + ' ' + word + (count === 1 ? '' : 's');
}

function formatTokens(usage) {
  if (!usage || typeof usage.totalTokens !== 'number') return '';
  let text = plural(usage.totalTokens, 'token') + ' (' + (usage.inputTokens || 0) + ' in, ' + (usage.outputTokens || 0) + ' out)';
  if (typeof usage.costUsd === 'number' && usage.costUsd > 0) text += ', $' + usage.costUsd.toFixed(usage.costUsd < 0.01 ? 4 : 2);
  return text;
}

/** Indented JSON for display; never throws (a value the API sent is JSON already). */
function prettyJson(value) {
  if (value === undefined) return '';
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}

function compactJson(value) {
  if (value === undefined) return '';
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

function truncate(text, length) {
  const value = String(text);
  return value.length <= length ? value : value.slice(0, length - 1) + ELLIPSIS;
}

/** An object's fields, or none: event data is read loosely, since logs outlive the code that wrote them. */
function fieldsOf(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
}
`;
