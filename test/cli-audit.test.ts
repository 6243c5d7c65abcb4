/**
 * Finding and reading anything from the CLI, in a real process over a SQLite file the test also
 * opens through the library: `show ID --message MSG` (rewound and compacted messages too),
 * `tree ID --messages` (the rewound tails' text) and `search TEXT`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FoundMessage, MessageInput, StoredMessage } from '../src/index.js';
import { runCliJson, runCliProcess, withLibraryStore } from './fixtures/cli-process.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-cli-audit-'));
let fileCounter = 0;
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function newStoreUrl(): string {
  return `sqlite:${join(directory, `audit-${++fileCounter}.db`)}`;
}

const CONVERSATION: MessageInput[] = [
  { role: 'user', content: 'Plan a trip to Lisbon in May.' },
  { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'find_flights', input: { to: 'LIS', month: 'May' } }] },
  { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', toolName: 'find_flights', output: { type: 'text', value: 'TAP 1234 leaves at 09:05' } }] },
  { role: 'assistant', content: 'Take the morning flight.\nIt is the cheapest.' },
];

/** A session whose last three messages a rewind took off the path, and one new message after it. */
async function rewoundSession(storeUrl: string): Promise<{ id: string; messages: StoredMessage[] }> {
  return withLibraryStore(storeUrl, async (store) => {
    const session = await store.create({ id: 'trip' });
    const messages = await store.append(session.id, CONVERSATION);
    await store.rewind(session.id, { toMessage: messages[0]!.id });
    await store.append(session.id, { role: 'assistant', content: 'Which dates?' });
    return { id: session.id, messages };
  });
}

describe('sessionloom show --message', () => {
  it('prints a rewound message whole and says where it lives; --json gives the message and its location', async () => {
    const storeUrl = newStoreUrl();
    const { id, messages } = await rewoundSession(storeUrl);
    const document = await runCliJson<FoundMessage>(['show', id, '--message', messages[3]!.id], { storeUrl });
    expect(document).toEqual({ message: messages[3], location: { placement: 'rewound', position: 4, writtenBy: id } });

    const readable = await runCliProcess(['show', id, '--message', messages[2]!.id], { storeUrl });
    expect(readable.code).toBe(0);
    expect(readable.stdout).toContain('rewound off the path (it was message 3)');
    expect(readable.stdout).toContain('[tool-result find_flights] TAP 1234 leaves at 09:05');

    const missing = await runCliProcess(['show', id, '--message', 'msg_nothing'], { storeUrl });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain('MESSAGE_NOT_FOUND');
  });
});

describe('sessionloom tree --messages', () => {
  it('prints the text of the messages rewinds took off the path', async () => {
    const storeUrl = newStoreUrl();
    const { id, messages } = await rewoundSession(storeUrl);
    const readable = await runCliProcess(['tree', id, '--messages'], { storeUrl });
    expect(readable.code).toBe(0);
    expect(readable.stdout).toContain('Rewound off the path of trip');
    expect(readable.stdout).toContain(`${messages[1]!.id}  assistant: [tool-call find_flights] {"to":"LIS","month":"May"}`);
    // A message of several lines keeps them, indented under its heading.
    expect(readable.stdout).toMatch(/assistant: Take the morning flight\.\n\s+It is the cheapest\./);
    expect((await runCliProcess(['tree', id], { storeUrl })).stdout).not.toContain('Take the morning flight');

    const document = await runCliJson<{ rewoundTails: Array<{ messages: StoredMessage[] }> }>(['tree', id, '--messages'], { storeUrl });
    expect(document.rewoundTails.map((tail) => tail.messages)).toEqual([messages.slice(1)]);
  });
});

