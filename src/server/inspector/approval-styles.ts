/** The approvals panel's look (see script/approvals.ts), appended to the inspector's stylesheet. */
export const APPROVAL_STYLES = String.raw`
.approvals-panel {
  margin: 8px 12px 0;
  padding: 8px 12px;
  border: 1px solid var(--warn);
  border-radius: 6px;
  background: var(--panel);
}
.approvals-panel h2 { margin: 0 0 6px; font-size: 15px; }
.approval-list { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; }
.approval { border-top: 1px solid var(--border); padding-top: 6px; }
.approval-input { background: var(--code); padding: 6px 8px; border-radius: 4px; overflow-x: auto; margin: 4px 0; max-height: 200px; }
.approval-actions { display: flex; gap: 6px; align-items: center; }
.approval-reason { flex: 1; min-width: 10em; }
`;
