/**
 * Usage: every run's tokens (and cost, with a price table) are summed into the session, so the
 * session's totals equal the sum of its runs, concurrent runs and other store objects included.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tool } from 'ai';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, costOf, Runner, SessionStore, type PriceTable, type Usage } from '../src/index.js';
import { scriptedMock } from './fixtures/agent-models.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-usage-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const pricing: PriceTable = { 'mock-model': { inputPerMillion: 2.5, outputPerMillion: 10 } };

/** An agent that calls its tool once when asked to, then answers: runs of one or two steps, usage varying with the prompt. */
function agent(): Agent {
  const mock = scriptedMock((prompt) => {
    const last = prompt.at(-1);
    const text = last?.role === 'user' ? last.content.map((part) => (part.type === 'text' ? part.text : '')).join('') : '';
    if (text.includes('tool')) return { toolCalls: [{ toolName: 'count', input: { text } }] };
    return { text: `answered after ${prompt.length} messages` };
  });
  return new Agent({
    name: 'counter',
    model: mock.model,
    tools: { count: tool({ inputSchema: z.object({ text: z.string() }), execute: async ({ text }) => text.length }) },
  });
}

function sum(usages: Usage[]): Required<Pick<Usage, 'inputTokens' | 'outputTokens' | 'totalTokens' | 'costUsd'>> {
  return usages.reduce<Required<Pick<Usage, 'inputTokens' | 'outputTokens' | 'totalTokens' | 'costUsd'>>>(
    (total, usage) => ({
      inputTokens: total.inputTokens + usage.inputTokens,
      outputTokens: total.outputTokens + usage.outputTokens,
      totalTokens: total.totalTokens + usage.totalTokens,
      costUsd: Math.round((total.costUsd + (usage.costUsd ?? 0)) * 1e9) / 1e9,
    }),
    { inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0 },
  );
}

describe.each([
  { name: 'memory', open: () => ({ first: SessionStore.memory(), second: undefined }) },
  {
    name: 'sqlite (two store objects on one file)',
    open: () => {
      const path = join(directory, `${Math.random().toString(36).slice(2)}.db`);
      return { first: SessionStore.sqlite(path), second: SessionStore.sqlite(path) };
    },
  },
])('usage on $name', ({ open }) => {
  it('the session total equals the sum of its runs, sequential and concurrent', async () => {
    const { first, second } = open();
    const helper = agent();
    const results = [await Runner.run(helper, { input: 'hello', session: { store: first }, pricing })];
    const sessionId = results[0]!.sessionId;
    results.push(await Runner.run(helper, { input: 'use the tool on this', session: { store: first, resume: sessionId }, pricing }));
    results.push(
      ...(await Promise.all(
        ['one', 'use the tool twice', 'three', 'use the tool again', 'five'].map((input, index) =>
          Runner.run(helper, {
            input,
            // Concurrent runs on one session are refused unless asked for.
            session: { store: index % 2 === 1 && second ? second : first, resume: sessionId, allowConcurrentRuns: true },
            pricing,
          }),
        ),
      )),
    );

    const runs = await first.runs(sessionId);
    expect(runs).toHaveLength(results.length);
    expect(runs.every((run) => run.status === 'completed')).toBe(true);
    const session = await first.get(sessionId);
    expect(session?.usage).toEqual(sum(runs.map((run) => run.usage)));
    expect(session?.usage).toEqual(sum(results.map((result) => result.usage)));
    expect(session!.usage.inputTokens).toBeGreaterThan(0);
    expect(session!.usage.costUsd).toBeGreaterThan(0);

    // Each run's cost is its steps' cost at the table's prices.
    for (const result of results) {
      const steps = (await first.runEvents(result.runId)).filter((event) => event.type === 'step-end');
      expect(steps.length).toBe(result.steps);
      const stepUsages = steps.map((event) => (event.data as { usage: Usage }).usage);
      for (const usage of stepUsages) expect(usage.costUsd).toBe(costOf(usage, pricing['mock-model']!));
      expect(result.usage).toEqual(sum(stepUsages));
    }
    await first.close();
    await second?.close();
  });

  it('leaves cost out for models the price table does not know', async () => {
    const { first, second } = open();
    const result = await Runner.run(agent(), { input: 'hello', session: { store: first }, pricing: { 'another-model': { inputPerMillion: 1, outputPerMillion: 1 } } });
    expect(result.usage.costUsd).toBeUndefined();
    expect((await first.get(result.sessionId))?.usage).toEqual(result.usage);
    await first.close();
    await second?.close();
  });
});

describe('costOf', () => {
  it('prices cached input at the cached price and the rest at the input price', () => {
    const usage: Usage = { inputTokens: 1_000_000, cachedInputTokens: 400_000, outputTokens: 200_000, totalTokens: 1_200_000 };
    const price = { inputPerMillion: 3, cachedInputPerMillion: 0.3, outputPerMillion: 15 };
    expect(costOf(usage, price)).toBeCloseTo(0.6 * 3 + 0.4 * 0.3 + 0.2 * 15, 9);
    expect(costOf(usage, { inputPerMillion: 3, outputPerMillion: 15 })).toBeCloseTo(3 + 0.2 * 15, 9);
  });
});
