/**
 * The web inspector in a real browser: `startServer` with `mountInspector` over a SQLite store
 * filled through the library, and headless Chromium clicking through the page. Results of the
 * page's actions (forks, rewinds) are checked through the store, not through the page itself.
 * Every test also fails on an uncaught script error or a Content-Security-Policy violation.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionStore, type MessageInput, type StoredMessage } from '../src/index.js';
import { mountInspector } from '../src/server/inspector/index.js';
import { CONTENT_SECURITY_POLICY } from '../src/server/inspector/security-headers.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { describeInBrowser, type WatchedPage } from './fixtures/browser.js';
import { temporaryDirectory, writeTree } from './fixtures/workspace.js';

const TOKEN = 'a-token-of-sixteen-chars-or-more';
/** Polls of the page: generous for a loaded 2-core machine, still far below the test timeout. */
const POLL = { timeout: 10_000, interval: 50 };
const XSS_TEXT = '<img src=x onerror=alert(1)>';
const XSS_SCRIPT = '<script>alert(2)</script>';

const directory = temporaryDirectory('inspector');
const workspace = temporaryDirectory('inspector-workspace');
let store: SessionStore;
let server: RunningServer;

/** Ids the tests need to find their messages again. */
const seeded = {
  alphaQuestion: '',
  alphaRunEvents: 0,
  rootMessages: [] as StoredMessage[],
};

function conversation(count: number, prefix: string): MessageInput[] {
  return Array.from({ length: count }, (_, index) => ({ role: index % 2 === 0 ? 'user' : 'assistant', content: `${prefix} ${index + 1}` }) as MessageInput);
}

/**
 * The sessions every test reads. Oldest first: 55 sessions for dave (more than one page of the
 * list), then the named ones, so the named ones are on the list's first page.
 */
async function seed(target: SessionStore): Promise<void> {
  for (let index = 0; index < 55; index++) await target.create({ id: `dave-${String(index).padStart(2, '0')}`, userId: 'dave' });
  await target.create({ id: 'bob-notes', userId: 'bob', agentId: 'writer', tags: ['notes'], messages: conversation(1, 'note') });
  await target.create({ id: 'long', userId: 'carol', messages: conversation(130, 'message') });

  // A coding session: a file checkpoint at the question, then a recorded run answering it with a tool.
  await target.create({ id: 'alpha', userId: 'alice', agentId: 'coder', tags: ['demo'] });
  const [, question] = await target.append('alpha', [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Which files are here?' },
  ]);
  seeded.alphaQuestion = question!.id;
  writeTree(workspace, { 'a.txt': 'alpha', 'b.txt': 'beta' });
  await target.checkpoint('alpha', { workspace });
  const run = await target.startRun('alpha', { id: 'run-alpha', agentName: 'coder' });
  await target.append(
    'alpha',
    [
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'List the directory first.' },
          { type: 'text', text: 'Let me look.' },
          { type: 'tool-call', toolCallId: 'call-1', toolName: 'listFiles', input: { dir: '.' } },
        ],
      },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call-1', toolName: 'listFiles', output: { type: 'json', value: ['a.txt', 'b.txt'] } }] },
      { role: 'assistant', content: 'Two files: a.txt and b.txt.' },
    ],
    { runId: run.id },
  );
  const at = (offset: number) => run.startedAt + offset;
  const events = await target.recordRunEvents(run.id, [
    { type: 'run-start', at: at(0), data: { agent: 'coder', model: 'scripted' } },
    { type: 'step-start', at: at(120), data: { step: 1 } },
    { type: 'tool-call', at: at(450), data: { step: 1, toolCallId: 'call-1', toolName: 'listFiles', input: { dir: '.' } } },
    { type: 'tool-result', at: at(700), data: { step: 1, toolCallId: 'call-1', toolName: 'listFiles', output: { type: 'json', value: ['a.txt', 'b.txt'] } } },
    { type: 'text', at: at(1100), data: { step: 2, text: 'Two files: a.txt and b.txt.' } },
    { type: 'run-end', at: at(1250), data: { status: 'completed', steps: 2, usage: { inputTokens: 30, outputTokens: 12, totalTokens: 42 } } },
  ]);
  seeded.alphaRunEvents = events.length;
  await target.finishRun(run.id, { status: 'completed', usage: { inputTokens: 30, outputTokens: 12, totalTokens: 42 } });

  // A family for the fork tree: root -> middle -> (leaf-a, leaf-b), and a rewind of middle.
  await target.create({ id: 'root', userId: 'alice', messages: conversation(4, 'root') });
  seeded.rootMessages = await target.getMessages('root');
  await target.fork('root', { id: 'middle', fromMessage: seeded.rootMessages[2]!.id });
  const [middleFirst] = await target.append('middle', conversation(2, 'middle'));
  await target.fork('middle', { id: 'leaf-a' });
  await target.fork('middle', { id: 'leaf-b', fromMessage: middleFirst!.id });
  await target.rewind('middle', { toMessage: middleFirst!.id });

  await target.create({ id: 'forkable', userId: 'alice', messages: conversation(4, 'forkable') });
  await target.create({ id: 'rewindable', userId: 'alice', messages: conversation(5, 'rewindable') });
  await target.create({ id: 'expired-one', userId: 'alice', messages: conversation(2, 'old') });
  await target.expire('expired-one');

  // Markup in every place the page shows text from the store: content, tool names, tags, agent names, event data.
  await target.create({
    id: 'xss',
    userId: 'mallory',
    tags: ['<b>bold-tag</b>'],
    metadata: { note: '<iframe src=x>' },
    messages: [
      { role: 'user', content: XSS_TEXT },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: XSS_SCRIPT },
          { type: 'tool-call', toolCallId: '<i>id</i>', toolName: '<svg onload=alert(3)>', input: { html: '<img src=y onerror=alert(4)>' } },
        ],
      },
    ],
  });
  const xssRun = await target.startRun('xss', { id: 'run-xss', agentName: '<img src=z onerror=alert(5)>' });
  await target.recordRunEvents(xssRun.id, [{ type: '<b>type</b>', data: { html: '<img src=w onerror=alert(6)>' } }, { type: 'text', data: { text: XSS_TEXT } }]);
  await target.finishRun(xssRun.id, { status: 'failed', error: { message: '<img src=v onerror=alert(7)>' } });
}

