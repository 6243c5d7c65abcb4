/**
 * The inspector's HTML: the static skeleton the script fills in. It holds no data, no inline
 * script and no inline style (the Content-Security-Policy allows neither); the favicon is an empty
 * data: URL so the browser does not ask the server for /favicon.ico.
 */
export const INSPECTOR_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>sessionloom inspector</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/inspector.css">
<script type="module" src="/inspector.js"></script>
</head>
<body>
<header class="topbar">
  <h1>sessionloom <span class="muted">inspector</span></h1>
  <span id="health" class="health" aria-live="polite"></span>
  <button id="forget-token" type="button" class="link-button" hidden>Forget token</button>
</header>

<div id="error-banner" class="banner banner-error" role="alert" hidden>
  <span class="banner-text"><strong id="error-code"></strong> <span id="error-message"></span></span>
  <button id="error-dismiss" type="button" class="link-button">Dismiss</button>
</div>
<div id="notice-banner" class="banner banner-notice" role="status" hidden>
  <span id="notice-message" class="banner-text"></span>
  <button id="notice-dismiss" type="button" class="link-button">Dismiss</button>
</div>

<section id="token-prompt" class="token-prompt" aria-labelledby="token-label" hidden>
  <label id="token-label" for="token-input">Access token</label>
  <p id="token-reason" class="muted"></p>
  <div class="token-row">
    <input id="token-input" type="password" autocomplete="off" spellcheck="false" placeholder="Bearer token">
    <button id="token-submit" type="button">Use token</button>
  </div>
  <p class="muted small">Kept in this tab's session storage only, and sent as an Authorization header to this server.</p>
</section>

<main class="layout">
  <aside class="pane sessions-pane" aria-label="Sessions">
    <div class="search-box" role="search" aria-label="Search messages">
      <input id="search-input" type="search" autocomplete="off" spellcheck="false" placeholder="Search messages" aria-label="Search messages">
      <button id="search-submit" type="button">Search</button>
    </div>
    <section id="search-panel" class="search-panel" aria-label="Search results" hidden>
      <div class="search-heading">
        <span id="search-count" class="muted small" aria-live="polite"></span>
        <button id="search-close" type="button" class="link-button small">Close</button>
      </div>
      <ul id="search-results" class="search-results"></ul>
      <button id="search-more" type="button" class="secondary wide" hidden>More matches</button>
    </section>
    <h2>Sessions</h2>
    <div class="filters" role="search">
      <label>User <input id="filter-user" type="text" autocomplete="off" spellcheck="false"></label>
      <label>Agent <input id="filter-agent" type="text" autocomplete="off" spellcheck="false"></label>
      <label>State
        <select id="filter-state">
          <option value="">any</option>
          <option value="active">active</option>
          <option value="suspended">suspended</option>
          <option value="expired">expired</option>
        </select>
      </label>
      <label>Tag <input id="filter-tag" type="text" autocomplete="off" spellcheck="false"></label>
      <label class="filter-wide">Title starts with <input id="filter-title" type="text" autocomplete="off" spellcheck="false"></label>
      <div class="filter-buttons">
        <button id="filter-apply" type="button">Apply</button>
        <button id="filter-clear" type="button" class="secondary">Clear</button>
      </div>
    </div>
    <p id="session-count" class="muted small" aria-live="polite"></p>
    <ul id="session-list" class="session-list"></ul>
    <button id="load-more" type="button" class="secondary wide" hidden>Load more</button>
  </aside>

  <section class="pane session-pane" aria-label="Session">
    <div id="session-header" class="session-header">
      <p class="muted">Select a session on the left, or open <code>#session=ID</code>.</p>
    </div>
    <section id="message-detail" class="message-detail" aria-label="Message" hidden></section>
    <details id="branch-section" class="branch-section" open hidden>
      <summary>Fork tree</summary>
      <div class="graph-toolbar">
        <span id="graph-summary" class="muted small"></span>
        <span class="spacer"></span>
        <button id="graph-zoom-out" type="button" class="secondary" aria-label="Zoom out" title="Zoom out">\u2212</button>
        <span id="graph-scale" class="muted small graph-scale" aria-live="polite"></span>
        <button id="graph-zoom-in" type="button" class="secondary" aria-label="Zoom in" title="Zoom in">+</button>
        <button id="graph-fit" type="button" class="secondary" title="Scale the whole tree to fit">Fit</button>
        <button id="graph-centre" type="button" class="secondary" title="Centre the open session">Centre</button>
      </div>
      <div id="branch-graph" class="branch-graph"></div>
      <div class="compare-row">
        <label for="compare-with" class="small">Compare with</label>
        <input id="compare-with" type="text" list="compare-choices" autocomplete="off" spellcheck="false" placeholder="a session id" aria-label="Session to compare with">
        <datalist id="compare-choices"></datalist>
        <button id="compare-run" type="button" class="secondary">Compare</button>
      </div>
    </details>
    <section id="session-diff" class="session-diff" aria-label="Comparison" hidden></section>
    <button id="load-older" type="button" class="secondary wide" hidden>Load older</button>
    <ol id="timeline" class="timeline" aria-label="Messages"></ol>
    <div id="continue-form" class="continue-form" hidden>
      <label for="continue-input">Continue this session with</label>
      <select id="continue-agent" aria-label="Agent"></select>
      <textarea id="continue-input" rows="3" placeholder="Your message"></textarea>
      <button id="continue-send" type="button">Send</button>
    </div>
  </section>

  <aside class="pane runs-pane" aria-label="Runs">
    <h2>Runs</h2>
    <ul id="run-list" class="run-list"></ul>
    <section id="run-detail" class="run-detail" hidden>
      <div id="run-summary" class="run-summary"></div>
      <div class="replay-controls">
        <button id="replay" type="button">Replay</button>
        <button id="replay-stop" type="button" class="secondary" hidden>Stop</button>
        <button id="run-cancel" type="button" class="secondary" hidden>Cancel run</button>
        <span id="replay-status" class="muted small" aria-live="polite"></span>
      </div>
      <pre id="live-text" class="live-text" aria-live="polite" hidden></pre>
      <ol id="run-events" class="run-events" aria-label="Run events"></ol>
    </section>
  </aside>
</main>
</body>
</html>
`;
