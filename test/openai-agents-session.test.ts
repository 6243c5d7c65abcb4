/**
 * `SessionloomSession` against the Agents SDK's own `MemorySession`: every behavioural check runs
 * on both, side by side, and their observations must be equal; then the item mapping (roles,
 * transcript view, lossless read-back) on its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySession, type AgentInputItem, type Session, type SessionHistoryTransactionAwareSession } from '@openai/agents-core';
import { modelMessageSchema } from 'ai';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { SessionloomSession } from '../src/adapters/openai-agents/index.js';
import { InvalidArgumentError } from '../src/errors.js';
import { SessionStore } from '../src/index.js';

/** One item of every kind the adapter maps differently, with the awkward values (bytes, ids, providerData). */
const ITEMS: AgentInputItem[] = [
  { role: 'system', content: 'You are a travel agent.' },
  { type: 'message', role: 'user', content: 'Book me a flight to Paris.' },
  {
    role: 'user',
    content: [
      { type: 'input_text', text: 'Here is my passport:' },
      { type: 'input_image', image: 'https://example.com/passport.png', detail: 'high' },
      { type: 'input_file', file: { id: 'file-123' }, filename: 'itinerary.pdf' },
    ],
  },
  {
    id: 'rs_1',
    type: 'reasoning',
    content: [{ type: 'input_text', text: 'The user wants a flight; search first.' }],
    providerData: { encryptedContent: 'opaque' },
  },
  { id: 'fc_1', type: 'function_call', callId: 'call_1', name: 'search_flights', arguments: '{"to":"CDG"}', status: 'completed' },
  { type: 'function_call_result', callId: 'call_1', name: 'search_flights', status: 'completed', output: 'AF123 at 09:00' },
  {
    type: 'function_call_result',
    callId: 'call_2',
    name: 'seat_map',
    status: 'completed',
    output: { type: 'image', image: { data: new Uint8Array([137, 80, 78, 71, 0, 255]), mediaType: 'image/png' } },
  },
  { type: 'hosted_tool_call', name: 'web_search', arguments: '{"q":"Paris weather"}', status: 'completed', output: 'Sunny' },
  {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    status: 'completed',
    content: [
      { type: 'output_text', text: 'I found AF123.', providerData: { annotations: [] } },
      { type: 'refusal', refusal: 'I cannot pay for you.' },
    ],
  },
  { type: 'compaction', encrypted_content: 'compacted', id: 'cmp_1' },
  { type: 'unknown', providerData: { kind: 'future-item', nested: { $sl: 'not a tag', list: [1, null, 'x'] } } },
];

function text(content: string): AgentInputItem {
  return { role: 'user', content };
}

function reply(content: string): AgentInputItem {
  return { type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: content }] };
}

const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

const postgresUrl = inject('postgresUrl');
/**
 * The PostgreSQL store is being written alongside this adapter: until `SessionStore.open` knows
 * `postgres://`, it is left out. Any other failure to open it fails the run.
 */
const postgresStoreAvailable = postgresUrl !== undefined && (await opensPostgres(postgresUrl));

async function opensPostgres(url: string): Promise<boolean> {
  // Under CI the suite must run: a store that cannot open postgres:// there is a failure, not a skip.
  if (process.env.CI === 'true') return true;
  try {
    await (await SessionStore.open(url)).close();
    return true;
  } catch (error) {
    if (InvalidArgumentError.isInstance(error) && /no supported scheme/.test(error.message)) return false;
    throw error;
  }
}

const backends: Array<{ name: string; open: () => Promise<SessionStore> }> = [
  { name: 'memory store', open: async () => SessionStore.memory() },
  {
    name: 'SQLite store',
    open: async () => {
      const directory = mkdtempSync(join(tmpdir(), 'sessionloom-openai-agents-'));
      directories.push(directory);
      return SessionStore.sqlite(join(directory, 'sessions.db'));
    },
  },
  ...(postgresStoreAvailable ? [{ name: 'PostgreSQL store', open: () => SessionStore.open(postgresUrl!) }] : []),
];

type Observation = unknown;
type Scenario = (session: SessionHistoryTransactionAwareSession) => Promise<Observation>;

/** What a call did: its result, or the error's class and message (the runner reacts to both). */
async function outcome(call: () => unknown): Promise<Observation> {
  try {
    return { result: await call() };
  } catch (error) {
    return { error: (error as Error).name, message: (error as Error).message };
  }
}

