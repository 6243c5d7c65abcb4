/**
 * The file store beyond the conformance suites: crash leftovers (a cut-short last line, an
 * interrupted commit), damaged files, hostile ids, several writers (in one process and in several),
 * a lock left behind by a process killed with SIGKILL, run files on disk, and durability settings.
 * What every driver must do is tested by the driver conformance suite (test/driver-conformance-file.test.ts).
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionRecord, WriteBatch } from '../src/driver/driver.js';
import { FileDriver } from '../src/drivers/file/driver.js';
import { decodeFileName, encodeFileName } from '../src/drivers/file/file-names.js';
import { StoreLayout } from '../src/drivers/file/layout.js';
import { InvalidArgumentError, SessionStore } from '../src/index.js';
import { cleanUpProcesses, moduleUrl, spawnTypeScript, temporaryDirectory, whenCounted, type Child } from './fixtures/child-processes.js';

afterEach(cleanUpProcesses);

/** A fresh parent directory holding the store directory `store/` and nothing else yet. */
function temporaryStore(): { parent: string; directory: string } {
  const parent = temporaryDirectory('sessionloom-file-');
  return { parent, directory: join(parent, 'store') };
}

function openStore(directory: string, warnings: string[] = [], options: { lockStaleMs?: number } = {}): { store: SessionStore; driver: FileDriver } {
  const driver = new FileDriver({ directory, onWarning: (message) => warnings.push(message), ...options });
  return { store: SessionStore.fromDriver(driver), driver };
}

async function headSegmentFile(driver: FileDriver, sessionId: string): Promise<string> {
  const record = await driver.getSession(sessionId);
  if (!record) throw new Error(`no session ${sessionId}`);
  return new StoreLayout(driver.directory).segmentFile(record.headSegmentId);
}

/** Every message of an error and of its causes, to match what a person would read. */
function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let current = error; current instanceof Error; current = current.cause) parts.push(current.message);
  return parts.join(' <- ');
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

