/**
 * The inspector as a workbench, in headless Chromium: the fork tree fits its panel (scaled to fit,
 * zoomed, panned, centred on the open session) and opens rewound tails and compactions; two sessions
 * compare side by side from their fork point; the run panel shows each run's id, input and duration;
 * the session list filters by the start of a title; and the layout holds (no button on a line of its
 * own or wrapped, no text over a graph line, event chips whole, no "Rewind to here" on the head) at
 * 1400 and 900 pixels wide. Asserted from the page's boxes and styles; screenshots are taken too
 * (SESSIONLOOM_SCREENSHOTS keeps them).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SessionStore, type MessageInput, type StoredMessage } from '../src/index.js';
import { mountInspector } from '../src/server/inspector/index.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { describeInBrowser, screenshotDirectory } from './fixtures/browser.js';

const POLL = { timeout: 10_000, interval: 50 };
const screenshots = screenshotDirectory('inspector-workbench');
const CHAIN_LENGTH = 7;
let store: SessionStore;
let server: RunningServer;
let compacted: StoredMessage[] = [];
const runInputs = { recent: '', early: '' };

function turns(prefix: string, count: number): MessageInput[] {
  return Array.from({ length: count }, (_, index) => ({ role: index % 2 === 0 ? 'user' : 'assistant', content: `${prefix} ${index + 1}` }) as MessageInput);
}

/** A run answering `input`, with the events a runner records (run-start names its input). */
async function recordedRun(target: SessionStore, sessionId: string, id: string, input: string): Promise<void> {
  const run = await target.startRun(sessionId, { id, agentName: 'planner' });
  const [question] = await target.append(sessionId, [{ role: 'user', content: input }, { role: 'assistant', content: `Answer to: ${input}` }], { runId: run.id });
  await target.recordRunEvents(run.id, [
    { type: 'run-start', data: { agent: 'planner', inputMessageIds: [question!.id] } },
    { type: 'tool-call-streaming-start', data: { toolName: 'find_a_rather_long_named_tool_for_flights', input: { to: 'LIS' } } },
    { type: 'text', data: { text: `Answer to: ${input} `.repeat(12) } },
    { type: 'run-end', data: { status: 'completed' } },
  ]);
  await target.finishRun(run.id, { status: 'completed', usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 } });
}

beforeAll(async () => {
  store = SessionStore.memory();
  // Two sessions that share their first two messages.
  const plan = await store.create({ id: 'plan', userId: 'ana', title: 'Plan the Lisbon trip', messages: turns('plan', 2) });
  const [shared] = await store.getMessages(plan.id, { last: 1 });
  await store.append('plan', turns('lisbon', 2));
  await store.fork('plan', { id: 'plan-b', fromMessage: shared!.id, title: 'Plan B: Porto' });
  await store.append('plan-b', turns('porto', 3));
  // A sibling of plan-b, forked one message later: the two share plan's first two messages.
  const [, , third] = await store.getMessages('plan');
  await store.fork('plan', { id: 'plan-c', fromMessage: third!.id, title: 'Plan C: Sintra' });
  await store.append('plan-c', turns('sintra', 1));

  // A chain of forks, wider than any panel: the open end is chain-6.
  await store.create({ id: 'chain-0', userId: 'ana', title: 'Chain link 0', messages: turns('link 0', 1) });
  for (let index = 1; index < CHAIN_LENGTH; index++) {
    await store.fork(`chain-${index - 1}`, { id: `chain-${index}`, title: `Chain link ${index}` });
    await store.append(`chain-${index}`, turns(`link ${index}`, 1));
  }

  // A compaction and a rewound tail on one session.
  await store.create({ id: 'compacted', userId: 'ana', title: 'Counting' });
  compacted = await store.append('compacted', turns('turn', 8));
  await store.compact('compacted', { summary: 'Eight turns of counting.', keep: { lastMessages: 2 } });
  const after = await store.append('compacted', turns('after', 3));
  await store.rewind('compacted', { toMessage: after[0]!.id });

  // Runs: one whose input is on the timeline's page, one whose input is older than that page.
  await store.create({ id: 'runs', userId: 'ana', title: 'Runs' });
  runInputs.early = 'Find the earliest flight to Lisbon';
  await recordedRun(store, 'runs', 'run-early', runInputs.early);
  await store.append('runs', turns('filler', 110));
  runInputs.recent = 'Now book a hotel near the river, somewhere quiet with a view of the bridge and the old town';
  await recordedRun(store, 'runs', 'run-recent', runInputs.recent);

  // A run whose first event names an input message that is not there (a log from elsewhere).
  await store.create({ id: 'lost-input', userId: 'ana', title: 'Lost input' });
  const lost = await store.startRun('lost-input', { id: 'run-lost' });
  await store.recordRunEvents(lost.id, [{ type: 'run-start', data: { inputMessageIds: ['msg_not_stored'] } }]);
  await store.finishRun(lost.id, { status: 'failed', error: { message: 'lost' } });

  server = await startServer({ store, port: 0, mount: mountInspector, logger: { error: () => {} } });
});

