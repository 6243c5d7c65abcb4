/**
 * The inspector follows runs live, in headless Chromium: the message box continues the open session
 * with one of the server's agents; the run it starts shows its events and its text as they are
 * recorded; Cancel stops it (the store then reads it cancelled). A run started by another process
 * is followed the same way once selected. No script error, no CSP violation.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, Runner, ScriptedLanguageModel, SessionStore } from '../src/index.js';
import { mountInspector } from '../src/server/inspector/index.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { chromiumAvailable, chromiumMissingMessage, launchChromium, openWatchedPage, warnChromiumMissing } from './fixtures/browser.js';

const inCi = process.env.CI === 'true';
const POLL = { timeout: 20_000, interval: 50 };
const answer = Array.from({ length: 300 }, (_, index) => `word${index}`).join(' ');
const typist = () => new Agent({ name: 'typist', model: new ScriptedLanguageModel({ fallback: { text: answer }, chunkDelayMs: 20 }) });

let browser: Browser;
let server: RunningServer;
let store: SessionStore;

if (!chromiumAvailable && inCi) throw new Error(`CI=true: ${chromiumMissingMessage}`);
if (!chromiumAvailable) warnChromiumMissing();

describe.skipIf(!chromiumAvailable)('the inspector, live', () => {
  beforeAll(async () => {
    store = SessionStore.memory();
    server = await startServer({ store, port: 0, logger: { error: () => {} }, agents: { typist: typist() }, mount: mountInspector });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await store?.close();
  });

  it('continues a session with an agent, shows the run\'s text as it is written, and cancels it', async () => {
    await store.create({ id: 'live-chat', messages: [{ role: 'user', content: 'Hello' }] });
    const watched = await openWatchedPage(browser);
    const { page } = watched;
    try {
      await page.goto(`${server.url}/#session=live-chat`);
      await expect.poll(() => page.locator('#continue-form').isVisible(), POLL).toBe(true);
      expect(await page.locator('#continue-agent option').allTextContents()).toEqual(['typist (scripted)']);
      await page.locator('#continue-input').fill('Tell me everything');
      await page.locator('#continue-send').click();

      const liveText = async () => (await page.locator('#live-text').textContent()) ?? '';
      await expect.poll(async () => (await liveText()).length, POLL).toBeGreaterThan(30);
      const earlier = (await liveText()).length;
      await expect.poll(async () => (await liveText()).length, POLL).toBeGreaterThan(earlier);
      expect(answer.startsWith(await liveText())).toBe(true);
      expect(await page.locator('#run-events li.event-text-delta').count()).toBeGreaterThan(0);
      const [run] = await store.runs('live-chat');
      expect(run?.status).toBe('running');

      await page.locator('#run-cancel').click();
      await expect.poll(async () => (await store.getRun(run!.id))?.status, POLL).toBe('cancelled');
      await expect.poll(() => page.locator('#run-summary').textContent(), POLL).toContain('cancelled');
      expect(await page.locator('#run-cancel').isVisible()).toBe(false);
      expect((await store.getMessages('live-chat')).map((message) => message.content)).toEqual(['Hello', 'Tell me everything']);
      expect(watched.problems).toEqual([]);
    } finally {
      await watched.close();
    }
  });

  it('follows a run started elsewhere once it is selected, to its end', async () => {
    await store.create({ id: 'elsewhere', messages: [{ role: 'user', content: 'Hi' }] });
    const stream = Runner.stream(typist(), { session: { store, resume: 'elsewhere' } });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    await iterator.return?.();
    const runId = (first.value as { runId: string }).runId;
    const watched = await openWatchedPage(browser);
    const { page } = watched;
    try {
      await page.goto(`${server.url}/#session=elsewhere`);
      await page.locator(`#run-list li[data-run-id="${runId}"] button`).click();
      await expect.poll(async () => ((await page.locator('#live-text').textContent()) ?? '').length, POLL).toBeGreaterThan(0);
      await stream.result;
      await expect.poll(() => page.locator('#live-text').textContent(), POLL).toBe(answer);
      await expect.poll(() => page.locator('#run-summary').textContent(), POLL).toContain('completed');
      // The session's new message shows once the run has ended.
      await expect.poll(() => page.locator('#timeline li.message').count(), POLL).toBe(2);
      const events = await store.runEvents(runId);
      expect(await page.locator('#run-events li').count()).toBe(events.length);
      expect(watched.problems).toEqual([]);
    } finally {
      await watched.close();
    }
  });
});