describe('FileDriver: a last line cut short by a crash', () => {
  it('is ignored with a warning, and the next append replaces it', async () => {
    const { directory } = temporaryStore();
    const warnings: string[] = [];
    const { store, driver } = openStore(directory, warnings);
    const session = await store.create();
    const written = await store.append(session.id, [
      { role: 'user', content: 'one' },
      { role: 'assistant', content: 'two' },
      { role: 'user', content: 'three' },
    ]);
    const segmentFile = await headSegmentFile(driver, session.id);
    // What a writer killed in the middle of a write leaves: the start of a line, no newline.
    appendFileSync(segmentFile, '{"seq":4,"id":"msg_cut","createdAt":1,"body":"{\\"role\\":\\"us');

    const reader = openStore(directory, warnings);
    expect(await reader.store.getMessages(session.id)).toEqual(written);
    expect(warnings.some((warning) => warning.includes(segmentFile) && warning.includes('incomplete line'))).toBe(true);

    warnings.length = 0;
    const [fourth] = await reader.store.append(session.id, { role: 'user', content: 'four' });
    expect(warnings.some((warning) => warning.includes(segmentFile) && warning.includes('removed'))).toBe(true);
    expect((await store.getMessages(session.id)).map((message) => message.content)).toEqual(['one', 'two', 'three', 'four']);
    expect(fourth?.content).toBe('four');
    // The file is whole again: every line is complete JSON, the cut-short one is gone.
    const lines = readFileSync(segmentFile, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(readFileSync(segmentFile, 'utf8')).not.toContain('msg_cut');
  });

  it('in a message index shard, does not hide the next message', async () => {
    const { directory } = temporaryStore();
    const warnings: string[] = [];
    const { store } = openStore(directory, warnings);
    const session = await store.create();
    const layout = new StoreLayout(directory);
    const nextId = 'msg-after-crash';
    appendFileSync(layout.messageIndexFile(nextId), '{"m":"msg-half","g":"se');
    const [message] = await store.append(session.id, { id: nextId, role: 'user', content: 'after' });
    const other = openStore(directory);
    const fork = await other.store.fork(session.id, { fromMessage: nextId });
    expect((await other.store.getMessages(fork.id)).map((item) => item.id)).toEqual([message?.id]);
    expect(warnings.some((warning) => warning.includes(layout.messageIndexFile(nextId)))).toBe(true);
  });
});

describe('FileDriver: an interrupted commit', () => {
  it('whose lines survived without its journal (relaxed durability, power loss) is cut off: the next append at that seq wins', async () => {
    const { directory } = temporaryStore();
    const warnings: string[] = [];
    const { store, driver } = openStore(directory, warnings);
    const session = await store.create({ messages: [{ role: 'user', content: 'kept' }] });
    const segmentFile = await headSegmentFile(driver, session.id);
    appendFileSync(segmentFile, '{"seq":2,"id":"msg-lost","createdAt":1,"body":"{\\"role\\":\\"user\\",\\"content\\":\\"lost\\"}"}\n');
    appendFileSync(new StoreLayout(directory).operationsFile(session.id), '{"o":"op-lost","m":["msg-lost"],"c":1,"v":2}\n');

    const reader = openStore(directory, warnings);
    expect((await reader.store.getMessages(session.id)).map((message) => message.content)).toEqual(['kept']);
    expect(await reader.driver.locateMessage('msg-lost')).toBeUndefined();
    await reader.store.append(session.id, { role: 'user', content: 'won' }, { operationId: 'op-new' });
    expect((await store.getMessages(session.id)).map((message) => message.content)).toEqual(['kept', 'won']);
    expect(readFileSync(segmentFile, 'utf8')).not.toContain('msg-lost');
    expect(warnings.some((warning) => warning.includes(segmentFile) && warning.includes('beyond the head'))).toBe(true);
    // The lost operation never becomes visible, even now that the session reached its version.
    expect(await driver.getOperation(session.id, 'op-lost')).toBeUndefined();
    expect((await driver.getOperation(session.id, 'op-new'))?.messageIds).toHaveLength(1);
  });

  it('is rolled back before the next commit: lines beyond the head are never read, and the next append at that seq wins', async () => {
    const { directory } = temporaryStore();
    const warnings: string[] = [];
    const { store, driver } = openStore(directory, warnings);
    const session = await store.create({ messages: [{ role: 'user', content: 'kept' }] });
    const layout = new StoreLayout(directory);
    const segmentFile = await headSegmentFile(driver, session.id);
    const segmentLength = readFileSync(segmentFile).length;
    const orphanSegment = layout.segmentFile('seg-orphan');
    // What a process killed after journaling and appending, but before publishing the head, leaves.
    writeFileSync(
      layout.journalFile,
      `P\n${JSON.stringify({
        commitId: 'interrupted',
        appended: [{ path: relative(directory, segmentFile), length: segmentLength }],
        created: [relative(directory, orphanSegment)],
        puts: [{ path: relative(directory, layout.sessionFile(session.id)), content: 'never published' }],
        removals: [],
        commitPoint: { kind: 'put', path: relative(directory, layout.sessionFile(session.id)) },
      })}\n`,
    );
    const strayTemporary = join(directory, 'sessions', '.tmp-interrupted-replace');
    writeFileSync(strayTemporary, 'half a record');
    appendFileSync(segmentFile, '{"seq":2,"id":"msg-ghost","createdAt":1,"body":"{\\"role\\":\\"user\\",\\"content\\":\\"ghost\\"}"}\n');
    writeFileSync(orphanSegment, `${JSON.stringify({ segment: { id: 'seg-orphan', sessionId: session.id, baseSeq: 0, createdAt: 1 } })}\n`);

    const reader = openStore(directory, warnings);
    expect((await reader.store.getMessages(session.id)).map((message) => message.content)).toEqual(['kept']);
    expect(await reader.driver.readMessages((await reader.driver.getSession(session.id))!.headSegmentId, { fromSeq: 1, toSeq: 99, order: 'asc' })).toHaveLength(1);
    expect(await reader.driver.locateMessage('msg-ghost')).toBeUndefined();

    await reader.store.append(session.id, { id: 'msg-real', role: 'user', content: 'real' });
    expect((await store.getMessages(session.id)).map((message) => message.content)).toEqual(['kept', 'real']);
    expect(readFileSync(segmentFile, 'utf8')).not.toContain('ghost');
    expect(existsSync(orphanSegment)).toBe(false);
    expect(existsSync(strayTemporary)).toBe(false);
    expect(readFileSync(layout.journalFile, 'utf8')).toBe('');
    expect(warnings.some((warning) => warning.includes('rolled back commit interrupted'))).toBe(true);
    // The ghost's id was never committed, so it is free to use.
    await store.append(session.id, { id: 'msg-ghost', role: 'user', content: 'now real' });
    expect(await driver.locateMessage('msg-ghost')).toEqual({ segmentId: (await driver.getSession(session.id))!.headSegmentId, seq: 3 });
  });

  it('that passed its commit point is finished by the next commit', async () => {
    const { directory } = temporaryStore();
    const warnings: string[] = [];
    const { store } = openStore(directory, warnings);
    const first = await store.create({ metadata: { name: 'first' } });
    const second = await store.create({ metadata: { name: 'second' } });
    const layout = new StoreLayout(directory);
    // A two-session commit killed after its commit point (the journal flipped to C) with only the first record published.
    const driver = new FileDriver({ directory });
    const records = await Promise.all([first.id, second.id].map(async (id) => (await driver.getSession(id)) as SessionRecord));
    const updated = records.map((record) => ({ ...record, version: record.version + 1, metadata: { name: `${String(record.metadata.name)} updated` } }));
    const contents = updated.map((record) => `${JSON.stringify({ format: 1, commitId: 'finished-later', record })}\n`);
    writeFileSync(
      layout.journalFile,
      `C\n${JSON.stringify({
        commitId: 'finished-later',
        appended: [],
        created: [],
        puts: updated.map((record, index) => ({ path: relative(directory, layout.sessionFile(record.id)), content: contents[index] })),
        removals: [],
        commitPoint: { kind: 'flip' },
      })}\n`,
    );
    writeFileSync(layout.sessionFile(first.id), contents[0] ?? '');

    await store.touch(first.id); // any commit recovers first
    expect((await store.get(second.id))?.metadata).toEqual({ name: 'second updated' });
    expect((await store.get(first.id))?.version).toBe(first.version + 2);
    expect(warnings.some((warning) => warning.includes('finished commit finished-later'))).toBe(true);
  });
});

describe('FileDriver: a damaged file', () => {
  it('fails only its own session, naming the file and the line; other sessions stay readable and writable', async () => {
    const { directory } = temporaryStore();
    const warnings: string[] = [];
    const { store, driver } = openStore(directory, warnings);
    const damaged = await store.create({ userId: 'owner', messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }, { role: 'user', content: 'c' }] });
    const healthy = await store.create({ userId: 'owner', messages: [{ role: 'user', content: 'fine' }] });
    const segmentFile = await headSegmentFile(driver, damaged.id);
    const lines = readFileSync(segmentFile, 'utf8').split('\n');
    lines[2] = '{"seq":2,"id":"x" this is not JSON'; // line 3 of the file: the second message
    writeFileSync(segmentFile, lines.join('\n'));

    const reader = openStore(directory, warnings);
    const error = await rejectionOf(reader.store.getMessages(damaged.id));
    expect(describeError(error)).toContain(segmentFile);
    expect(describeError(error)).toContain('line 3');
    expect((await reader.store.getMessages(healthy.id)).map((message) => message.content)).toEqual(['fine']);
    await reader.store.append(healthy.id, { role: 'user', content: 'still writable' });
    expect((await reader.store.list({ userId: 'owner' })).sessions.map((session) => session.id).sort()).toEqual([damaged.id, healthy.id].sort());
  });

  it('a damaged session record fails that session and is left out of listings with a warning', async () => {
    const { directory } = temporaryStore();
    const warnings: string[] = [];
    const { store } = openStore(directory, warnings);
    const damaged = await store.create({ userId: 'lister' });
    const healthy = await store.create({ userId: 'lister' });
    const sessionFile = new StoreLayout(directory).sessionFile(damaged.id);
    writeFileSync(sessionFile, '{"format":1,"commitId":"x","record":{"id":');

    const reader = openStore(directory, warnings);
    const error = await rejectionOf(reader.store.get(damaged.id));
    expect(describeError(error)).toContain(sessionFile);
    expect(describeError(error)).toContain('line 1');
    expect((await reader.store.list({ userId: 'lister' })).sessions.map((session) => session.id)).toEqual([healthy.id]);
    expect(warnings.some((warning) => warning.includes(sessionFile))).toBe(true);
    expect(await reader.store.get(healthy.id)).toEqual(healthy);
  });
});

