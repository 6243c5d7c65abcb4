/**
 * Finding and reading anything in the inspector, in headless Chromium: the search box finds a
 * message a rewind took off the path, and its hit opens the message whole with where it lives
 * (the timeline does not show it); a rewound tail in the fork tree opens its messages; markup in a
 * snippet is shown as text; titles name the sessions. Screenshots are taken at 1400 and 900 pixels wide.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SessionStore, type StoredMessage } from '../src/index.js';
import { mountInspector } from '../src/server/inspector/index.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { describeInBrowser, screenshotDirectory } from './fixtures/browser.js';

const POLL = { timeout: 10_000, interval: 50 };
const screenshots = screenshotDirectory('inspector-search');
let store: SessionStore;
let server: RunningServer;
let trip: StoredMessage[] = [];

beforeAll(async () => {
  store = SessionStore.memory();
  await store.create({ id: 'trip', userId: 'ana' });
  trip = await store.append('trip', [
    { role: 'user', content: 'Plan a weekend in Lisbon.' },
    { role: 'assistant', content: 'Take the tram to Belém on Saturday morning.' },
    { role: 'user', content: 'Actually, book the night train to Porto instead.' },
    { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'call-1', toolName: 'book_train', input: { to: 'Porto', night: true } }] },
  ]);
  await store.rewind('trip', { toMessage: trip[1]!.id });
  await store.append('trip', { role: 'user', content: 'Keep it in Lisbon after all.' });
  await store.create({ id: 'markup', userId: 'mallory', messages: [{ role: 'user', content: 'needle <img src=x onerror=alert(1)> <b>bold</b>' }] });
  server = await startServer({ store, port: 0, mount: mountInspector, logger: { error: () => {} } });
});

afterAll(async () => {
  await server?.close();
  await store?.close();
});

async function search(page: Page, query: string): Promise<void> {
  await page.fill('#search-input', query);
  await page.press('#search-input', 'Enter');
  await expect.poll(() => page.locator('#search-panel').isVisible(), POLL).toBe(true);
}

async function screenshot(page: Page, name: string): Promise<void> {
  const path = join(screenshots, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  expect(existsSync(path) && statSync(path).size > 0).toBe(true);
}

describeInBrowser('finding and reading anything in the inspector', (openPage) => {
  it('finds a rewound message by its text and opens it whole, saying where it lives', async () => {
    const { page } = await openPage(`${server.url}/`);
    await page.setViewportSize({ width: 1400, height: 900 });
    await search(page, 'night train porto');
    const hits = page.locator('#search-results .search-hit');
    await expect.poll(() => hits.count(), POLL).toBe(1);
    expect(await hits.first().locator('.snippet').textContent()).toBe('Actually, book the night train to Porto instead.');
    expect(await hits.first().locator('mark').allTextContents()).toEqual(['night', 'train', 'Porto']);
    await screenshot(page, 'search-results');

    await hits.first().click();
    await expect.poll(() => new URL(page.url()).hash, POLL).toBe(`#session=trip&message=${trip[2]!.id}`);
    const detail = page.locator('#message-detail');
    await expect.poll(() => detail.isVisible(), POLL).toBe(true);
    await expect.poll(() => detail.locator('.detail-placement').textContent(), POLL).toContain('Rewound off the path: it was message 3');
    expect(await detail.locator('.message-body').textContent()).toBe('Actually, book the night train to Porto instead.');
    // The timeline shows the path, which no longer holds it.
    expect(await page.locator('#timeline .message-body').allTextContents()).toEqual([
      'Plan a weekend in Lisbon.',
      'Take the tram to Belém on Saturday morning.',
      'Keep it in Lisbon after all.',
    ]);
    expect(await hits.first().getAttribute('aria-current')).toBe('true');
    await screenshot(page, 'rewound-message');

    await detail.locator('button', { hasText: 'Close' }).click();
    expect(await detail.isVisible()).toBe(false);
    expect(new URL(page.url()).hash).toBe('#session=trip');
  });

  it('opens a message on the path from its hit and marks it in the timeline', async () => {
    const { page } = await openPage(`${server.url}/`);
    await search(page, 'belem');
    await page.locator('#search-results .search-hit').first().click();
    await expect.poll(() => page.locator('#message-detail .detail-placement').textContent(), POLL).toBe('On the path: message 2');
    await expect.poll(() => page.locator('#timeline li.message.focused').getAttribute('data-message-id'), POLL).toBe(trip[1]!.id);
  });

  it('opens a rewound tail of the fork tree to its messages', async () => {
    const { page } = await openPage(`${server.url}/#session=trip`);
    const tail = page.locator('#branch-graph .node-tail');
    await expect.poll(() => tail.count(), POLL).toBe(1);
    await tail.click();
    const detail = page.locator('#message-detail');
    await expect.poll(() => detail.locator('li.detail-message').count(), POLL).toBe(2);
    expect(await detail.locator('.detail-placement').textContent()).toContain('2 messages off the path');
    expect(await detail.locator('.part-tool-call').textContent()).toContain('book_train');
  });

  it('shows markup in a snippet as text, and an empty search as the store\'s error', async () => {
    const { page } = await openPage(`${server.url}/`);
    await search(page, 'needle');
    const snippet = page.locator('#search-results .snippet');
    await expect.poll(() => snippet.textContent(), POLL).toBe('needle <img src=x onerror=alert(1)> <b>bold</b>');
    expect(await page.locator('#search-results img, #search-results b').count()).toBe(0);

    await search(page, '***');
    await expect.poll(() => page.locator('#error-code').textContent(), POLL).toBe('INVALID_ARGUMENT (400)');
  });

  it('shows titles in the session list, the header and the fork tree', async () => {
    const { page } = await openPage(`${server.url}/#session=trip`);
    const row = page.locator('#session-list li[data-session-id="trip"]');
    await expect.poll(() => row.locator('.session-name').textContent(), POLL).toBe('Plan a weekend in Lisbon.');
    expect(await page.locator('#session-list li[data-session-id="markup"] .session-name').textContent()).toBe('needle <img src=x onerror=alert(1)> <b>bold</b>');
    await expect.poll(() => page.locator('#session-header .session-name').textContent(), POLL).toBe('Plan a weekend in Lisbon.');
    expect(await page.locator('svg.fork-tree .node-current .node-name').textContent()).toBe('Plan a weekend in Lis\u2026');
    expect(await page.locator('svg.fork-tree .node-current title').textContent()).toBe('current: trip (Plan a weekend in Lisbon.)');
  });

  it('keeps the search box on one line at 900 pixels wide', async () => {
    const { page } = await openPage(`${server.url}/#session=trip&message=${trip[3]!.id}`);
    await page.setViewportSize({ width: 900, height: 900 });
    await search(page, 'lisbon');
    await expect.poll(() => page.locator('#search-results .search-hit').count(), POLL).toBe(2);
    const input = await page.locator('#search-input').boundingBox();
    const button = await page.locator('#search-submit').boundingBox();
    expect(Math.abs(input!.y - button!.y)).toBeLessThan(4);
    expect(button!.x).toBeGreaterThan(input!.x + input!.width - 1);
    expect(button!.height).toBeLessThan(40);
    await screenshot(page, 'search-900');
  });
});
