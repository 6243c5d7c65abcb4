/**
 * Browser script: tool calls waiting for a person. A panel above the layout (made here, so the
 * page's skeleton stays as it is) lists `GET /api/approvals`, each with its tool, session, user and
 * input, a reason box and Approve / Deny buttons that answer through `POST /api/runs/:id/approvals`
 * (the server then continues the run with its registered agent). Hidden while nothing waits;
 * refreshed on load, after each answer, and every 15 s while the tab is visible and the last refresh
 * succeeded (unfiltered, the list reads every session in the token's scope, so it is not polled hard).
 */
export const APPROVALS_SCRIPT = String.raw`
const APPROVALS_REFRESH_MS = 15000;
let approvalsTimer;

function approvalsPanel() {
  let panel = document.getElementById('approvals-panel');
  if (!panel) {
    panel = h('section', { id: 'approvals-panel', class: 'approvals-panel', 'aria-label': 'Waiting for approval', hidden: true });
    document.querySelector('main.layout').before(panel);
  }
  return panel;
}

async function loadApprovals() {
  clearTimeout(approvalsTimer);
  const panel = approvalsPanel();
  if (document.hidden) {
    approvalsTimer = setTimeout(loadApprovals, APPROVALS_REFRESH_MS);
    return;
  }
  let answer;
  try {
    answer = await api('GET', '/api/approvals');
  } catch (error) {
    reportError(error);
    return; // no further refreshes until the page loads again (a token prompt, a server away)
  }
  renderApprovals(panel, Array.isArray(answer && answer.approvals) ? answer.approvals : []);
  approvalsTimer = setTimeout(loadApprovals, APPROVALS_REFRESH_MS);
}

function renderApprovals(panel, approvals) {
  setHidden(panel, approvals.length === 0);
  replaceContent(panel, [
    h('h2', { text: 'Waiting for approval (' + approvals.length + ')' }),
    h('ul', { class: 'approval-list' }, approvals.map(approvalRow)),
  ]);
}

function approvalRow(request) {
  const reason = h('input', { type: 'text', class: 'approval-reason', placeholder: 'Reason (optional; sent to the model with a denial)', 'aria-label': 'Reason', autocomplete: 'off' });
  const row = h('li', { class: 'approval', dataset: { approvalId: request.approvalId, runId: request.runId } });
  const approve = h('button', { type: 'button', class: 'approve', text: 'Approve', onclick: () => answerApproval(request, true, row, reason) });
  const deny = h('button', { type: 'button', class: 'deny secondary', text: 'Deny', onclick: () => answerApproval(request, false, row, reason) });
  appendChildren(row, [
    h('div', { class: 'approval-head' }, [
      h('strong', { class: 'approval-tool', text: request.toolName }),
      h('span', { class: 'muted small', text: ' asked ' + new Date(request.requestedAt).toLocaleString() }),
    ]),
    factList([
      ['session', request.sessionId],
      ['user', request.userId],
      ['run', request.runId],
      ['agent', request.agentName],
    ], ['session', 'run']),
    h('pre', { class: 'approval-input', text: JSON.stringify(request.input, null, 2) }),
    h('div', { class: 'approval-actions' }, [reason, approve, deny]),
  ]);
  return row;
}

async function answerApproval(request, approved, row, reasonInput) {
  for (const button of row.querySelectorAll('button')) button.disabled = true;
  const reason = reasonInput.value.trim();
  const answer = { approvalId: request.approvalId, approved };
  if (reason !== '') answer.reason = reason;
  try {
    const result = await api('POST', runPath(request.runId, '/approvals'), { approvals: [answer] });
    const what = (approved ? 'Approved ' : 'Denied ') + request.toolName;
    if (result.resumed) showNotice(what + ': the run continues.');
    else if (result.waiting > 0) showNotice(what + ': ' + result.waiting + ' more request(s) of the run still wait.');
    else showNotice(what + ': no registered agent can continue the run here; resume it with Runner.resume.');
  } catch (error) {
    reportError(error);
  }
  await loadApprovals();
}
`;