/** Ids that must never reach the file system, with what each tries. */
const HOSTILE_IDS: Array<[string, string]> = [
  ['empty', ''],
  ['dot', '.'],
  ['dot dot', '..'],
  ['parent escape', '../x'],
  ['deep parent escape', '../../../../etc/passwd'],
  ['absolute path', '/etc/passwd'],
  ['slash', 'a/b'],
  ['backslash', 'a\\b'],
  ['Windows drive path', 'C:\\x'],
  ['Windows parent escape', '..\\x'],
  ['NUL byte', 'x\u0000y'],
  ['201 characters', 'a'.repeat(201)],
  ['percent-encoded dots', '%2e%2e'],
  ['percent-encoded escape', '%2e%2e%2fx'],
  ['fullwidth dots', '\uff0e\uff0e'],
  ['fullwidth slash', 'a\uff0fb'],
  ['Cyrillic lookalike', '\u0455ession'],
  ['one dot leader', '\u2024\u2024'],
  ['trailing space', 'x '],
  ['leading dot', '.hidden'],
  ['newline', 'line\nbreak'],
  ['right-to-left override', 'x\u202eb'],
  ['zero-width space', 'x\u200by'],
  ['tilde home', '~root'],
  ['leading dash', '-rf'],
];

/** Every file and directory under `root`, with a hash of each file's content. */
function snapshotTree(root: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const visit = (directory: string) => {
    for (const name of readdirSync(directory)) {
      const path = join(directory, name);
      const status = lstatSync(path);
      const key = relative(root, path);
      if (status.isDirectory()) {
        entries[key] = 'directory';
        visit(path);
      } else {
        entries[key] = createHash('sha256').update(readFileSync(path)).digest('hex');
      }
    }
  };
  visit(root);
  return entries;
}