const scenarios: Record<string, Scenario> = {
  'an empty session': async (session) => ({
    all: await session.getItems(),
    limited: await session.getItems(3),
    popped: await session.popItem(),
    afterClear: await session.clearSession().then(() => session.getItems()),
  }),
  'every kind of item reads back as written, in order': async (session) => {
    await session.addItems(ITEMS);
    return session.getItems();
  },
  'getItems(limit) is the newest items, oldest first': async (session) => {
    await session.addItems(ITEMS.slice(0, 5));
    const limits = [undefined, 0, -1, 1, 2, 2.5, 5, 9, Number.POSITIVE_INFINITY, Number.NaN];
    return Promise.all(limits.map(async (limit) => ({ limit: String(limit), items: await session.getItems(limit) })));
  },
  'batches append in order, and an empty batch changes nothing': async (session) => {
    await session.addItems([text('one')]);
    await session.addItems([]);
    await session.addItems([reply('two'), text('three')]);
    return session.getItems();
  },
  'popItem removes the newest until empty, then returns undefined': async (session) => {
    await session.addItems([text('one'), reply('two'), text('three')]);
    const popped = [await session.popItem(), await session.popItem()];
    const remaining = await session.getItems();
    const last = await session.popItem();
    const afterLast = await session.popItem();
    await session.addItems([text('again')]);
    return { popped, remaining, last, afterLast, final: await session.getItems() };
  },
  'clearSession empties the session, which stays usable under the same id': async (session) => {
    const id = await session.getSessionId();
    await session.addItems([text('one'), reply('two')]);
    await session.clearSession();
    const cleared = await session.getItems();
    await session.addItems([text('three')]);
    return { sameId: (await session.getSessionId()) === id, cleared, final: await session.getItems() };
  },
  'what the caller does with items afterwards changes nothing stored': async (session) => {
    const written = [text('original')];
    await session.addItems(written);
    (written[0] as { content: string }).content = 'changed after addItems';
    const read = await session.getItems();
    (read[0] as { content: string }).content = 'changed after getItems';
    return session.getItems();
  },
  'an append transaction applies once, and its operation id cannot carry another': async (session) => {
    await session.addItems([text('before')]);
    const transaction = { type: 'append_items' as const, items: [reply('blocked output'), text('tool effect')] };
    const first = await outcome(() => session.applyHistoryTransaction({ operationId: 'run-1:1:blocked', transaction }));
    const retry = await outcome(() => session.applyHistoryTransaction({ operationId: 'run-1:1:blocked', transaction }));
    const reused = await outcome(() =>
      session.applyHistoryTransaction({ operationId: 'run-1:1:blocked', transaction: { type: 'append_items', items: [text('other')] } }),
    );
    return { first, retry, reused, items: await session.getItems() };
  },
  'an append transaction on a session with no history yet': async (session) => {
    await session.applyHistoryTransaction({ operationId: 'first', transaction: { type: 'append_items', items: [text('hello')] } });
    return session.getItems();
  },
  'a suffix transaction replaces a matching suffix once, and refuses a stale one': async (session) => {
    await session.addItems([text('question'), reply('blocked'), text('effect')]);
    const replaceSuffix = {
      type: 'replace_suffix' as const,
      expectedSuffix: [reply('blocked'), text('effect')],
      replacement: [reply('accepted'), text('effect'), reply('final answer')],
    };
    const first = await outcome(() => session.applyHistoryTransaction({ operationId: 'accept', transaction: replaceSuffix }));
    const afterFirst = await session.getItems();
    const retry = await outcome(() => session.applyHistoryTransaction({ operationId: 'accept', transaction: replaceSuffix }));
    const stale = await outcome(() =>
      session.applyHistoryTransaction({ operationId: 'other', transaction: { ...replaceSuffix, expectedSuffix: [text('not there')] } }),
    );
    return { first, afterFirst, retry, stale, items: await session.getItems() };
  },
  'a suffix transaction that extends the suffix, and one over the whole history': async (session) => {
    await session.addItems([text('question'), reply('kept')]);
    await session.applyHistoryTransaction({
      operationId: 'extend',
      transaction: { type: 'replace_suffix', expectedSuffix: [reply('kept')], replacement: [reply('kept'), text('more')] },
    });
    const extended = await session.getItems();
    await session.applyHistoryTransaction({
      operationId: 'everything',
      transaction: { type: 'replace_suffix', expectedSuffix: extended, replacement: [text('fresh start')] },
    });
    return { extended, final: await session.getItems() };
  },
  'a cleared session forgets the operations applied to it': async (session) => {
    const transaction = { type: 'append_items' as const, items: [text('once')] };
    await session.applyHistoryTransaction({ operationId: 'op', transaction });
    await session.clearSession();
    await session.applyHistoryTransaction({ operationId: 'op', transaction });
    return session.getItems();
  },
  'malformed transactions are refused and change nothing': async (session) => {
    await session.addItems([text('kept')]);
    const malformed: unknown[] = [
      { operationId: '  ', transaction: { type: 'append_items', items: [] } },
      { operationId: 'x', transaction: { type: 'rewrite', items: [] } },
      { operationId: 'x', transaction: { type: 'append_items', items: 'nope' } },
      { operationId: 'x', transaction: { type: 'replace_suffix', expectedSuffix: [] } },
    ];
    const outcomes = [];
    for (const args of malformed) {
      outcomes.push(await outcome(() => session.applyHistoryTransaction(args as Parameters<typeof session.applyHistoryTransaction>[0])));
    }
    return { outcomes, items: await session.getItems() };
  },
};