beforeAll(async () => {
  store = SessionStore.sqlite(join(directory, 'inspector.db'));
  await seed(store);
  server = await startServer({ store, port: 0, mount: mountInspector, logger: { error: () => {} } });
});

afterAll(async () => {
  await server?.close();
  await store?.close();
  rmSync(directory, { recursive: true, force: true });
  rmSync(workspace, { recursive: true, force: true });
});

describe('the inspector over HTTP', () => {
  it('serves the page, script and stylesheet with a strict policy, and nothing else', async () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    const assets = { '/': 'text/html; charset=utf-8', '/inspector.js': 'text/javascript; charset=utf-8', '/inspector.css': 'text/css; charset=utf-8' };
    for (const [path, contentType] of Object.entries(assets)) {
      const response = await fetch(server.url + path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(contentType);
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
    // Nothing inline for the policy to refuse: scripts and styles come from the two files only.
    const html = await (await fetch(server.url + '/')).text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/i);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    // The page calls the API through fetch with a header; it has no other way in.
    expect((await fetch(`${server.url}/favicon.ico`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/nothing`)).status).toBe(404);
  });
});

describeInBrowser('the inspector in a browser', (openWatched) => {
  let watched: WatchedPage | undefined;

  /** A new tab on the inspector at `hash` (e.g. `#session=alpha`). */
  async function open(hash = '', base = server.url): Promise<Page> {
    watched = await openWatched(`${base}/${hash}`);
    return watched.page;
  }

  const sessionRows = (page: Page) => page.locator('#session-list li[data-session-id]');
  const rowIds = (page: Page) => sessionRows(page).evaluateAll((rows) => rows.map((row) => (row as unknown as { dataset: { sessionId: string } }).dataset.sessionId));
  const messageItems = (page: Page) => page.locator('#timeline li.message');
  const messageItem = (page: Page, id: string) => page.locator(`#timeline li.message[data-message-id="${id}"]`);
  const openedSession = (page: Page) => page.locator('#session-header h2').textContent();
  const hashOf = (page: Page) => new URL(page.url()).hash;

  it('lists sessions newest updated first, narrows them by user and state, and loads more with the cursor', async () => {
    const page = await open();
    const expected = (await store.list({ orderBy: 'updatedAt', order: 'desc', limit: 50 })).sessions.map((session) => session.id);
    await expect.poll(() => rowIds(page), POLL).toEqual(expected);
    const alphaRow = page.locator('#session-list li[data-session-id="alpha"]');
    expect(await alphaRow.textContent()).toContain('alice');
    expect(await alphaRow.textContent()).toContain('5 msgs');
    expect(await alphaRow.locator('.tag').allTextContents()).toEqual(['demo']);
    expect(await page.locator('#load-more').isVisible()).toBe(true);

    await page.fill('#filter-user', 'bob');
    await page.press('#filter-user', 'Enter');
    await expect.poll(() => rowIds(page), POLL).toEqual(['bob-notes']);
    expect(await page.locator('#load-more').isVisible()).toBe(false);

    await page.fill('#filter-user', '');
    await page.selectOption('#filter-state', 'expired');
    await expect.poll(() => rowIds(page), POLL).toEqual(['expired-one']);

    await page.click('#filter-clear');
    await page.fill('#filter-user', 'dave');
    await page.click('#filter-apply');
    await expect.poll(async () => (await rowIds(page)).length, POLL).toBe(50);
    await page.click('#load-more');
    await expect.poll(async () => (await rowIds(page)).length, POLL).toBe(55);
    expect(await page.locator('#load-more').isVisible()).toBe(false);

    // A row opens its session.
    await page.fill('#filter-user', '');
    await page.click('#filter-apply');
    await page.click('#session-list li[data-session-id="bob-notes"] button');
    await expect.poll(() => openedSession(page), POLL).toBe('bob-notes');
    expect(hashOf(page)).toBe('#session=bob-notes');
  });

  it('shows a session’s messages in order: text, reasoning, tool calls and results, run badges and the checkpoint marker', async () => {
    const page = await open('#session=alpha');
    await expect.poll(() => messageItems(page).count(), POLL).toBe(5);
    const stored = await store.getMessages('alpha');
    expect(await messageItems(page).evaluateAll((items) => items.map((item) => (item as unknown as { dataset: { messageId: string } }).dataset.messageId))).toEqual(
      stored.map((message) => message.id),
    );
    expect(await messageItems(page).locator('.role').allTextContents()).toEqual(['system', 'user', 'assistant', 'tool', 'assistant']);

    const call = messageItems(page).nth(2);
    expect(await call.locator('.part-reasoning').textContent()).toContain('List the directory first.');
    expect(await call.locator('.part-tool-call .tool-name').textContent()).toBe('listFiles');
    expect(JSON.parse((await call.locator('.part-tool-call pre').textContent())!)).toEqual({ dir: '.' });
    const result = messageItems(page).nth(3);
    expect(await result.locator('.part-tool-result .tool-name').textContent()).toBe('listFiles');
    expect(JSON.parse((await result.locator('.part-tool-result pre').textContent())!)).toEqual(['a.txt', 'b.txt']);

    // The checkpoint was taken at the question: exactly that message carries the marker.
    expect(await page.locator('#timeline .checkpoint-marker').count()).toBe(1);
    expect(await messageItem(page, seeded.alphaQuestion).locator('.checkpoint-marker').count()).toBe(1);
    // The run's messages carry its badge; the ones written before it do not.
    expect(await messageItems(page).locator('.run-badge').count()).toBe(3);
    expect(await messageItems(page).nth(4).locator('.head-marker').count()).toBe(1);
    expect(await page.locator('#load-older').isVisible()).toBe(false);

    // A run badge opens the run that wrote the message.
    await messageItems(page).nth(4).locator('.run-badge').click();
    await expect.poll(() => page.locator('#run-list .run-row.selected').count(), POLL).toBe(1);
    expect(await page.locator('#run-list li:has(.run-row.selected)').getAttribute('data-run-id')).toBe('run-alpha');
    await expect.poll(() => page.locator('#run-events li.run-event').count(), POLL).toBe(seeded.alphaRunEvents);
  });

  it('opens a long session on its newest page and loads older messages', async () => {
    const page = await open('#session=long');
    await expect.poll(() => messageItems(page).count(), POLL).toBe(100);
    expect(await messageItems(page).first().locator('.message-body').textContent()).toBe('message 31');
    expect(await messageItems(page).last().locator('.message-body').textContent()).toBe('message 130');
    await page.click('#load-older');
    await expect.poll(() => messageItems(page).count(), POLL).toBe(130);
    expect(await messageItems(page).first().locator('.message-body').textContent()).toBe('message 1');
    expect(await page.locator('#load-older').isVisible()).toBe(false);
  });

  it('draws the fork tree: a node per ancestor, fork and rewound tail, each naming its fork point; a node opens its session', async () => {
    const page = await open('#session=middle');
    const nodes = page.locator('svg.fork-tree .graph-node');
    await expect.poll(() => nodes.count(), POLL).toBe(5);
    const sessionNodes = await page.locator('svg.fork-tree .graph-node[data-session-id]').evaluateAll((found) => found.map((node) => node.getAttribute('data-session-id')));
    expect(sessionNodes.sort()).toEqual(['leaf-a', 'leaf-b', 'middle', 'root']);
    expect(await page.locator('svg.fork-tree .node-current').getAttribute('data-session-id')).toBe('middle');
    expect(await page.locator('svg.fork-tree .node-parent').getAttribute('data-session-id')).toBe('root');
    expect(await page.locator('svg.fork-tree .node-fork').count()).toBe(2);
    expect(await page.locator('svg.fork-tree .node-tail').count()).toBe(1);
    expect(await page.locator('svg.fork-tree .node-tail').textContent()).toContain('1 msg off the path');

    // Each node names the message its branch starts at (its third line; the full id in data-fork-point).
    const middle = await store.get('middle');
    const middleMessages = await store.getMessages('middle');
    const forkPoints = await page.locator('svg.fork-tree .graph-node:not(.node-parent)').evaluateAll((found) => found.map((node) => node.getAttribute('data-fork-point')));
    expect(forkPoints.sort()).toEqual(
      [
        middle!.forkedFrom!.messageId,
        (await store.get('leaf-a'))!.forkedFrom!.messageId, // middle's head before its rewind
        (await store.get('leaf-b'))!.forkedFrom!.messageId,
        middleMessages[3]!.id, // the rewound tail follows middle's head now
      ].sort(),
    );
    expect(middle!.forkedFrom!.messageId).toBe(seeded.rootMessages[2]!.id);

    await page.locator('svg.fork-tree .graph-node[data-session-id="leaf-a"]').click();
    await expect.poll(() => openedSession(page), POLL).toBe('leaf-a');
    expect(hashOf(page)).toBe('#session=leaf-a');
    await expect.poll(() => page.locator('svg.fork-tree .node-current').getAttribute('data-session-id'), POLL).toBe('leaf-a');
  });

  it('forks from a message and opens the fork, which ends at that message', async () => {
    const page = await open('#session=forkable');
    const messages = await store.getMessages('forkable');
    const forkPoint = messages[1]!;
    await messageItem(page, forkPoint.id).getByRole('button', { name: 'Fork from here' }).click();
    await expect.poll(() => hashOf(page), POLL).not.toBe('#session=forkable');
    const forkId = decodeURIComponent(hashOf(page).slice('#session='.length));
    await expect.poll(() => openedSession(page), POLL).toBe(forkId);

    const fork = await store.get(forkId);
    expect(fork).toMatchObject({ parentId: 'forkable', messageCount: 2, forkedFrom: { sessionId: 'forkable', messageId: forkPoint.id } });
    expect((await store.getMessages(forkId)).map((message) => message.id)).toEqual([messages[0]!.id, forkPoint.id]);
    await expect.poll(() => messageItems(page).count(), POLL).toBe(2);
    expect(await page.locator('#notice-message').textContent()).toContain(forkId);
    expect((await store.get('forkable'))!.messageCount).toBe(4);
  });

  it('downloads a session\'s export, which imports into another store with the same history', async () => {
    const page = await open('#session=alpha');
    await expect.poll(() => openedSession(page), POLL).toBe('alpha');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#session-header').getByRole('button', { name: 'Export' }).click()]);
    expect(download.suggestedFilename()).toBe('alpha.jsonl');
    const text = readFileSync((await download.path())!, 'utf8');
    const target = SessionStore.memory();
    expect(await target.import(text)).toMatchObject({ sessions: { imported: 1, existing: 0 }, runs: 1, checkpoints: 1 });
    expect(await target.getMessages('alpha')).toEqual(await store.getMessages('alpha'));
    await target.close();
    await expect.poll(() => page.locator('#notice-message').textContent(), POLL).toContain('Exported alpha');
  });

  it('rewinds to a message after a dry run confirmed in the page', async () => {
    const page = await open('#session=rewindable');
    const messages = await store.getMessages('rewindable');
    const target = messages[2]!;
    await expect.poll(() => messageItems(page).count(), POLL).toBe(5);
    await messageItem(page, target.id).getByRole('button', { name: 'Rewind to here' }).click();

    const confirmation = messageItem(page, target.id).locator('.rewind-confirm');
    expect(await confirmation.textContent()).toContain('2 messages after it will leave');
    // The dry run changed nothing.
    expect((await store.get('rewindable'))!.messageCount).toBe(5);

    await confirmation.getByRole('button', { name: 'Rewind 2 messages' }).click();
    await expect.poll(() => messageItems(page).count(), POLL).toBe(3);
    expect((await store.get('rewindable'))!.messageCount).toBe(3);
    expect((await store.getMessages('rewindable')).at(-1)!.id).toBe(target.id);
    // What left the path is a rewound tail in the tree now.
    await expect.poll(() => page.locator('svg.fork-tree .node-tail').count(), POLL).toBe(1);
    expect(await page.locator('#notice-message').textContent()).toContain('2 messages left the path');
  });

  it('cancels a rewind without changing the session', async () => {
    const page = await open('#session=root');
    const first = seeded.rootMessages[0]!;
    await messageItem(page, first.id).getByRole('button', { name: 'Rewind to here' }).click();
    await messageItem(page, first.id).locator('.rewind-confirm').getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.locator('.rewind-confirm').count(), POLL).toBe(0);
    expect((await store.get('root'))!.messageCount).toBe(4);
  });

  it('lists a run’s events in order with offsets from its start, and replays them one by one', async () => {
    const page = await open('#session=alpha');
    const runRow = page.locator('#run-list li[data-run-id="run-alpha"] button');
    expect(await runRow.textContent()).toContain('completed');
    expect(await runRow.textContent()).toContain('42 tokens');
    expect(await runRow.locator('.run-duration').textContent()).not.toBe('');
    await runRow.click();

    const events = page.locator('#run-events li.run-event');
    await expect.poll(() => events.count(), POLL).toBe(seeded.alphaRunEvents);
    expect(await events.evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-seq'))))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await events.locator('.event-offset').allTextContents()).toEqual(['+0.000s', '+0.120s', '+0.450s', '+0.700s', '+1.100s', '+1.250s']);
    expect(await events.locator('.event-type').allTextContents()).toEqual(['run-start', 'step-start', 'tool-call', 'tool-result', 'text', 'run-end']);
    expect(await events.nth(2).locator('.event-summary').textContent()).toBe('listFiles {"dir":"."}');

    // Record, in the page, each event as it becomes the highlighted one.
    await page.evaluate(`(() => {
      window.highlighted = [];
      new MutationObserver((records) => {
        for (const record of records) {
          const wasCurrent = (record.oldValue || '').split(' ').includes('replay-current');
          if (!wasCurrent && record.target.classList.contains('replay-current')) window.highlighted.push(Number(record.target.dataset.seq));
        }
      }).observe(document.getElementById('run-events'), { subtree: true, attributes: true, attributeFilter: ['class'], attributeOldValue: true });
    })()`);
    await page.click('#replay');
    // The run lasted 1.25 s, so the replay takes about as long (replays are capped at a few seconds).
    await expect.poll(() => page.locator('#replay-status').textContent(), POLL).toContain('Replay finished');
    expect(await page.evaluate('window.highlighted')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await page.locator('#run-events li.run-event.replayed').count()).toBe(6);
    expect(await page.locator('#run-events li.replay-current').count()).toBe(0);
  });

  it('shows markup from the store as text: no element is injected and no dialog opens', async () => {
    const page = await open('#session=xss');
    await expect.poll(() => messageItems(page).count(), POLL).toBe(2);
    expect(await messageItems(page).nth(0).locator('.message-body').textContent()).toBe(XSS_TEXT);
    expect(await messageItems(page).nth(1).locator('.part-text').textContent()).toBe(XSS_SCRIPT);
    expect(await messageItems(page).nth(1).locator('.tool-name').textContent()).toBe('<svg onload=alert(3)>');
    expect(await page.locator('#session-header .tag').textContent()).toBe('<b>bold-tag</b>');
    await page.click('#run-list li[data-run-id="run-xss"] button');
    await expect.poll(() => page.locator('#run-events li.run-event').count(), POLL).toBe(2);
    expect(await page.locator('#run-events .event-type').first().textContent()).toBe('<b>type</b>');
    expect(await page.locator('#run-summary').textContent()).toContain('<img src=v onerror=alert(7)>');

    // Only the page's own elements: no img, iframe, b, i or svg but the fork tree, one script.
    expect(await page.locator('img, iframe, b, i').count()).toBe(0);
    expect(await page.locator('svg').count()).toBe(1);
    expect(await page.locator('svg.fork-tree').count()).toBe(1);
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('[onerror], [onload]').count()).toBe(0);
    expect(watched!.dialogs).toEqual([]);
  });

  it('asks for the token on a 401, keeps it out of URLs, and loads the list with it', async () => {
    const guarded = await startServer({ store, port: 0, mount: mountInspector, tokens: [{ token: TOKEN }], logger: { error: () => {} } });
    try {
      const page = await open('#session=alpha', guarded.url);
      await page.locator('#token-prompt').waitFor({ state: 'visible' });
      expect(await page.locator('#token-reason').textContent()).toBe('This server needs an access token.');
      expect(await sessionRows(page).count()).toBe(0);
      expect(await page.locator('#error-banner').isVisible()).toBe(false);

      await page.fill('#token-input', 'a-wrong-token-of-sixteen-chars');
      await page.click('#token-submit');
      await expect.poll(() => page.locator('#token-reason').textContent(), POLL).toBe('The server refused that token; enter another.');
      await page.locator('#token-prompt').waitFor({ state: 'visible' });

      const authorizations: string[] = [];
      page.on('request', (request) => {
        if (request.url().includes('/api/')) authorizations.push(request.headers().authorization ?? '');
      });
      await page.fill('#token-input', TOKEN);
      await page.press('#token-input', 'Enter');
      await expect.poll(async () => (await rowIds(page)).includes('alpha'), POLL).toBe(true);
      await expect.poll(() => messageItems(page).count(), POLL).toBe(5);
      expect(await page.locator('#token-prompt').isVisible()).toBe(false);
      expect(authorizations.length).toBeGreaterThan(0);
      expect(new Set(authorizations)).toEqual(new Set([`Bearer ${TOKEN}`]));
      expect(await page.evaluate('sessionStorage.getItem("sessionloom.inspector.token")')).toBe(TOKEN);
      expect(watched!.requests.filter((url) => url.includes(TOKEN) || url.includes('sixteen'))).toEqual([]);

      // Forgetting it asks again.
      await page.click('#forget-token');
      await page.locator('#token-prompt').waitFor({ state: 'visible' });
    } finally {
      await guarded.close();
    }
  });

  it('shows API errors in a banner: a fork of an expired session (410) and an unknown session (404)', async () => {
    const page = await open('#session=expired-one');
    const [first] = await store.getMessages('expired-one');
    await messageItem(page, first!.id).getByRole('button', { name: 'Fork from here' }).click();
    await page.locator('#error-banner').waitFor({ state: 'visible' });
    expect(await page.locator('#error-code').textContent()).toBe('SESSION_EXPIRED (410)');
    expect(await page.locator('#error-message').textContent()).not.toBe('');
    expect(hashOf(page)).toBe('#session=expired-one');
    expect((await store.list({ parentId: 'expired-one' })).sessions).toEqual([]);

    await page.click('#error-dismiss');
    expect(await page.locator('#error-banner').isVisible()).toBe(false);
    await page.goto(`${server.url}/#session=no-such-session`);
    await page.locator('#error-banner').waitFor({ state: 'visible' });
    expect(await page.locator('#error-code').textContent()).toBe('SESSION_NOT_FOUND (404)');
  });
});