describe('FileDriver: hostile ids', () => {
  it(`refuses ${HOSTILE_IDS.length} hostile ids through SessionStore, creating, reading and deleting nothing anywhere`, async () => {
    const { parent, directory } = temporaryStore();
    const { store } = openStore(directory);
    const source = await store.create({ messages: [{ role: 'user', content: 'source' }] });
    // Bait where an escaping path would land: a valid-looking session file outside the store.
    const layout = new StoreLayout(directory);
    const bait = readFileSync(layout.sessionFile(source.id));
    for (const name of ['x.json', 'x', 'passwd', 'b.json']) writeFileSync(join(parent, name), bait);
    mkdirSync(join(parent, 'victim'));
    writeFileSync(join(parent, 'victim', 'keep.txt'), 'keep');
    const before = snapshotTree(parent);

    for (const [description, id] of HOSTILE_IDS) {
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['create', () => store.create({ id })],
        ['get', () => store.get(id)],
        ['append', () => store.append(id, { role: 'user', content: 'x' })],
        ['getMessages', () => store.getMessages(id)],
        ['fork to', () => store.fork(source.id, { id })],
        ['fork from', () => store.fork(id)],
        ['delete', () => store.delete(id)],
        ['append with message id', () => store.append(source.id, { id, role: 'user', content: 'x' })],
        ['append with operation id', () => store.append(source.id, { role: 'user', content: 'x' }, { operationId: id })],
        ['rewind to', () => store.rewind(source.id, { toMessage: id })],
      ];
      for (const [call, run] of calls) {
        const error = await rejectionOf(run());
        expect({ description, call, invalid: InvalidArgumentError.isInstance(error) }).toEqual({ description, call, invalid: true });
      }
    }
    expect(snapshotTree(parent)).toEqual(before);
    expect((await store.getMessages(source.id)).map((message) => message.content)).toEqual(['source']);
  });

  it('refuses them directly at the driver too, before any path is built', async () => {
    const { parent, directory } = temporaryStore();
    const driver = new FileDriver({ directory });
    const store = SessionStore.fromDriver(driver);
    const source = await store.create({ messages: [{ role: 'user', content: 'source' }] });
    const record = (await driver.getSession(source.id)) as SessionRecord;
    const before = snapshotTree(parent);

    for (const [description, id] of HOSTILE_IDS) {
      const batches: WriteBatch[] = [
        { sessions: [{ record: { ...record, id }, expectedVersion: 0 }] },
        { sessions: [{ record: { ...record, headSegmentId: id }, expectedVersion: record.version }] },
        { deleteSessions: [{ id, expectedVersion: 1 }] },
        { checks: [{ id, version: 1 }] },
        { segments: [{ id, sessionId: source.id, baseSeq: 0, createdAt: 1 }] },
        { segments: [{ id: 'seg-ok', sessionId: id, baseSeq: 0, createdAt: 1 }] },
        { messages: [{ id, segmentId: record.headSegmentId, seq: 2, createdAt: 1, body: '{}' }] },
        { messages: [{ id: 'msg-ok', segmentId: id, seq: 1, createdAt: 1, body: '{}' }] },
        { operations: [{ sessionId: source.id, operationId: id, messageIds: [], createdAt: 1 }] },
        { runs: [{ id, sessionId: source.id, status: 'running', startedAt: 1, usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 }, metadata: {}, eventCount: 0 }] },
        { runEvents: [{ runId: id, seq: 1, type: 'text', at: 1, data: '{}' }] },
      ];
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['getSession', () => driver.getSession(id)],
        ['getSegment', () => driver.getSegment(id)],
        ['listSegments by session', () => driver.listSegments({ sessionId: id })],
        ['listSegments by parent', () => driver.listSegments({ parentId: id })],
        ['readMessages', () => driver.readMessages(id, { fromSeq: 1, toSeq: 10, order: 'asc' })],
        ['locateMessage', () => driver.locateMessage(id)],
        ['getOperation session', () => driver.getOperation(id, 'op')],
        ['getOperation operation', () => driver.getOperation(source.id, id)],
        ['deleteMessagesAfter', () => driver.deleteMessagesAfter(id, 0)],
        ['deleteSegment', () => driver.deleteSegment(id)],
        ['getRun', () => driver.getRun(id)],
        ['listRuns', () => driver.listRuns(id)],
        ['readRunEvents', () => driver.readRunEvents(id, { afterSeq: 0 })],
        ...batches.map((batch, index): [string, () => Promise<unknown>] => [`commit #${index}`, () => driver.commit(batch)]),
      ];
      for (const [call, run] of calls) {
        const error = await rejectionOf(run());
        expect({ description, call, invalid: InvalidArgumentError.isInstance(error) }).toEqual({ description, call, invalid: true });
      }
    }
    expect(snapshotTree(parent)).toEqual(before);
  });

  it('stores tricky but valid ids inside the directory, each in its own reversibly named file', async () => {
    const { parent, directory } = temporaryStore();
    const { store } = openStore(directory);
    const ids = ['C:x', 'x.', 'x..', 'CON', 'con', 'nul.txt', 'a..b', 'tenant:a@b.c', 'Abc', 'abc', 'ABC', 'aBc', `Z${'z'.repeat(199)}`, 'A'.repeat(200)];
    for (const id of ids) await store.create({ id, metadata: { id } });
    for (const id of ids) expect((await store.get(id))?.metadata).toEqual({ id });
    const names = readdirSync(join(directory, 'sessions')).filter((name) => name.endsWith('.json'));
    expect(names).toHaveLength(ids.length);
    // Distinct even on a case-insensitive file system.
    expect(new Set(names.map((name) => name.toLowerCase())).size).toBe(ids.length);
    expect(names.map((name) => decodeFileName(name.slice(0, -'.json'.length))).sort()).toEqual([...ids].sort());
    for (const name of names) {
      expect(name).toMatch(/^[a-z0-9_@+,~-]+\.json$/);
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
    }
    expect(readdirSync(parent)).toEqual(['store']);
  });

  it('encodes and decodes file names as exact inverses', () => {
    for (const id of ['order-42', 'Order-42', 'session_01JABCDEFGHJKMNPQRSTVWXYZ0', 'tenant:a@b.c', 'x.', 'A'.repeat(200), '9']) {
      expect(decodeFileName(encodeFileName(id))).toBe(id);
    }
    expect(encodeFileName('Order-42')).toBe('order-42~b');
    expect(encodeFileName('tenant:a@b.c')).toBe('tenant+a@b,c~');
    for (const name of ['', '~', 'order-42', 'Order-42~', 'order-42~a', 'x~9', '..~', 'a/b~', 'ab~e', 'a1~c']) expect(decodeFileName(name)).toBeUndefined();
  });
});

