/**
 * Browser script: talking to `/api`. Every call carries the token from this tab's sessionStorage
 * as an Authorization header (never in a URL, where it would end up in history and logs); a 401
 * opens the token prompt instead of an error banner. Errors keep the API's code and message.
 */
export const API_SCRIPT = String.raw`
const TOKEN_KEY = 'sessionloom.inspector.token';

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Thrown after a 401 has opened the token prompt: callers stop, and no banner is shown. */
class TokenRequired extends Error {}

function storedToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || undefined;
  } catch {
    return undefined; // storage disabled: every call goes without a token
  }
}

function storeToken(token) {
  try {
    if (token === undefined) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Storage disabled: the token cannot be kept, and the prompt will come back on the next call.
  }
  setHidden(byId('forget-token'), storedToken() === undefined);
}

function sessionPath(id, suffix) {
  return '/api/sessions/' + encodeURIComponent(id) + (suffix || '');
}

function runPath(id, suffix) {
  return '/api/runs/' + encodeURIComponent(id) + (suffix || '');
}

function withQuery(path, parameters) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value === undefined || value === null || value === '') continue;
    query.append(name, String(value));
  }
  const text = query.toString();
  return text === '' ? path : path + '?' + text;
}

/** One API call: the parsed JSON answer, or an ApiError / TokenRequired. */
async function api(method, path, body) {
  return (await request(method, path, body)).json;
}

/** A GET whose answer is a file (an export): its bytes as a Blob, or an ApiError / TokenRequired. */
async function download(path) {
  return (await request('GET', path, undefined, true)).blob;
}

async function request(method, path, body, asBlob) {
  const token = storedToken();
  const headers = { Accept: 'application/json' };
  if (token !== undefined) headers.Authorization = 'Bearer ' + token;
  // The API refuses writes that are not JSON (its guard against cross-site forms), so say so.
  if (method !== 'GET') headers['Content-Type'] = 'application/json';
  const init = { method, headers, credentials: 'omit', cache: 'no-store', redirect: 'error' };
  if (method !== 'GET') init.body = JSON.stringify(body === undefined ? {} : body);
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new ApiError(0, 'NETWORK_ERROR', 'The server could not be reached (' + (error && error.message ? error.message : String(error)) + ').');
  }
  if (response.status === 401) {
    // A stored token the server refuses is of no further use: drop it and ask again.
    if (token !== undefined) storeToken(undefined);
    showTokenPrompt(token === undefined ? 'This server needs an access token.' : 'The server refused that token; enter another.');
    throw new TokenRequired('token required');
  }
  if (asBlob && response.ok) return { blob: await response.blob() };
  const text = await response.text();
  let data;
  try {
    data = text === '' ? undefined : JSON.parse(text);
  } catch {
    data = undefined;
  }
  if (!response.ok) {
    const error = fieldsOf(fieldsOf(data).error);
    const code = typeof error.code === 'string' ? error.code : 'HTTP_' + response.status;
    const message = typeof error.message === 'string' ? error.message : response.statusText || 'The request failed.';
    throw new ApiError(response.status, code, message);
  }
  return { json: data };
}

function reportError(error) {
  if (error instanceof TokenRequired) return;
  if (error instanceof ApiError) showError(error.code + (error.status ? ' (' + error.status + ')' : ''), error.message);
  else {
    showError('SCRIPT_ERROR', error && error.message ? error.message : String(error));
    console.error(error);
  }
}

function showError(code, message) {
  byId('error-code').textContent = code;
  byId('error-message').textContent = message;
  setHidden(byId('error-banner'), false);
}

function hideError() {
  setHidden(byId('error-banner'), true);
}

function showNotice(message) {
  byId('notice-message').textContent = message;
  setHidden(byId('notice-banner'), false);
}

function hideNotice() {
  setHidden(byId('notice-banner'), true);
}

function showTokenPrompt(reason) {
  byId('token-reason').textContent = reason;
  const prompt = byId('token-prompt');
  if (prompt.hidden) {
    setHidden(prompt, false);
    byId('token-input').focus();
  }
}

/** Keeps the token typed into the prompt and starts over with it. */
function submitToken(onToken) {
  const input = byId('token-input');
  const token = input.value.trim();
  if (token === '') {
    byId('token-reason').textContent = 'Enter the token this server was started with.';
    return;
  }
  input.value = '';
  storeToken(token);
  setHidden(byId('token-prompt'), true);
  onToken();
}
`;
