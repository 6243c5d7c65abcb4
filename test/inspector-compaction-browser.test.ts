/**
 * The inspector marks a compaction boundary in a real browser (headless Chromium): the summary
 * carries a `compaction` marker, and expanding it shows the messages the compaction replaced, read
 * from the session's history; the timeline offers nothing older than the summary.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SessionStore, type StoredMessage } from '../src/index.js';
import { mountInspector } from '../src/server/inspector/index.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { describeInBrowser } from './fixtures/browser.js';

const POLL = { timeout: 10_000, interval: 50 };
let store: SessionStore;
let server: RunningServer;
let originals: StoredMessage[] = [];

beforeAll(async () => {
  store = SessionStore.memory();
  await store.create({ id: 'compacted', userId: 'erin' });
  originals = await store.append('compacted', Array.from({ length: 8 }, (_, index) => ({ role: 'user' as const, content: `turn ${index + 1}` })));
  await store.compact('compacted', { summary: 'Eight turns of counting.', keep: { lastMessages: 2 } });
  await store.append('compacted', { role: 'user', content: 'after the compaction' });
  server = await startServer({ store, port: 0, mount: mountInspector, logger: { error: () => {} } });
});

afterAll(async () => {
  await server?.close();
  await store?.close();
});

describeInBrowser('a compaction in the inspector', (openPage) => {
  const open = async (hash: string): Promise<Page> => (await openPage(`${server.url}/${hash}`)).page;

  it('marks the compaction and expands it to the messages it replaced', async () => {
    const page = await open('#session=compacted');
    const items = page.locator('#timeline li.message');
    await expect.poll(() => items.count(), POLL).toBe(4);
    expect(await items.locator('.message-body').allTextContents()).toEqual([
      expect.stringContaining('Eight turns of counting.'),
      'turn 7',
      'turn 8',
      'after the compaction',
    ]);
    expect(await page.locator('#timeline .compaction-marker').count()).toBe(1);
    expect(await items.first().locator('.compaction-marker').count()).toBe(1);
    expect(await page.locator('#load-older').isVisible()).toBe(false);

    const replaced = items.first().locator('.replaced-messages li.replaced-message');
    expect(await replaced.count()).toBe(0);
    await items.first().locator('.compaction-details summary').click();
    await expect.poll(() => replaced.count(), POLL).toBe(6);
    expect(await replaced.locator('.message-body').allTextContents()).toEqual(originals.slice(0, 6).map((message) => String(message.content)));
    expect(await replaced.evaluateAll((nodes) => nodes.map((node) => (node as unknown as { dataset: { messageId: string } }).dataset.messageId))).toEqual(
      originals.slice(0, 6).map((message) => message.id),
    );
  });
});