describe('FileDriver: several writers', () => {
  it('loses nothing when two drivers on one directory append concurrently', async () => {
    const { directory } = temporaryStore();
    const first = openStore(directory);
    const second = openStore(directory);
    const session = await first.store.create();
    const texts = Array.from({ length: 40 }, (_, index) => `message ${index}`);
    const results = await Promise.all(texts.map((text, index) => (index % 2 === 0 ? first : second).store.append(session.id, { role: 'user', content: text })));
    const stored = await openStore(directory).store.getMessages(session.id);
    expect(stored.map((message) => message.content).sort()).toEqual([...texts].sort());
    expect(stored.map((message) => message.id).sort()).toEqual(results.flat().map((message) => message.id).sort());
    expect((await second.store.get(session.id))?.messageCount).toBe(40);
  });

  it('loses and duplicates nothing when 3 processes append to one session at once, each in its own order', async () => {
    const { directory } = temporaryStore();
    const { store } = openStore(directory);
    const session = await store.create();
    const perWriter = 25;
    const writers = ['w0', 'w1', 'w2'].map((name) => spawnWriter(directory, session.id, name, perWriter));
    await Promise.all(writers.map((writer) => writer.ready));
    for (const writer of writers) writer.child.stdin.write('go\n');
    const codes = await Promise.all(writers.map((writer) => writer.exited));
    expect(codes, writers.flatMap((writer) => writer.stderr).join('\n')).toEqual([0, 0, 0]);

    const stored = await openStore(directory).store.getMessages(session.id);
    const contents = stored.map((message) => String(message.content));
    expect(contents).toHaveLength(3 * perWriter);
    expect(new Set(contents).size).toBe(contents.length);
    for (const writer of writers) {
      expect(contents.filter((content) => content.startsWith(`${writer.name}:`))).toEqual(Array.from({ length: perWriter }, (_, index) => `${writer.name}:${index}`));
      const idByContent = new Map(stored.map((message) => [String(message.content), message.id]));
      for (const ack of writer.acks()) expect(idByContent.get(ack.content)).toBe(ack.id);
    }
  });

  it('keeps every acknowledged append of a writer killed with SIGKILL mid-stream, and stays healthy', async () => {
    const { directory } = temporaryStore();
    const warnings: string[] = [];
    const { store } = openStore(directory, warnings);
    const session = await store.create();
    const writer = spawnWriter(directory, session.id, 'crash', 0);
    await writer.ready;
    writer.child.stdin.write('go\n');
    await writer.acknowledged(40);
    writer.child.kill('SIGKILL');
    expect(await writer.exited).toBe('SIGKILL');
    const acks = writer.acks();

    const after = openStore(directory, warnings, { lockStaleMs: 2_000 });
    await after.store.append(session.id, { role: 'user', content: 'after the crash' });
    const stored = await after.store.getMessages(session.id);
    const contents = stored.map((message) => String(message.content));
    expect(contents.slice(0, acks.length)).toEqual(acks.map((ack) => ack.content));
    expect(contents.length - acks.length).toBeLessThanOrEqual(2); // the append in flight, then ours
    expect(contents[contents.length - 1]).toBe('after the crash');
    expect((await after.store.get(session.id))?.messageCount).toBe(stored.length);
  });
});

