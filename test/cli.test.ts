/**
 * The CLI as a user runs it: a real process per command (`node --import tsx src/cli/main.ts`),
 * on a SQLite file that the test also opens through the library, so every check crosses a
 * process boundary: what the library wrote, the CLI reads, and what the CLI changed, the library sees.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SessionStore, type MessageInput, type Session, type StoredMessage } from '../src/index.js';
import { runCliJson, runCliProcess, withLibraryStore } from './fixtures/cli-process.js';

const directory = mkdtempSync(join(tmpdir(), 'sessionloom-cli-'));
let fileCounter = 0;

afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A fresh SQLite store URL, so tests never see each other's sessions. */
function newStoreUrl(): string {
  return `sqlite:${join(directory, `cli-${++fileCounter}.db`)}`;
}

const runCli = (args: string[], storeUrl?: string) => runCliProcess(args, storeUrl === undefined ? {} : { storeUrl });
const runJson = <Document>(args: string[], storeUrl: string) => runCliJson<Document>(args, { storeUrl });

const CONVERSATION: MessageInput[] = [
  { role: 'system', content: 'You help with the weather.' },
  { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo?' }, { type: 'image', image: 'https://example.com/oslo.png' }] },
  {
    role: 'assistant',
    content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'get_weather', input: { city: 'Oslo' } }],
  },
  {
    role: 'tool',
    content: [{ type: 'tool-result', toolCallId: 'call_1', toolName: 'get_weather', output: { type: 'json', value: { temperatureC: 4 } } }],
  },
  { role: 'assistant', content: 'It is 4°C in Oslo.' },
  { role: 'user', content: [{ type: 'file', data: 'JVBERi0=', mediaType: 'application/pdf' }] },
];

async function createConversation(storeUrl: string, init: { id?: string; userId?: string } = {}): Promise<{ session: Session; messages: StoredMessage[] }> {
  return withLibraryStore(storeUrl, async (store) => {
    const session = await store.create(init);
    const messages = await store.append(session.id, CONVERSATION);
    return { session, messages };
  });
}

function messageAt(messages: StoredMessage[], index: number): StoredMessage {
  const message = messages[index];
  if (!message) throw new Error(`no message at index ${index}`);
  return message;
}