afterAll(async () => {
  await server?.close();
  await store?.close();
});

async function screenshot(page: Page, name: string): Promise<void> {
  const path = join(screenshots, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  expect(existsSync(path) && statSync(path).size > 0).toBe(true);
}

/** The little of the DOM the page-side checks use (this project's TypeScript has no DOM library). */
/* eslint-disable @typescript-eslint/no-explicit-any */
type BrowserElement = any;
type BrowserGlobals = { document: any; getComputedStyle: (element: BrowserElement) => any };

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

async function box(locator: Locator): Promise<Box> {
  const found = await locator.boundingBox();
  if (found === null) throw new Error('not visible');
  return found;
}

const inside = (inner: Box, outer: Box, slack = 0.5): boolean =>
  inner.x >= outer.x - slack && inner.y >= outer.y - slack && inner.x + inner.width <= outer.x + outer.width + slack && inner.y + inner.height <= outer.y + outer.height + slack;

const overlaps = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function openGraph(page: Page, sessionId: string, nodes: number): Promise<void> {
  await expect.poll(() => page.locator('svg.fork-tree .node-current').getAttribute('data-session-id'), POLL).toBe(sessionId);
  await expect.poll(() => page.locator('svg.fork-tree .graph-node').count(), POLL).toBe(nodes);
}

/** Every node's text inside its box, and no text over an edge. */
async function expectNoTextOverLines(page: Page): Promise<void> {
  const problems = await page.locator('svg.fork-tree').evaluate((graph) => {
    const found: string[] = [];
    const rectOf = (element: BrowserElement) => element.getBoundingClientRect();
    const edges = [...graph.querySelectorAll('.graph-edge')].map(rectOf);
    for (const node of graph.querySelectorAll('.graph-node')) {
      const frame = rectOf(node.querySelector('rect')!);
      for (const text of node.querySelectorAll('text')) {
        const area = rectOf(text);
        if (area.left < frame.left || area.right > frame.right || area.top < frame.top || area.bottom > frame.bottom) found.push(`"${text.textContent}" leaves its node`);
        for (const edge of edges) {
          if (area.left < edge.right && edge.left < area.right && area.top < edge.bottom && edge.top < area.bottom) found.push(`"${text.textContent}" is over a line`);
        }
      }
    }
    return found;
  });
  expect(problems).toEqual([]);
  expect(await page.locator('svg.fork-tree .edge-label').count()).toBe(0);
}

/** Buttons whose label takes more than one line, and buttons on a line of their own in a header of several items. */
async function buttonLayoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const { document, getComputedStyle } = globalThis as unknown as BrowserGlobals;
    const found: string[] = [];
    const visible = (element: BrowserElement) => element.getClientRects().length > 0;
    for (const button of document.querySelectorAll('button')) {
      if (!visible(button) || button.matches('.session-row, .run-row, .search-hit')) continue;
      const range = document.createRange();
      range.selectNodeContents(button);
      const lines = new Set([...range.getClientRects()].filter((rect) => rect.width > 0).map((rect) => Math.round(rect.top)));
      if (lines.size > 1) found.push(`button "${button.textContent}" wraps onto ${lines.size} lines`);
      if (getComputedStyle(button).whiteSpace !== 'nowrap') found.push(`button "${button.textContent}" may wrap`);
    }
    for (const row of document.querySelectorAll('.message-header, .title-line, .graph-toolbar, .compare-row, .replay-controls, .filter-buttons, .search-box, .detail-heading')) {
      if (!visible(row)) continue;
      const items = [...row.children].filter(visible);
      const middles = items.map((item) => {
        const rect = item.getBoundingClientRect();
        return rect.top + rect.height / 2;
      });
      if (Math.max(...middles) - Math.min(...middles) > 12) found.push(`${row.className} spreads over several lines: ${items.map((item) => item.textContent).join(' | ')}`);
    }
    return found;
  });
}