describe('FileDriver: the commit lock', () => {
  it('takes over a lock left by a process killed with SIGKILL', async () => {
    const { directory } = temporaryStore();
    const { store } = openStore(directory);
    const session = await store.create();
    const layout = new StoreLayout(directory);

    const holder = spawnTypeScript(
      `
      import { CommitLock } from ${JSON.stringify(moduleUrl('src/drivers/file/lock.ts'))};
      const [root, lockDirectory] = [process.env.STORE_DIRECTORY, process.env.LOCK_DIRECTORY];
      setInterval(() => {}, 1000); // stay alive, holding the lock, until killed
      await new CommitLock(root, lockDirectory, 2000, console.error).run(async () => {
        console.log('locked');
        await new Promise(() => {});
      });
      `,
      { STORE_DIRECTORY: directory, LOCK_DIRECTORY: layout.lockDirectory },
    );
    await holder.line('locked');
    holder.child.kill('SIGKILL');
    expect(await holder.exited).toBe('SIGKILL');
    expect(existsSync(layout.lockDirectory)).toBe(true); // left behind: nobody released it

    const { store: next } = openStore(directory, [], { lockStaleMs: 2_000 });
    const [message] = await next.append(session.id, { role: 'user', content: 'after the takeover' });
    expect((await next.getMessages(session.id)).map((item) => item.id)).toEqual([message?.id]);
    expect(existsSync(layout.lockDirectory)).toBe(false); // released after the commit
  });
});