describe('sessionloom search', () => {
  it('finds a rewound message by its text, prints where to read it whole, and pages', async () => {
    const storeUrl = newStoreUrl();
    const { id, messages } = await rewoundSession(storeUrl);
    const readable = await runCliProcess(['search', 'morning', 'flight'], { storeUrl });
    expect(readable.code).toBe(0);
    expect(readable.stdout).toContain('1 match for "morning flight", best first:');
    expect(readable.stdout).toMatch(new RegExp(`^trip\\s+${messages[3]!.id}\\s+assistant\\s`, 'm'));
    expect(readable.stdout).toContain('    Take the morning flight. It is the cheapest.');
    expect(readable.stdout).toContain(`Read one whole: sessionloom show trip --message ${messages[3]!.id}`);

    const document = await runCliJson<{ hits: Array<{ sessionId: string; messageId: string }>; nextCursor?: string }>(
      ['search', 'find_flights', '--limit', '1', '--session', id],
      { storeUrl },
    );
    expect(document.hits).toHaveLength(1);
    expect(document.nextCursor).toBeDefined();
    const next = await runCliJson<{ hits: Array<{ messageId: string }>; nextCursor?: string }>(
      ['search', 'find_flights', '--limit', '1', '--session', id, '--cursor', document.nextCursor!],
      { storeUrl },
    );
    expect(new Set([document.hits[0]!.messageId, next.hits[0]!.messageId])).toEqual(new Set([messages[1]!.id, messages[2]!.id]));
    expect(next.nextCursor).toBeUndefined();
  });

  it('treats operators and SQL as text, and refuses a query without words (exit 1, INVALID_ARGUMENT)', async () => {
    const storeUrl = newStoreUrl();
    await rewoundSession(storeUrl);
    const hostile = await runCliProcess(['search', "lisbon'; DROP TABLE messages; --"], { storeUrl });
    expect(hostile.code).toBe(0);
    expect(hostile.stdout).toContain('No messages match');
    expect((await runCliJson<{ hits: unknown[] }>(['search', 'lisbon'], { storeUrl })).hits).toHaveLength(1);
    const empty = await runCliProcess(['search', '""'], { storeUrl });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('INVALID_ARGUMENT');
  });
});

describe('titles on the command line', () => {
  it('list, show and tree print a session\'s title, taken from its first user message or set', async () => {
    const storeUrl = newStoreUrl();
    await rewoundSession(storeUrl);
    await withLibraryStore(storeUrl, async (store) => {
      await store.create({ id: 'named', title: 'A name given at create' });
      await store.fork('trip', { id: 'trip-fork', title: 'Porto instead' });
    });
    const list = await runCliProcess(['list'], { storeUrl });
    expect(list.stdout).toMatch(/^trip\s+active\s+2\s+-\s.*\S {2}Plan a trip to Lisbon in May\.$/m);
    expect(list.stdout).toMatch(/^named\s.*A name given at create$/m);
    expect((await runCliProcess(['show', 'trip'], { storeUrl })).stdout).toMatch(/^title:\s+Plan a trip to Lisbon in May\.$/m);
    const tree = await runCliProcess(['tree', 'trip'], { storeUrl });
    expect(tree.stdout).toContain('trip  "Plan a trip to Lisbon in May."  (2 messages)');
    expect(tree.stdout).toContain('trip-fork  "Porto instead"');
  });

  it('list --title PREFIX lists the sessions whose title starts with it, the prefix only text', async () => {
    const storeUrl = newStoreUrl();
    await withLibraryStore(storeUrl, async (store) => {
      for (const [id, title] of [['lisbon', 'Trip to Lisbon'], ['porto', 'Trip to Porto'], ['tripod', 'Tripod review'], ['odd', "100% O'Brien"]]) {
        await store.create({ id: id!, title: title! });
      }
    });
    const ids = async (...args: string[]): Promise<string[]> =>
      ((await runCliJson(['list', ...args], { storeUrl })) as { sessions: Array<{ id: string }> }).sessions.map((session) => session.id).sort();
    expect(await ids('--title', 'Trip to')).toEqual(['lisbon', 'porto']);
    expect(await ids('--title', 'Trip')).toEqual(['lisbon', 'porto', 'tripod']);
    expect(await ids('--title', "100% O'")).toEqual(['odd']);
    expect(await ids('--title', '%')).toEqual([]);
    const table = await runCliProcess(['list', '--title', 'Trip to P'], { storeUrl });
    expect(table.stdout).toMatch(/^porto\s.*Trip to Porto$/m);
    expect(table.stdout).not.toContain('lisbon');
  });
});
