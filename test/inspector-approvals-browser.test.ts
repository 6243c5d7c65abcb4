/**
 * The inspector's approvals panel, in headless Chromium: a run waiting for approval shows with its
 * tool and input; Approve continues it with the server's agent (the tool runs once and the run
 * completes), Deny with a reason sends the model the denial; the panel empties as requests are
 * answered, and a user-bound token sees only its user's requests. No script error, no CSP violation.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runner, SessionStore } from '../src/index.js';
import { mountInspector } from '../src/server/inspector/index.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { FINISHED_PREFIX, refundAgent } from './fixtures/approval-agents.js';
import { chromiumAvailable, chromiumMissingMessage, launchChromium, openWatchedPage, warnChromiumMissing } from './fixtures/browser.js';

const inCi = process.env.CI === 'true';
const POLL = { timeout: 20_000, interval: 50 };
const ADMIN = 'admin-token-0123456789abcdef';
const BOB = 'bob-token-0123456789abcdefghij';

let browser: Browser;
let server: RunningServer;
let store: SessionStore;
const executed: string[] = [];
const agent = refundAgent(undefined);
const refund = (agent.tools as Record<string, { execute?: (...args: unknown[]) => unknown }>).refund!;
const execute = refund.execute!;
refund.execute = async (...args: unknown[]) => {
  executed.push(JSON.stringify(args[0]));
  return execute(...args);
};

if (!chromiumAvailable && inCi) throw new Error(`CI=true: ${chromiumMissingMessage}`);
if (!chromiumAvailable) warnChromiumMissing();

async function lastText(sessionId: string): Promise<unknown> {
  return (await store.getMessages(sessionId)).at(-1)?.content;
}

describe.skipIf(!chromiumAvailable)('the inspector, approvals', () => {
  beforeAll(async () => {
    store = SessionStore.memory();
    server = await startServer({
      store,
      port: 0,
      logger: { error: () => {} },
      agents: { refunds: agent },
      tokens: [{ token: ADMIN }, { token: BOB, userId: 'bob' }],
      mount: mountInspector,
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await store?.close();
  });

  it('lists waiting tool calls with their input; Approve runs the tool once, Deny sends the reason to the model', async () => {
    const toApprove = await Runner.run(agent, { input: 'Refund order 42', session: { store, userId: 'ada' } });
    const toDeny = await Runner.run(agent, { input: 'Refund order 42 again', session: { store, userId: 'ada' } });
    const watched = await openWatchedPage(browser);
    const { page } = watched;
    try {
      await page.goto(server.url);
      await page.locator('#token-input').fill(ADMIN);
      await page.locator('#token-submit').click();
      const rows = page.locator('#approvals-panel li.approval');
      await expect.poll(() => rows.count(), POLL).toBe(2);
      expect(await page.locator('#approvals-panel h2').textContent()).toBe('Waiting for approval (2)');
      const first = page.locator(`#approvals-panel li.approval[data-run-id="${toApprove.runId}"]`);
      expect(await first.locator('.approval-tool').textContent()).toBe('refund');
      expect(JSON.parse((await first.locator('.approval-input').textContent()) ?? 'null')).toEqual({ order: '42', amount: 30 });

      await first.locator('button.approve').click();
      await expect.poll(async () => (await store.getRun(toApprove.runId))?.status, POLL).toBe('completed');
      expect(executed).toEqual(['{"order":"42","amount":30}']);
      expect(await lastText(toApprove.sessionId)).toEqual([{ type: 'text', text: `${FINISHED_PREFIX}refund:json:{"refunded":"42","amount":30}` }]);
      await expect.poll(() => rows.count(), POLL).toBe(1);
      await expect.poll(() => page.locator('#notice-message').textContent(), POLL).toContain('the run continues');

      const second = page.locator(`#approvals-panel li.approval[data-run-id="${toDeny.runId}"]`);
      await second.locator('.approval-reason').fill('Already refunded');
      await second.locator('button.deny').click();
      await expect.poll(async () => (await store.getRun(toDeny.runId))?.status, POLL).toBe('completed');
      expect(await lastText(toDeny.sessionId)).toEqual([{ type: 'text', text: `${FINISHED_PREFIX}refund:execution-denied:Already refunded` }]);
      expect(executed).toHaveLength(1);
      await expect.poll(() => page.locator('#approvals-panel').isVisible(), POLL).toBe(false);
      expect(watched.problems).toEqual([]);
    } finally {
      await watched.close();
    }
  });

  it("a token bound to another user sees none of the user's waiting calls", async () => {
    const waiting = await Runner.run(agent, { input: 'Refund order 42', session: { store, userId: 'ada' } });
    const watched = await openWatchedPage(browser);
    const { page } = watched;
    try {
      await page.goto(server.url);
      await page.locator('#token-input').fill(BOB);
      await page.locator('#token-submit').click();
      await expect.poll(() => page.locator('#health').textContent(), POLL).not.toBe('');
      // Loaded (the panel exists) and empty, so hidden.
      await expect.poll(() => page.locator('#approvals-panel').count(), POLL).toBe(1);
      await expect.poll(() => watched.requests.some((url) => url.endsWith('/api/approvals')), POLL).toBe(true);
      expect(await page.locator('#approvals-panel').isVisible()).toBe(false);
      expect(await page.locator('#error-banner').isVisible()).toBe(false);
      expect(await store.pendingApprovals({ runId: waiting.runId })).toHaveLength(1);
      expect(watched.problems).toEqual([]);
    } finally {
      await watched.close();
    }
  });
});