describe.each(backends)('SessionloomSession on the $name behaves as MemorySession', ({ open }) => {
  for (const [name, scenario] of Object.entries(scenarios)) {
    it(name, async () => {
      const store = await open();
      try {
        const expected = await scenario(new MemorySession());
        const actual = await scenario(new SessionloomSession({ store }));
        expect(actual).toStrictEqual(expected);
        // Guard against a scenario that observes nothing: both must have seen something.
        expect(JSON.stringify(expected)).not.toBe('{}');
      } finally {
        await store.close();
      }
    });
  }
});

describe('the item mapping', () => {
  it('stores each item as one message with its natural role and an AI SDK transcript view', async () => {
    const store = SessionStore.memory();
    const session = new SessionloomSession({ store });
    await session.addItems(ITEMS);
    const messages = await store.getMessages(session.sessionId);
    expect(messages.map((message) => message.role)).toEqual([
      'system',
      'user',
      'user',
      'assistant', // reasoning
      'assistant', // function_call
      'tool', // function_call_result
      'tool',
      'assistant', // hosted_tool_call
      'assistant',
      'assistant', // compaction
      'assistant', // unknown
    ]);
    for (const message of messages) {
      const parsed = modelMessageSchema.safeParse(message);
      expect(parsed.success, `${message.role} message ${JSON.stringify(message.content)}`).toBe(true);
    }
    expect(messages[2]?.content).toEqual([
      { type: 'text', text: 'Here is my passport:' },
      { type: 'image', image: 'https://example.com/passport.png' },
      { type: 'text', text: '[input_file: itinerary.pdf]' },
    ]);
    expect(messages[3]?.content).toEqual([{ type: 'reasoning', text: 'The user wants a flight; search first.' }]);
    expect(messages[4]?.content).toEqual([{ type: 'tool-call', toolCallId: 'call_1', toolName: 'search_flights', input: { to: 'CDG' } }]);
    expect(messages[5]?.content).toEqual([
      { type: 'tool-result', toolCallId: 'call_1', toolName: 'search_flights', output: { type: 'text', value: 'AF123 at 09:00' } },
    ]);
    expect(messages[7]?.content).toEqual([{ type: 'text', text: '[hosted_tool_call: web_search]' }]);
    expect(messages[8]?.content).toEqual([
      { type: 'text', text: 'I found AF123.' },
      { type: 'text', text: 'I cannot pay for you.' },
    ]);
  });

  it('reads bytes back as bytes, equal to what was written', async () => {
    const store = SessionStore.memory();
    const session = new SessionloomSession({ store });
    await session.addItems([ITEMS[6]!]);
    const [item] = await session.getItems();
    const output = (item as { output: { image: { data: unknown } } }).output;
    expect(output.image.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(output.image.data as Uint8Array)).toEqual([137, 80, 78, 71, 0, 255]);
  });

  it('keeps a key set to undefined as absent, as every sessionloom message does', async () => {
    const session = new SessionloomSession({ store: SessionStore.memory() });
    await session.addItems([{ role: 'user', content: 'hi', id: undefined }]);
    const [item] = await session.getItems();
    expect(item).toStrictEqual({ role: 'user', content: 'hi' });
  });

  it('refuses an item that is not data, writing nothing', async () => {
    const store = SessionStore.memory();
    const session = new SessionloomSession({ store });
    const hostile = { role: 'user', content: 'hi', providerData: { callback: () => 1 } } as unknown as AgentInputItem;
    await expect(session.addItems([text('fine'), hostile])).rejects.toSatisfy(InvalidArgumentError.isInstance);
    expect(await session.getItems()).toEqual([]);
    expect(await store.get(session.sessionId)).toBeUndefined();
  });

  it('reads a message the adapter did not write as the items it holds', async () => {
    const store = SessionStore.memory();
    const created = await store.create({ messages: [{ role: 'user', content: 'written by store.append' }] });
    const session: Session = new SessionloomSession({ store, sessionId: created.id });
    expect(await session.getItems()).toEqual([{ role: 'user', content: 'written by store.append' }]);
  });
});