describe('FileDriver: runs on disk', () => {
  it('removes a session\'s run and event files with the session', async () => {
    const { directory } = temporaryStore();
    const store = SessionStore.fromDriver(new FileDriver({ directory }));
    const session = await store.create();
    const run = await store.startRun(session.id);
    await store.recordRunEvents(run.id, [{ type: 'text', data: { text: 'hi' } }]);
    const layout = new StoreLayout(directory);
    expect(existsSync(layout.runFile(run.id)) && existsSync(layout.runEventsFile(run.id))).toBe(true);
    await store.delete(session.id);
    expect(existsSync(layout.runFile(run.id)) || existsSync(layout.runEventsFile(run.id))).toBe(false);
  });
});

describe('FileDriver: durability', () => {
  it('works the same with relaxed durability', async () => {
    const { directory } = temporaryStore();
    const store = SessionStore.fromDriver(new FileDriver({ directory, durability: 'relaxed' }));
    const session = await store.create({ messages: [{ role: 'user', content: 'hello' }] });
    const fork = await store.fork(session.id);
    await store.append(fork.id, { role: 'assistant', content: 'hi' });
    const reopened = SessionStore.fromDriver(new FileDriver({ directory }));
    expect((await reopened.getMessages(fork.id)).map((message) => message.content)).toEqual(['hello', 'hi']);
  });

  it('refuses a directory that holds something other than a file store', () => {
    const { directory } = temporaryStore();
    mkdirSync(directory);
    writeFileSync(join(directory, 'sessionloom-store.json'), '{"format":"something-else"}');
    expect(() => new FileDriver({ directory })).toThrow(/does not describe a sessionloom file store/);
  });
});

interface Writer extends Child {
  name: string;
  ready: Promise<void>;
  acks(): Array<{ content: string; id: string }>;
  /** Resolves once the writer acknowledged at least `count` appends. */
  acknowledged(count: number): Promise<void>;
}

/** A process appending `count` messages (0: forever) to one session, printing `ack <content> <id>` after each. */
function spawnWriter(directory: string, sessionId: string, name: string, count: number): Writer {
  const child = spawnTypeScript(
    `
    import { createInterface } from 'node:readline';
    import { FileDriver } from ${JSON.stringify(moduleUrl('src/drivers/file/driver.ts'))};
    import { SessionStore } from ${JSON.stringify(moduleUrl('src/index.ts'))};
    const { STORE_DIRECTORY, SESSION_ID, WRITER, COUNT } = process.env;
    const store = SessionStore.fromDriver(new FileDriver({ directory: STORE_DIRECTORY, lockStaleMs: 2000 }));
    await store.get(SESSION_ID);
    console.log('ready');
    for await (const line of createInterface({ input: process.stdin })) if (line.trim() === 'go') break;
    for (let index = 0; Number(COUNT) === 0 || index < Number(COUNT); index += 1) {
      const content = WRITER + ':' + index;
      const [message] = await store.append(SESSION_ID, { role: 'user', content });
      console.log('ack ' + content + ' ' + message.id);
    }
    await store.close();
    process.exit(0);
    `,
    { STORE_DIRECTORY: directory, SESSION_ID: sessionId, WRITER: name, COUNT: String(count) },
  );
  const acks = () =>
    child.lines
      .filter((line) => line.startsWith('ack '))
      .map((line) => {
        const [, content = '', id = ''] = line.split(' ');
        return { content, id };
      });
  return {
    ...child,
    name,
    ready: child.line('ready'),
    acks,
    acknowledged: (target) => whenCounted(child, () => acks().length, target),
  };
}
