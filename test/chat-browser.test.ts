/**
 * The chat route in a real browser (headless Chromium): a page built on the AI SDK's own chat client
 * sends a message, is reloaded mid-answer, reattaches to the answer in progress (`resumeStream`, as
 * `useChat({ resume: true })` does) and shows it whole; the stored session holds it exactly once.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, ScriptedLanguageModel, SessionStore } from '../src/index.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { chromiumAvailable, chromiumMissingMessage, launchChromium, openWatchedPage, warnChromiumMissing } from './fixtures/browser.js';
import { CHAT_PAGE, chatClientBundle } from './fixtures/chat-page.js';

const inCi = process.env.CI === 'true';
const POLL = { timeout: 20_000, interval: 50 };
const answer = Array.from({ length: 150 }, (_, index) => `word${index}`).join(' ');

let browser: Browser;
let server: RunningServer;
let store: SessionStore;

if (!chromiumAvailable && inCi) throw new Error(`CI=true: ${chromiumMissingMessage}`);
if (!chromiumAvailable) warnChromiumMissing();

describe.skipIf(!chromiumAvailable)('chat in the browser: reload mid-answer', () => {
  beforeAll(async () => {
    const bundle = await chatClientBundle();
    store = SessionStore.memory();
    server = await startServer({
      store,
      port: 0,
      logger: { error: () => {} },
      agents: { typist: new Agent({ name: 'typist', model: new ScriptedLanguageModel({ fallback: { text: answer }, chunkDelayMs: 20 }) }) },
      mount: (app) => {
        app.get('/chat', (c) => c.html(CHAT_PAGE));
        app.get('/chat-client.js', (c) => c.body(bundle, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }));
      },
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await store?.close();
  });

  it('continues the answer where it was after a reload, and the session holds it exactly once', async () => {
    const watched = await openWatchedPage(browser);
    const { page } = watched;
    try {
      await page.goto(`${server.url}/chat?chat=browser-chat`);
      const ready = () => page.locator('body').getAttribute('data-ready');
      await expect.poll(ready, POLL).toBe('yes');
      // Not awaited in the page: sendMessage resolves only once the answer is complete.
      await page.evaluate('void window.sendChat("Tell me a long story")');
      const assistant = page.locator('li[data-role="assistant"]');
      const assistantText = async () => ((await assistant.count()) === 0 ? '' : ((await assistant.first().textContent()) ?? ''));
      await expect.poll(async () => (await assistantText()).length, POLL).toBeGreaterThan(40);
      const before = await assistantText();
      expect(before.length).toBeLessThan(answer.length);

      await page.reload();
      await expect.poll(ready, POLL).toBe('yes');
      await expect.poll(assistantText, POLL).toBe(answer);
      const items = page.locator('li');
      expect(await items.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-role')))).toEqual(['user', 'assistant']);
      expect(await items.allTextContents()).toEqual(['Tell me a long story', answer]);
      const stored = await store.getMessages('browser-chat');
      expect(stored.map((message) => message.role)).toEqual(['user', 'assistant']);
      expect(JSON.stringify(stored[1]?.content)).toContain(answer);
      const runs = await store.runs('browser-chat');
      expect(runs.map((run) => run.status)).toEqual(['completed']);
      expect(watched.problems).toEqual([]);
    } finally {
      await watched.close();
    }
  });
});