describeInBrowser('the inspector as a workbench', (openPage) => {
  const open = async (hash: string, width = 1400): Promise<Page> => {
    const { page } = await openPage(`${server.url}/${hash}`);
    await page.setViewportSize({ width, height: 1000 });
    return page;
  };

  it('fits a small fork tree in its panel, the open session in the middle, with no text over a line', async () => {
    const page = await open('#session=plan-b');
    await openGraph(page, 'plan-b', 2);
    const panel = await box(page.locator('#branch-graph'));
    const graph = await box(page.locator('svg.fork-tree'));
    expect(inside(graph, panel, 1.5)).toBe(true);
    for (const node of await page.locator('svg.fork-tree .graph-node').all()) expect(inside(await box(node), graph)).toBe(true);
    // The panel has room to spare: the open session sits in its middle, its parent still in view.
    const opened = await box(page.locator('svg.fork-tree .node-current'));
    expect(Math.abs(opened.x + opened.width / 2 - (graph.x + graph.width / 2))).toBeLessThan(2);
    expect(Math.abs(opened.y + opened.height / 2 - (graph.y + graph.height / 2))).toBeLessThan(2);
    expect(await page.locator('#branch-graph').evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
    expect(await page.locator('#graph-scale').textContent()).toBe('100%');
    expect(await page.locator('svg.fork-tree .node-current .node-point').textContent()).toMatch(/^at /);
    await expectNoTextOverLines(page);
    await screenshot(page, 'workbench-graph-small');
  });

  it('opens a wide tree centred on the open session, and zooms, fits and pans', async () => {
    const page = await open('#session=chain-6');
    await openGraph(page, 'chain-6', CHAIN_LENGTH);
    const graph = await box(page.locator('svg.fork-tree'));
    const current = page.locator('svg.fork-tree .node-current');
    const opened = await box(current);
    expect(inside(opened, graph)).toBe(true);
    expect(Math.abs(opened.x + opened.width / 2 - (graph.x + graph.width / 2))).toBeLessThan(2);
    expect(Math.abs(opened.y + opened.height / 2 - (graph.y + graph.height / 2))).toBeLessThan(2);
    // Readable, not shrunk to a strip: some of the chain is out of view until fitted.
    expect(await page.locator('#graph-scale').textContent()).toBe('75%');
    expect(await page.locator('svg.fork-tree .node-parent').evaluateAll((nodes) => nodes.filter((node) => node.getBoundingClientRect().right < (node as unknown as BrowserElement).ownerSVGElement.getBoundingClientRect().left).length)).toBeGreaterThan(0);
    await screenshot(page, 'workbench-graph-centred');

    await page.click('#graph-zoom-in');
    const zoomed = await box(current);
    expect(zoomed.width / opened.width).toBeCloseTo(1.25, 1);
    expect(Math.abs(zoomed.x + zoomed.width / 2 - (graph.x + graph.width / 2))).toBeLessThan(2);

    await page.click('#graph-fit');
    for (const node of await page.locator('svg.fork-tree .graph-node').all()) expect(inside(await box(node), graph)).toBe(true);
    await expectNoTextOverLines(page);
    await screenshot(page, 'workbench-graph-fitted');

    await page.click('#graph-centre');
    const before = await box(current);
    // A drag pans the graph and does not open the node it starts on.
    await page.mouse.move(before.x + 20, before.y + 10);
    await page.mouse.down();
    await page.mouse.move(before.x - 40, before.y + 30, { steps: 5 });
    await page.mouse.move(before.x - 100, before.y + 50, { steps: 5 });
    await page.mouse.up();
    const moved = await box(current);
    expect(moved.x - before.x).toBeCloseTo(-120, 0);
    expect(moved.y - before.y).toBeCloseTo(40, 0);
    expect(new URL(page.url()).hash).toBe('#session=chain-6');
    // From the keyboard: arrows pan as scrolling would, + zooms, 0 fits.
    await current.focus();
    await page.keyboard.press('ArrowRight');
    expect((await box(current)).x - moved.x).toBeCloseTo(-40, 0);
    await page.keyboard.press('ArrowUp');
    expect((await box(current)).y - moved.y).toBeCloseTo(40, 0);
    const width = (await box(current)).width;
    await page.keyboard.press('+');
    expect((await box(current)).width / width).toBeCloseTo(1.25, 1);
    await page.keyboard.press('0');
    for (const node of await page.locator('svg.fork-tree .graph-node').all()) expect(inside(await box(node), graph)).toBe(true);
    expect(new URL(page.url()).hash).toBe('#session=chain-6');
    // A click (no drag) still opens a node.
    await page.locator('svg.fork-tree .graph-node[data-session-id="chain-5"]').click();
    await expect.poll(() => new URL(page.url()).hash, POLL).toBe('#session=chain-5');
  });

  it('opens a compaction and a rewound tail of the tree to their messages', async () => {
    const page = await open('#session=compacted');
    await openGraph(page, 'compacted', 3);
    await page.locator('svg.fork-tree .node-compaction').click();
    const detail = page.locator('#message-detail');
    await expect.poll(() => detail.locator('li.detail-message').count(), POLL).toBe(6);
    expect(await detail.locator('.message-body').allTextContents()).toEqual(compacted.slice(0, 6).map((message) => String(message.content)));
    expect(await detail.locator('.detail-placement').textContent()).toContain('6 messages replaced by its summary');
    await screenshot(page, 'workbench-compaction');

    await page.locator('svg.fork-tree .node-tail').click();
    await expect.poll(() => detail.locator('.detail-placement').textContent(), POLL).toContain('2 messages off the path');
    expect(await detail.locator('.message-body').allTextContents()).toEqual(['after 2', 'after 3']);
  });

  it('compares two sessions side by side from their common fork point', async () => {
    const page = await open('#session=plan-b');
    await openGraph(page, 'plan-b', 2);
    expect(await page.locator('#compare-choices option').evaluateAll((options) => options.map((option) => [(option as unknown as BrowserElement).value, (option as unknown as BrowserElement).label]))).toEqual([
      ['plan', 'ancestor: Plan the Lisbon trip'],
    ]);
    // The nearest relative is offered ready to compare.
    expect(await page.inputValue('#compare-with')).toBe('plan');
    await page.click('#compare-run');
    const diff = page.locator('#session-diff');
    await expect.poll(() => diff.isVisible(), POLL).toBe(true);
    const planMessages = await store.getMessages('plan');
    const forkPoint = planMessages[1]!.id;
    expect(await diff.locator('.diff-common').textContent()).toBe(`Common history: 2 messages, up to the fork point msg_\u2026${forkPoint.slice(-6)}.`);
    expect(await diff.locator('.diff-fork-point li').getAttribute('data-message-id')).toBe(forkPoint);
    expect(await diff.locator('.diff-fork-point .message-body').textContent()).toBe('plan 2');
    const [left, right] = await diff.locator('.diff-column').all();
    expect(await left!.getAttribute('data-session-id')).toBe('plan-b');
    expect(await left!.locator('.message-body').allTextContents()).toEqual(['porto 1', 'porto 2', 'porto 3']);
    expect(await right!.getAttribute('data-session-id')).toBe('plan');
    expect(await right!.locator('.message-body').allTextContents()).toEqual(['lisbon 1', 'lisbon 2']);
    const [leftBox, rightBox] = [await box(left!), await box(right!)];
    expect(Math.abs(leftBox.y - rightBox.y)).toBeLessThan(1);
    expect(rightBox.x).toBeGreaterThanOrEqual(leftBox.x + leftBox.width);
    await screenshot(page, 'workbench-diff');

    await page.setViewportSize({ width: 900, height: 1000 });
    const [narrowLeft, narrowRight] = [await box(left!), await box(right!)];
    expect(narrowRight.x).toBeGreaterThanOrEqual(narrowLeft.x + narrowLeft.width);
    expect(narrowRight.x + narrowRight.width).toBeLessThanOrEqual(900);
    await screenshot(page, 'workbench-diff-900');

    // Any session can be typed: a sibling fork shares plan's first two messages too.
    await page.fill('#compare-with', 'plan-c');
    await page.press('#compare-with', 'Enter');
    await expect.poll(() => diff.locator('.diff-column').nth(1).getAttribute('data-session-id'), POLL).toBe('plan-c');
    expect(await diff.locator('.diff-common').textContent()).toBe(`Common history: 2 messages, up to the fork point msg_\u2026${forkPoint.slice(-6)}.`);
    expect(await diff.locator('.diff-column').nth(1).locator('.message-body').allTextContents()).toEqual(['lisbon 1', 'sintra 1']);
  });

  it("shows each run's id, input and duration", async () => {
    const page = await open('#session=runs');
    const rows = page.locator('#run-list .run-row');
    await expect.poll(() => rows.count(), POLL).toBe(2);
    for (const runId of ['run-early', 'run-recent']) {
      const run = (await store.getRun(runId))!;
      const row = page.locator(`#run-list li[data-run-id="${runId}"] .run-row`);
      expect(await row.locator('.run-id').getAttribute('title')).toBe(runId);
      expect(await row.locator('.run-id').textContent()).toBe(runId);
      const input = runId === 'run-early' ? runInputs.early : runInputs.recent;
      // The early run's input is older than the timeline's page: it is read through the run's events.
      await expect.poll(() => row.locator('.run-input').textContent(), POLL).toBe(input);
      const milliseconds = run.endedAt! - run.startedAt;
      expect(await row.locator('.run-duration').textContent()).toBe(milliseconds < 1000 ? `${milliseconds} ms` : `${(milliseconds / 1000).toFixed(1)} s`);
      // One line, cut with an ellipsis when it is longer than the panel.
      const input_ = row.locator('.run-input');
      expect(await input_.evaluate((element) => (globalThis as unknown as BrowserGlobals).getComputedStyle(element).textOverflow)).toBe('ellipsis');
      expect((await box(input_)).height).toBeLessThan(24);
    }
    await page.click('#run-list li[data-run-id="run-recent"] button');
    await expect.poll(() => page.locator('#run-events li.run-event').count(), POLL).toBe(4);
    expect(await page.locator('#run-summary dd').allTextContents()).toContain(runInputs.recent);
    await screenshot(page, 'workbench-runs');
  });

  it('says when a run\'s input cannot be read, and asks for it once', async () => {
    const { page, requests } = await openPage(`${server.url}/#session=lost-input`);
    const input = page.locator('#run-list li[data-run-id="run-lost"] .run-input');
    await expect.poll(() => input.textContent(), POLL).toBe('input could not be read');
    await page.waitForTimeout(500);
    expect(requests.filter((url) => url.includes('/messages/msg_not_stored'))).toHaveLength(1);
    expect(await page.locator('#error-banner').isVisible()).toBe(false);
  });

  it('filters the session list by the start of the title', async () => {
    const page = await open('');
    await expect.poll(() => page.locator('#session-list li[data-session-id]').count(), POLL).toBeGreaterThan(5);
    await page.fill('#filter-title', 'Plan ');
    await page.press('#filter-title', 'Enter');
    const listed = () => page.locator('#session-list li[data-session-id]').evaluateAll((rows) => rows.map((row) => (row as unknown as BrowserElement).dataset.sessionId).sort());
    await expect.poll(listed, POLL).toEqual(['plan', 'plan-b', 'plan-c']);
    await page.fill('#filter-title', 'Chain link 1');
    await page.click('#filter-apply');
    await expect.poll(listed, POLL).toEqual(['chain-1']);
    await page.click('#filter-clear');
    await expect.poll(async () => (await listed()).length, POLL).toBeGreaterThan(5);
  });

  for (const width of [1400, 900]) {
    it(`holds its layout at ${width} pixels wide: buttons on one line, whole event chips, no rewind at the head`, async () => {
      const page = await open('#session=runs', width);
      await expect.poll(() => page.locator('#timeline li.message').count(), POLL).toBe(100);
      await expect.poll(() => page.locator('#run-list .run-row').count(), POLL).toBe(2);
      await page.click('#run-list li[data-run-id="run-recent"] button');
      await expect.poll(() => page.locator('#run-events li.run-event').count(), POLL).toBe(4);

      // The head offers no rewind (it would change nothing); every other message does.
      const items = page.locator('#timeline li.message');
      expect(await items.last().locator('.head-marker').count()).toBe(1);
      expect(await items.last().locator('.action-rewind').count()).toBe(0);
      expect(await items.last().locator('.action-fork').count()).toBe(1);
      expect(await page.locator('#timeline .action-rewind').count()).toBe(99);

      expect(await buttonLayoutProblems(page)).toEqual([]);
      // Event chips: one line each, never cut inside a word.
      const chips = await page.locator('#run-events .event-type').evaluateAll((found) =>
        found.map((chip) => {
          const { document, getComputedStyle } = globalThis as unknown as BrowserGlobals;
          const range = document.createRange();
          range.selectNodeContents(chip);
          return {
            text: chip.textContent,
            lines: new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size,
            whole: chip.scrollWidth <= chip.clientWidth + 1,
            whiteSpace: getComputedStyle(chip).whiteSpace,
          };
        }),
      );
      expect(chips).toHaveLength(4);
      for (const chip of chips) expect(chip).toEqual({ text: chip.text, lines: 1, whole: true, whiteSpace: 'nowrap' });
      expect(chips.map((chip) => chip.text)).toContain('tool-call-streaming-start');

      // Nothing wider than the window; every pane inside it.
      expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      for (const pane of await page.locator('.pane').all()) {
        const paneBox = await box(pane);
        expect(paneBox.x).toBeGreaterThanOrEqual(0);
        expect(paneBox.x + paneBox.width).toBeLessThanOrEqual(width + 0.5);
      }
      await screenshot(page, `workbench-layout-${width}`);
    });
  }
});