describe('sessionloom CLI', () => {
  it('demo: resumes from a new store object, forks and rewinds, and says so in JSON', async () => {
    const storeUrl = newStoreUrl();
    interface DemoDocument {
      store: string;
      sessionId: string;
      forkId: string;
      steps: Array<Record<string, unknown> & { step: string }>;
      tree: { rootId: string; root: { children: Array<{ session: { id: string } }> }; rewoundTails: unknown[] };
    }
    const report = await runJson<DemoDocument>(['demo'], storeUrl);
    expect(report.store).toBe(storeUrl);
    expect(report.steps.map((step) => step.step)).toEqual(['create', 'resume', 'fork', 'rewind']);
    const [create, resume, fork, rewind] = report.steps;
    // Six messages from two agent runs (the weather question answered through a tool call, then a follow-up).
    expect(create).toMatchObject({ sessionId: report.sessionId, messageCount: 6 });
    expect(resume).toMatchObject({ reopenedStore: true, messagesReadBack: 6, identical: true, messageCount: 8 });
    expect(fork).toMatchObject({ sourceId: report.sessionId, forkId: report.forkId, messageCountAtFork: 4, messageCount: 6, sourceMessageCount: 8 });
    expect(rewind).toMatchObject({ sessionId: report.sessionId, removedMessages: 2, messageCount: 6 });
    expect(report.tree.rootId).toBe(report.sessionId);
    expect(report.tree.root.children.map((child) => child.session.id)).toEqual([report.forkId]);
    expect(report.tree.rewoundTails).toHaveLength(1);

    // What the demo reported is what another process finds on the file.
    await withLibraryStore(storeUrl, async (store) => {
      const original = await store.get(report.sessionId);
      const forked = await store.get(report.forkId);
      expect(original?.messageCount).toBe(6);
      expect(forked?.messageCount).toBe(6);
      expect(forked?.forkedFrom?.sessionId).toBe(report.sessionId);
      const forkMessages = await store.getMessages(report.forkId);
      const originalMessages = await store.getMessages(report.sessionId);
      expect(forkMessages.slice(0, 4)).toEqual(originalMessages.slice(0, 4));
      const toolCall = originalMessages[1];
      expect(toolCall?.role).toBe('assistant');
      expect(JSON.stringify(toolCall?.content)).toContain('"type":"tool-call"');
    });
  });

  it('demo: the readable view walks through each step and ends with how to explore', async () => {
    const storeUrl = newStoreUrl();
    const result = await runCli(['demo'], storeUrl);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('[tool-call get_weather]');
    expect(result.stdout).toContain('identical to what was written');
    expect(result.stdout).toMatch(/Forked session_\S+ at message 4/);
    expect(result.stdout).toMatch(/ran the agent on it twice \(run_\S+, run_\S+\)/);
    expect(result.stdout).toContain('2 messages left its path');
    expect(result.stdout).toContain('Fork tree:');
    expect(result.stdout).toMatch(/sessionloom show session_/);
    expect(result.stdout).toMatch(/sessionloom tree session_\S+ --messages/);
    expect(result.stdout).toMatch(/sessionloom runs session_/);
    expect(result.stdout).toMatch(/sessionloom replay run_\S+ +# the run that called the tool/);
    expect(result.stdout).toMatch(/sessionloom serve +# all of it in the web inspector/);
    // The search the demo suggests finds the message its rewind took off the path.
    expect(result.stdout).toMatch(/sessionloom search umbrella +# full-text search finds a rewound message too/);
    const found = await runJson<{ hits: Array<{ sessionId: string; messageId: string }> }>(['search', 'umbrella'], storeUrl);
    expect(found.hits).toHaveLength(1);
    const [hit] = found.hits;
    const read = await runJson<{ location: { placement: string } }>(['show', hit!.sessionId, '--message', hit!.messageId], storeUrl);
    expect(read.location.placement).toBe('rewound');
  });

  it('list: shows sessions the library created on the same file, filtered and paged', async () => {
    const storeUrl = newStoreUrl();
    await withLibraryStore(storeUrl, async (store) => {
      await store.create({ id: 'alice-1', userId: 'alice', tags: ['support'] });
      await store.create({ id: 'alice-2', userId: 'alice' });
      await store.create({ id: 'bob-1', userId: 'bob', tags: ['support'] });
    });

    const all = await runJson<{ sessions: Session[]; nextCursor?: string }>(['list'], storeUrl);
    expect(all.sessions.map((session) => session.id).sort()).toEqual(['alice-1', 'alice-2', 'bob-1']);
    expect(all.nextCursor).toBeUndefined();

    const alices = await runJson<{ sessions: Session[] }>(['list', '--user', 'alice'], storeUrl);
    expect(alices.sessions.map((session) => session.id).sort()).toEqual(['alice-1', 'alice-2']);
    const tagged = await runJson<{ sessions: Session[] }>(['list', '--tag', 'support'], storeUrl);
    expect(tagged.sessions.map((session) => session.id).sort()).toEqual(['alice-1', 'bob-1']);

    const firstPage = await runJson<{ sessions: Session[]; nextCursor?: string }>(['list', '--limit', '2', '--order-by', 'createdAt'], storeUrl);
    expect(firstPage.sessions).toHaveLength(2);
    expect(firstPage.nextCursor).toEqual(expect.any(String));
    const secondPage = await runJson<{ sessions: Session[]; nextCursor?: string }>(
      ['list', '--limit', '2', '--order-by', 'createdAt', '--cursor', firstPage.nextCursor ?? ''],
      storeUrl,
    );
    expect([...firstPage.sessions, ...secondPage.sessions].map((session) => session.id).sort()).toEqual(['alice-1', 'alice-2', 'bob-1']);
    expect(secondPage.nextCursor).toBeUndefined();

    const readable = await runCli(['list'], storeUrl);
    expect(readable.code).toBe(0);
    expect(readable.stdout).toMatch(/^ID\s+STATE\s+MESSAGES\s+USER\s+UPDATED\s+TITLE$/m);
    expect(readable.stdout).toMatch(/^alice-1\s+active\s+0\s+alice\s+/m);
  });

  it('list: --store after the subcommand wins over SESSIONLOOM_STORE', async () => {
    const storeUrl = newStoreUrl();
    await withLibraryStore(storeUrl, (store) => store.create({ id: 'only-here' }));
    const result = await runJson<{ sessions: Session[] }>(['list', '--store', storeUrl], newStoreUrl());
    expect(result.sessions.map((session) => session.id)).toEqual(['only-here']);
  });

  it('list: a non-integer --limit is a usage error (exit 2)', async () => {
    const result = await runCli(['list', '--limit', 'ten'], newStoreUrl());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--limit');
    expect(result.stdout).toBe('');
  });

  it('show: prints the session and its messages, as written', async () => {
    const storeUrl = newStoreUrl();
    const { session, messages } = await createConversation(storeUrl, { userId: 'carol' });

    const document = await runJson<{ session: Session; messages: StoredMessage[] }>(['show', session.id], storeUrl);
    expect(document.session.id).toBe(session.id);
    expect(document.session.messageCount).toBe(CONVERSATION.length);
    expect(document.messages).toEqual(messages);

    const lastTwo = await runJson<{ messages: StoredMessage[] }>(['show', session.id, '--last', '2'], storeUrl);
    expect(lastTwo.messages.map((message) => message.id)).toEqual(messages.slice(-2).map((message) => message.id));

    const readable = await runCli(['show', session.id], storeUrl);
    expect(readable.code).toBe(0);
    expect(readable.stdout).toContain(`id:`);
    expect(readable.stdout).toContain('carol');
    expect(readable.stdout).toContain('Weather in Oslo? [image]');
    expect(readable.stdout).toContain('[tool-call get_weather]');
    expect(readable.stdout).toContain('[tool-result get_weather]');
    expect(readable.stdout).toContain('[file application/pdf]');
    expect(readable.stdout).toMatch(new RegExp(`^6\\s+${messageAt(messages, 5).id}\\s+user\\s`, 'm'));
  });

  it('tree: shows the whole fork tree from the root, the forks and the rewound tails', async () => {
    const storeUrl = newStoreUrl();
    const { session: root, messages } = await createConversation(storeUrl, { id: 'root-session' });
    await withLibraryStore(storeUrl, async (store) => {
      await store.fork(root.id, { id: 'child-a', fromMessage: messageAt(messages, 1).id });
      await store.append('child-a', { role: 'assistant', content: 'A different answer.' });
      await store.fork('child-a', { id: 'grandchild' });
      await store.fork(root.id, { id: 'child-b', fromMessage: messageAt(messages, 3).id });
      await store.rewind('child-a', { toMessage: messageAt(messages, 0).id });
    });

    interface Node {
      session: Session;
      forkedAtMessageId?: string;
      children: Node[];
    }
    const tree = await runJson<{ sessionId: string; rootId: string; root: Node; rewoundTails: Array<{ messageCount: number }> }>(
      ['tree', 'child-a'],
      storeUrl,
    );
    expect(tree.sessionId).toBe('child-a');
    expect(tree.rootId).toBe('root-session');
    expect(tree.root.children.map((child) => [child.session.id, child.forkedAtMessageId])).toEqual([
      ['child-a', messageAt(messages, 1).id],
      ['child-b', messageAt(messages, 3).id],
    ]);
    expect(tree.root.children[0]?.children.map((child) => child.session.id)).toEqual(['grandchild']);
    // child-a's own message (the different answer) left its path when it was rewound.
    expect(tree.rewoundTails.map((tail) => tail.messageCount)).toEqual([1]);

    const readable = await runCli(['tree', 'child-a'], storeUrl);
    expect(readable.code).toBe(0);
    const lines = readable.stdout.split('\n');
    expect(lines[0]).toMatch(/^root-session\s/);
    expect(lines.find((line) => line.includes('child-a'))).toContain('<- this session');
    expect(lines.find((line) => line.includes('child-b'))).not.toContain('<- this session');
    expect(readable.stdout).toContain(`forked at ${messageAt(messages, 3).id}`);
    expect(readable.stdout).toContain('Rewound off the path of child-a');
  });

  it('fork: creates a fork whose messages are the prefix up to --from, with the chosen id', async () => {
    const storeUrl = newStoreUrl();
    const { session, messages } = await createConversation(storeUrl);
    const fromMessage = messageAt(messages, 2);

    const fork = await runJson<Session>(['fork', session.id, '--from', fromMessage.id, '--id', 'my-fork'], storeUrl);
    expect(fork.id).toBe('my-fork');
    expect(fork.messageCount).toBe(3);
    expect(fork.forkedFrom).toEqual({ sessionId: session.id, messageId: fromMessage.id });

    const headFork = await runJson<Session>(['fork', session.id], storeUrl);
    expect(headFork.id).toMatch(/^session_/);
    expect(headFork.messageCount).toBe(messages.length);

    await withLibraryStore(storeUrl, async (store) => {
      expect(await store.getMessages('my-fork')).toEqual(messages.slice(0, 3));
      expect((await store.get(session.id))?.messageCount).toBe(messages.length);
    });
  });

  it('rewind: moves the head back and reports how many messages left the path', async () => {
    const storeUrl = newStoreUrl();
    const { session, messages } = await createConversation(storeUrl);
    const target = messageAt(messages, 1);

    const result = await runJson<{ sessionId: string; headMessageId: string; removedMessages: number; session: Session }>(
      ['rewind', session.id, '--to', target.id],
      storeUrl,
    );
    expect(result).toMatchObject({ sessionId: session.id, headMessageId: target.id, removedMessages: messages.length - 2 });
    expect(result.session.messageCount).toBe(2);

    await withLibraryStore(storeUrl, async (store) => {
      expect(await store.getMessages(session.id)).toEqual(messages.slice(0, 2));
      const branches = await store.branches(session.id);
      expect(branches.rewoundTails.flatMap((tail) => tail.messageIds)).toEqual(messages.slice(2).map((message) => message.id));
    });

    const missingTarget = await runCli(['rewind', session.id], storeUrl);
    expect(missingTarget.code).toBe(2);
    expect(missingTarget.stderr).toContain('--to');
  });

  it('a missing session exits 1 with SESSION_NOT_FOUND, and nothing on stdout', async () => {
    const storeUrl = newStoreUrl();
    await withLibraryStore(storeUrl, (store) => store.list()); // the store exists; the session does not
    for (const args of [['show', 'no-such-session'], ['tree', 'no-such-session'], ['fork', 'no-such-session'], ['rewind', 'no-such-session', '--to', 'msg_1']]) {
      const result = await runCli([...args, '--json'], storeUrl);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(/^error: .*no-such-session.*\[SESSION_NOT_FOUND\]$/m);
      expect(result.stderr).not.toContain('    at ');
      expect(result.stdout).toBe('');
    }
  });

  it('an invalid id exits 1 with INVALID_ARGUMENT', async () => {
    const storeUrl = newStoreUrl();
    await withLibraryStore(storeUrl, (store) => store.list());
    const result = await runCli(['show', '../etc/passwd'], storeUrl);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('INVALID_ARGUMENT');
    expect(result.stderr).toContain('../etc/passwd');
    expect(result.stderr).toMatch(/^error: /);
    expect(result.stdout).toBe('');
  });

  it('an unknown command exits 2', async () => {
    const result = await runCli(['frobnicate'], newStoreUrl());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });

  it('--version prints the package version', async () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(manifest.version);
  });
});
