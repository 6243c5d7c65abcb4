/**
 * The fallback store's logic over a primary whose availability the test switches: a memory driver
 * behind a gate that answers StoreUnavailableError while closed (as a real driver does when its
 * server is down). The same promises against real Redis and PostgreSQL servers, stopped and killed,
 * are in fallback-servers.test.ts.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { decodePayload } from '../src/drivers/fallback/journal.js';
import { SqliteJournal } from '../src/drivers/fallback/sqlite-journal.js';
import { encodeLine } from '../src/transfer/format.js';
import { SqliteDriver } from '../src/drivers/sqlite/driver.js';
import { InvalidArgumentError, MemoryDriver, SessionStore, StoreUnavailableError, type StorageDriver } from '../src/index.js';
import { ManualClock } from '../src/testing/index.js';
import { everything } from '../src/testing/transfer.js';

/** A driver that fails every call with StoreUnavailableError while `down`, optionally after `failAfter` more commits; each call may take `delayMs`. */
function gatedDriver(inner: StorageDriver) {
  const gate = { down: false, commitsBeforeFailure: Infinity, delayMs: 0 };
  const driver = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'close') return value;
      return async (...args: unknown[]) => {
        if (property === 'commit' && gate.commitsBeforeFailure !== Infinity) {
          if (gate.commitsBeforeFailure <= 0) gate.down = true;
          gate.commitsBeforeFailure -= 1;
        }
        if (gate.down) throw new StoreUnavailableError({ store: 'gated', message: 'the gated store is down' });
        if (gate.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, gate.delayMs));
        return (value as (...callArgs: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
  return { driver, gate };
}

const directories: string[] = [];
const stores: SessionStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function journalDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'sessionloom-journal-test-'));
  directories.push(directory);
  return directory;
}

function setup<Primary extends StorageDriver = MemoryDriver>(options: { directory?: string; backend?: Primary; clock?: () => number } = {}) {
  const backend = options.backend ?? (new MemoryDriver() as StorageDriver as Primary);
  const { driver, gate } = gatedDriver(backend);
  const events: string[] = [];
  const conflicts: Array<{ sessionId: string; forkId: string }> = [];
  const primary = SessionStore.fromDriver(driver);
  const store = SessionStore.fallback(primary, {
    fallback: { directory: options.directory ?? journalDirectory() },
    probeIntervalMs: 60_000, // the tests call recover() themselves
    onFallback: () => events.push('fallback'),
    onRecover: () => events.push('recover'),
    onConflict: (conflict) => conflicts.push(conflict),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  stores.push(store);
  // A second, direct view of the primary's data, as another process would have.
  const direct = SessionStore.fromDriver(backend, { ownsDriver: false });
  return { store, gate, events, conflicts, direct, backend };
}

const texts = (messages: Array<{ content: unknown }>) => messages.map((message) => String(message.content));

describe('fallback store', () => {
  it('keeps appending through an outage and replays every degraded append to the primary, in order, once', async () => {
    const { store, gate, events, direct } = setup();
    const session = await store.create();
    await store.append(session.id, [{ role: 'user', content: 'before 1' }, { role: 'assistant', content: 'before 2' }]);
    gate.down = true;
    for (let index = 0; index < 10; index += 1) await store.append(session.id, { role: 'user', content: `during ${index}` });
    expect(store.isDegraded()).toBe(true);
    expect(store.status()).toMatchObject({ degraded: true, journalLength: 11 }); // one seed + ten appends
    expect(texts(await store.getMessages(session.id, { last: 3 }))).toEqual(['during 7', 'during 8', 'during 9']);
    await expect(store.recover()).rejects.toSatisfy(StoreUnavailableError.isInstance);
    gate.down = false;
    const report = await store.recover();
    expect(report).toMatchObject({ entries: 10, conflicts: [] });
    expect(events).toEqual(['fallback', 'recover']);
    expect(store.isDegraded()).toBe(false);
    expect(store.status()).toMatchObject({ degraded: false, journalLength: 0 });
    const onPrimary = texts(await direct.getMessages(session.id));
    expect(onPrimary).toEqual(['before 1', 'before 2', ...Array.from({ length: 10 }, (_, index) => `during ${index}`)]);
    expect((await direct.get(session.id))?.version).toBe((await store.get(session.id))?.version);
  });

  it('serves the call that starts an outage, and replays, even when the callbacks throw', async () => {
    const { driver, gate } = gatedDriver(new MemoryDriver());
    const broken = () => {
      throw new Error('the logger broke');
    };
    const store = SessionStore.fallback(SessionStore.fromDriver(driver), { fallback: 'memory', probeIntervalMs: 60_000, onFallback: broken, onRecover: broken });
    stores.push(store);
    const session = await store.create();
    gate.down = true;
    await store.append(session.id, { role: 'user', content: 'during' });
    expect(store.isDegraded()).toBe(true);
    gate.down = false;
    expect(await store.recover()).toMatchObject({ entries: 1 });
    expect(store.isDegraded()).toBe(false);
  });

  it('takes file checkpoints through an outage, journals their content, and the primary rewinds the files after recovery', async () => {
    const { store, gate, direct } = setup();
    const workspace = journalDirectory();
    const file = (name: string) => join(workspace, name);
    writeFileSync(file('plan.md'), 'version 1');
    const session = await store.create();
    const [turn1] = await store.append(session.id, { role: 'user', content: 'turn 1' });
    await store.checkpoint(session.id, { workspace });
    writeFileSync(file('plan.md'), 'version 2');
    await store.append(session.id, { role: 'assistant', content: 'edited' });
    await store.finishCheckpoint(session.id, { workspace });

    gate.down = true;
    const [turn2] = await store.append(session.id, { role: 'user', content: 'turn 2' });
    expect(store.isDegraded()).toBe(true);
    // The earlier checkpoint is on the primary: this one records the whole workspace, content included.
    const during = await store.checkpoint(session.id, { workspace });
    expect(during).toMatchObject({ messageId: turn2!.id, files: 1, changedFiles: 1, bytesStored: 'version 2'.length, existing: false });
    writeFileSync(file('plan.md'), 'version 3');
    writeFileSync(file('new.txt'), 'created in turn 2');
    await store.append(session.id, { role: 'assistant', content: 'edited again' });
    await store.finishCheckpoint(session.id, { workspace });
    // Rewinding files during the outage would need the primary's checkpoints: refused as unavailable, nothing moved.
    await expect(store.rewind(session.id, { toMessage: turn1!.id, rewindFiles: true, workspace })).rejects.toSatisfy(StoreUnavailableError.isInstance);
    expect(readFileSync(file('plan.md'), 'utf8')).toBe('version 3');
    expect((await store.get(session.id))?.messageCount).toBe(4);

    gate.down = false;
    await store.recover();
    expect((await direct.checkpoints(session.id)).map((checkpoint) => checkpoint.messageId)).toEqual([turn1!.id, turn2!.id]);
    await direct.rewind(session.id, { toMessage: turn2!.id, rewindFiles: true, workspace });
    expect(readFileSync(file('plan.md'), 'utf8')).toBe('version 2');
    expect(existsSync(file('new.txt'))).toBe(false);
    await direct.rewind(session.id, { toMessage: turn1!.id, rewindFiles: true, workspace });
    expect(readFileSync(file('plan.md'), 'utf8')).toBe('version 1');
  });

  it('creates sessions during an outage, forks and rewinds them, and replays it all', async () => {
    const { store, gate, direct } = setup();
    gate.down = true;
    const created = await store.create({ userId: 'u-1', metadata: { topic: 'outage' } });
    const [first] = await store.append(created.id, [{ role: 'user', content: 'one' }, { role: 'user', content: 'two' }]);
    const fork = await store.fork(created.id, { fromMessage: first!.id });
    await store.append(fork.id, { role: 'user', content: 'fork two' });
    await store.rewind(created.id, { toMessage: first!.id });
    await store.append(created.id, { role: 'user', content: 'two again' });
    gate.down = false;
    await store.recover();
    expect(texts(await direct.getMessages(created.id))).toEqual(['one', 'two again']);
    expect(texts(await direct.getMessages(fork.id))).toEqual(['one', 'fork two']);
    expect((await direct.get(created.id))?.metadata).toEqual({ topic: 'outage' });
    expect((await direct.branches(created.id)).rewoundTails.flatMap((tail) => tail.messageIds)).toHaveLength(1);
  });

  it('serves recently used sessions during an outage, and refuses history it does not hold instead of answering partially', async () => {
    const { store, gate } = setup();
    const warm = await store.create();
    // 300 messages: more than the 200 newest the cache keeps per segment.
    const written = await store.append(
      warm.id,
      Array.from({ length: 300 }, (_, index) => ({ role: 'user' as const, content: `m${index}` })),
    );
    gate.down = true;
    expect(texts(await store.getMessages(warm.id, { last: 50 }))).toEqual(texts(written.slice(250)));
    await store.append(warm.id, { role: 'assistant', content: 'during' });
    expect(texts(await store.getMessages(warm.id, { last: 2 }))).toEqual(['m299', 'during']);
    await expect(store.getMessages(warm.id)).rejects.toSatisfy(StoreUnavailableError.isInstance);
    await expect(store.get('never-seen-session')).rejects.toSatisfy(StoreUnavailableError.isInstance);
  });

  it('turns degraded writes to a session also changed on the primary into a fork, dropping neither side', async () => {
    const { store, gate, conflicts, direct } = setup();
    const session = await store.create();
    const [base] = await store.append(session.id, { role: 'user', content: 'shared' });
    gate.down = true;
    await store.append(session.id, { role: 'user', content: 'mine 1' });
    await store.append(session.id, { role: 'user', content: 'mine 2' });
    // Meanwhile another process, which still reaches the primary, writes to the same session.
    await direct.append(session.id, { role: 'user', content: 'theirs' });
    gate.down = false;
    const report = (await store.recover())!;
    expect(report.conflicts).toHaveLength(1);
    expect(conflicts).toEqual(report.conflicts);
    const forkId = report.conflicts[0]!.forkId;
    expect(texts(await direct.getMessages(session.id))).toEqual(['shared', 'theirs']);
    expect(texts(await direct.getMessages(forkId))).toEqual(['shared', 'mine 1', 'mine 2']);
    expect(await direct.get(forkId)).toMatchObject({ parentId: session.id, forkedFrom: { sessionId: session.id, messageId: base!.id } });
    // Both keep working afterwards.
    await store.append(forkId, { role: 'user', content: 'mine 3' });
    await store.append(session.id, { role: 'user', content: 'after' });
    expect(texts(await direct.getMessages(forkId))).toEqual(['shared', 'mine 1', 'mine 2', 'mine 3']);
    expect(texts(await direct.getMessages(session.id))).toEqual(['shared', 'theirs', 'after']);
  });

  it('turns a degraded append into a fork when the primary recorded its operation id meanwhile, appending nothing twice', async () => {
    const { store, gate, conflicts, direct, backend } = setup();
    const session = await store.create();
    await store.append(session.id, { role: 'user', content: 'shared' });
    gate.down = true;
    await store.append(session.id, { role: 'user', content: 'mine' }, { operationId: 'op-1' });
    // Another writer recorded the same operation for the session without moving it (as a retry that had landed would).
    await backend.commit({ operations: [{ sessionId: session.id, operationId: 'op-1', messageIds: [], createdAt: Date.now() }] });
    gate.down = false;
    const report = (await store.recover())!;
    expect(report.conflicts).toEqual([{ sessionId: session.id, forkId: expect.any(String) }]);
    expect(conflicts).toEqual(report.conflicts);
    expect(texts(await direct.getMessages(session.id))).toEqual(['shared']);
    expect(texts(await direct.getMessages(report.conflicts[0]!.forkId))).toEqual(['shared', 'mine']);
  });

  it('keeps taking writes during a long replay, without waiting for it; they reach the primary after it, in order', async () => {
    const { store, gate, direct } = setup();
    const session = await store.create();
    gate.down = true;
    const contents = Array.from({ length: 40 }, (_, index) => `m${index}`);
    for (const content of contents) await store.append(session.id, { role: 'user', content });
    gate.down = false;
    gate.delayMs = 15; // each replayed entry takes two calls: the replay lasts over a second
    const recovery = store.recover();
    await new Promise((resolve) => setTimeout(resolve, 150));
    const startedAt = performance.now();
    await store.append(session.id, { role: 'user', content: 'during the replay' });
    expect(performance.now() - startedAt).toBeLessThan(300);
    expect(store.isDegraded()).toBe(true);
    await recovery;
    gate.delayMs = 0;
    expect(texts(await direct.getMessages(session.id))).toEqual([...contents, 'during the replay']);
  });

  it('finishes a replay interrupted halfway without duplicating what already landed', async () => {
    const { store, gate, direct } = setup();
    const session = await store.create();
    gate.down = true;
    for (let index = 0; index < 8; index += 1) await store.append(session.id, { role: 'user', content: `m${index}` });
    gate.down = false;
    gate.commitsBeforeFailure = 3; // the primary fails again after three replayed batches
    await expect(store.recover()).rejects.toSatisfy(StoreUnavailableError.isInstance);
    expect(texts(await direct.getMessages(session.id))).toEqual(['m0', 'm1', 'm2']);
    gate.commitsBeforeFailure = Infinity;
    gate.down = false;
    await store.recover();
    expect(texts(await direct.getMessages(session.id))).toEqual(Array.from({ length: 8 }, (_, index) => `m${index}`));
  });

  it('keeps its journal across a restart of the process and replays it before serving the primary again', async () => {
    const directory = journalDirectory();
    const first = setup({ directory });
    const session = await first.store.create();
    await first.store.append(session.id, { role: 'user', content: 'before' });
    first.gate.down = true;
    await first.store.append(session.id, { role: 'user', content: 'during' });
    await first.store.close(); // as if the process ended; the journal stays on disk

    // The "restarted process": a new fallback store over the same primary data and journal directory.
    const { driver, gate } = gatedDriver(first.backend);
    const restarted = SessionStore.fallback(SessionStore.fromDriver(driver), { fallback: { directory }, probeIntervalMs: 60_000 });
    stores.push(restarted);
    expect(restarted.isDegraded()).toBe(true);
    expect(texts(await restarted.getMessages(session.id, { last: 1 }))).toEqual(['during']);
    gate.down = false;
    await restarted.recover();
    expect(texts(await first.direct.getMessages(session.id))).toEqual(['before', 'during']);
  });

  it('keys its default journal by the primary store, so a journal is never replayed into another store', async () => {
    const directory = journalDirectory();
    const open = (name: string) => SessionStore.fallback(SessionStore.sqlite(join(directory, name)), { probeIntervalMs: 60_000 });
    const first = open('one.db');
    const other = open('two.db');
    stores.push(first, other);
    const firstLocation = first.status()!.journalLocation;
    expect(other.status()!.journalLocation).not.toBe(firstLocation);
    expect(dirname(other.status()!.journalLocation)).not.toBe(dirname(firstLocation));
    // The same store opened twice shares the directory (each process takes its own slot in it).
    const again = open('one.db');
    stores.push(again);
    expect(dirname(again.status()!.journalLocation)).toBe(dirname(firstLocation));
    expect(again.status()!.journalLocation).not.toBe(firstLocation);
  });
});

describe('the SQLite journal', () => {
  it('keeps bytes (checkpoint content) exactly, and still reads entries an earlier version wrote as plain JSON', async () => {
    const directory = journalDirectory();
    const journal = SqliteJournal.open(directory);
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    journal.append({ kind: 'batch', batch: { blobs: [{ hash: 'a'.repeat(64), bytes }] } });
    const location = journal.location;
    journal.close();

    // An entry in the earlier format: JSON.stringify of the payload, no prefix.
    const raw = new Database(location);
    raw.prepare('INSERT INTO entries (payload) VALUES (?)').run(JSON.stringify({ kind: 'batch', batch: { runEvents: [{ runId: 'r', seq: 1, type: 't', at: 1, data: '{"$sl":1}' }] } }));
    raw.close();

    const reopened = SqliteJournal.open(directory);
    const [written, earlier] = reopened.entries();
    expect(written?.payload).toEqual({ kind: 'batch', batch: { blobs: [{ hash: 'a'.repeat(64), bytes }] } });
    expect((written?.payload as { batch: { blobs: Array<{ bytes: unknown }> } }).batch.blobs[0]?.bytes).toBeInstanceOf(Uint8Array);
    expect(earlier?.payload).toEqual({ kind: 'batch', batch: { runEvents: [{ runId: 'r', seq: 1, type: 't', at: 1, data: '{"$sl":1}' }] } });
    reopened.close();
  });
});

describe('the fallback store with history from before the outage', () => {
  it('refuses to delete, prune or branch it during the outage, changing nothing, and the primary keeps it all', async () => {
    const { store, gate, direct } = setup();
    const session = await store.create();
    await store.append(session.id, [{ role: 'user', content: 'one' }, { role: 'user', content: 'two' }]);
    const fork = await store.fork(session.id);
    gate.down = true;
    const before = await store.get(session.id);
    // Deleting needs all of the session's history and who continues it: only the primary knows.
    await expect(store.delete(session.id)).rejects.toSatisfy(StoreUnavailableError.isInstance);
    await expect(store.prune({ olderThan: Date.now() + 60_000 })).rejects.toSatisfy(StoreUnavailableError.isInstance);
    // Lists of its segments and runs would be partial: refused rather than answered in part.
    await expect(store.branches(session.id)).rejects.toSatisfy(StoreUnavailableError.isInstance);
    await expect(store.runs(session.id)).rejects.toSatisfy(StoreUnavailableError.isInstance);
    expect(await store.get(session.id)).toEqual(before);
    expect(await store.get(fork.id)).toMatchObject({ id: fork.id });
    expect(store.status()).toMatchObject({ journalLength: 0 });
    gate.down = false;
    expect(await store.recover()).toMatchObject({ entries: 0, conflicts: [] });
    expect(texts(await direct.getMessages(session.id))).toEqual(['one', 'two']);
    expect(await direct.get(fork.id)).toBeDefined();
  });

  it('refuses to create, during the outage, a session it saw on the primary just before', async () => {
    const { store, gate } = setup();
    const session = await store.create();
    gate.down = true;
    const error = await store.create({ id: session.id }).catch((caught: unknown) => caught);
    expect(InvalidArgumentError.isInstance(error), String(error)).toBe(true);
    expect(String(error)).toMatch(/already exists/);
    expect(store.status()).toMatchObject({ degraded: true, journalLength: 0 });
  });

  it('records events of a run started before the outage: the new ones are readable, the earlier ones wait, all land after', async () => {
    const { store, gate, direct } = setup();
    const session = await store.create();
    const run = await store.startRun(session.id);
    await store.recordRunEvents(run.id, [{ type: 'a' }, { type: 'b' }]);
    gate.down = true;
    await store.recordRunEvents(run.id, [{ type: 'c' }]);
    expect((await store.runEvents(run.id, { afterSeq: 2 })).map((event) => event.type)).toEqual(['c']);
    await expect(store.runEvents(run.id)).rejects.toSatisfy(StoreUnavailableError.isInstance);
    await store.finishRun(run.id, { status: 'completed', usage: { inputTokens: 2, outputTokens: 1 } });
    gate.down = false;
    await store.recover();
    expect((await direct.runEvents(run.id)).map((event) => event.type)).toEqual(['a', 'b', 'c']);
    expect(await direct.getRun(run.id)).toMatchObject({ status: 'completed' });
    expect((await direct.get(session.id))?.usage).toMatchObject({ inputTokens: 2, outputTokens: 1 });
  });
});

describe('a journal written degraded', () => {
  it('replays deletions, pruning and collection too, after a restart, into the primary that comes back', async () => {
    const directory = journalDirectory();
    const workspace = journalDirectory();
    const clock = new ManualClock(Date.UTC(2001, 0, 1));
    const first = setup({ directory, clock: clock.now });
    first.gate.down = true;
    const { store } = first;
    // A session that stays: a rewound tail, a run with events.
    const kept = await store.create({ userId: 'keeper' });
    const [one] = await store.append(kept.id, [{ role: 'user', content: 'one' }, { role: 'assistant', content: 'two' }]);
    await store.rewind(kept.id, { toMessage: one!.id });
    const run = await store.startRun(kept.id);
    await store.append(kept.id, { role: 'assistant', content: 'two again' }, { runId: run.id });
    await store.recordRunEvents(run.id, [{ type: 'step', data: { n: 1 } }]);
    await store.finishRun(run.id, { status: 'completed', usage: { inputTokens: 1, outputTokens: 1 } });
    // A session deleted while a fork of it lives on: only its messages past the fork point go.
    const doomed = await store.create();
    const [shared, tail] = await store.append(doomed.id, [{ role: 'user', content: 'shared' }, { role: 'user', content: 'only in doomed' }]);
    const fork = await store.fork(doomed.id, { fromMessage: shared!.id });
    await store.append(fork.id, { role: 'user', content: 'in the fork' });
    // A session pruned with its checkpoint, whose content only it used.
    const content = `only the pruned session had this ${Math.random()}`;
    writeFileSync(join(workspace, 'notes.txt'), content);
    const old = await store.create();
    const [oldMessage] = await store.append(old.id, { role: 'user', content: 'old' });
    await store.checkpoint(old.id, { workspace });
    clock.advance(60_000);
    const cutoff = clock.now();
    clock.advance(1);
    for (const id of [kept.id, fork.id]) await store.touch(id);

    expect(await store.delete(doomed.id)).toBe(true);
    expect(await store.prune({ olderThan: cutoff })).toEqual({ sessions: 1, messages: 1, blobs: 1 });
    expect(await store.get(doomed.id)).toBeUndefined();
    expect(await store.get(old.id)).toBeUndefined();
    expect(texts(await store.getMessages(fork.id))).toEqual(['shared', 'in the fork']);
    const expected = { kept: await everything(store, kept.id), fork: await everything(store, fork.id) };
    await store.close();

    // The restarted process rebuilds the same view from the journal, deletions included.
    const { driver, gate } = gatedDriver(first.backend);
    const restarted = SessionStore.fallback(SessionStore.fromDriver(driver), { fallback: { directory }, probeIntervalMs: 60_000, clock: clock.now });
    stores.push(restarted);
    expect(restarted.isDegraded()).toBe(true);
    expect(await everything(restarted, kept.id)).toEqual(expected.kept);
    expect(await everything(restarted, fork.id)).toEqual(expected.fork);
    expect(await restarted.get(doomed.id)).toBeUndefined();
    expect(await restarted.get(old.id)).toBeUndefined();

    gate.down = false;
    expect((await restarted.recover())?.conflicts).toEqual([]);
    const direct = SessionStore.fromDriver(first.backend, { ownsDriver: false, clock: clock.now });
    expect(await everything(direct, kept.id)).toEqual(expected.kept);
    expect(await everything(direct, fork.id)).toEqual(expected.fork);
    expect(await direct.get(doomed.id)).toBeUndefined();
    expect(await direct.get(old.id)).toBeUndefined();
    // On the primary too, the deletions took exactly what they took during the outage.
    expect(await first.backend.locateMessage(shared!.id)).toBeDefined();
    expect(await first.backend.locateMessage(tail!.id)).toBeUndefined();
    expect(await first.backend.locateMessage(oldMessage!.id)).toBeUndefined();
    expect(await first.backend.getCheckpoint(oldMessage!.id)).toBeUndefined();
    const hash = createHash('sha256').update(content).digest('hex');
    expect(await first.backend.missingBlobs([hash])).toEqual([hash]);
  });

  it('still reads and replays entries in the formats earlier versions wrote', async () => {
    const directory = journalDirectory();
    const first = setup({ directory });
    first.gate.down = true;
    const session = await first.store.create();
    await first.store.append(session.id, { role: 'user', content: 'one' });
    await first.store.append(session.id, { role: 'user', content: 'two' });
    const location = first.store.status()!.journalLocation;
    await first.store.close();
    // The first entry as the earliest journals kept it: plain JSON, no codec prefix.
    const raw = new Database(location);
    const row = raw.prepare('SELECT seq, payload FROM entries ORDER BY seq LIMIT 1').get() as { seq: number; payload: string };
    raw.prepare('UPDATE entries SET payload = ? WHERE seq = ?').run(JSON.stringify(decodePayload(row.payload)), row.seq);
    raw.close();

    const { driver, gate } = gatedDriver(first.backend);
    const restarted = SessionStore.fallback(SessionStore.fromDriver(driver), { fallback: { directory }, probeIntervalMs: 60_000 });
    stores.push(restarted);
    expect(texts(await restarted.getMessages(session.id))).toEqual(['one', 'two']);
    gate.down = false;
    expect(await restarted.recover()).toMatchObject({ entries: 3, conflicts: [] });
    expect(texts(await first.direct.getMessages(session.id))).toEqual(['one', 'two']);
  });
});

describe('after a replay', () => {
  it('keeps the replay markers on the primary but out of exports: they are the fallback\'s bookkeeping, not the caller\'s operations', async () => {
    const { store, gate, direct, backend } = setup();
    const session = await store.create();
    gate.down = true;
    await store.append(session.id, { role: 'user', content: 'mine' }, { operationId: 'op-mine' });
    await store.append(session.id, { role: 'user', content: 'more' });
    gate.down = false;
    await store.recover();
    const onPrimary = (await backend.listOperations!(session.id)).map((operation) => operation.operationId);
    expect(onPrimary).toContain('op-mine');
    expect(onPrimary.filter((id) => id.startsWith('replay.'))).toHaveLength(2); // one per replayed append
    const exported: Array<{ kind: string; data: { operationId?: string } }> = [];
    for await (const line of direct.export([session.id])) exported.push(JSON.parse(line));
    expect(exported.filter((line) => line.kind === 'operation').map((line) => line.data.operationId)).toEqual(['op-mine']);
    // And the export still imports whole into another store, the caller's retry guard with it.
    const other = SessionStore.memory();
    stores.push(other);
    await other.import(() => exported.map((line) => JSON.stringify(line)));
    expect(texts(await other.getMessages(session.id))).toEqual(['mine', 'more']);
    expect(await other.append(session.id, { role: 'user', content: 'mine' }, { operationId: 'op-mine' })).toHaveLength(1);
    expect(texts(await other.getMessages(session.id))).toEqual(['mine', 'more']);
    // An export an earlier version made, markers included, leaves them behind on import too.
    const earlierDriver = new MemoryDriver();
    const earlier = SessionStore.fromDriver(earlierDriver);
    stores.push(earlier);
    const userOperation = exported.find((line) => line.kind === 'operation')!.data;
    const withMarkers: string[] = [];
    for (const line of exported) {
      if (line.kind === 'session') {
        for (const id of onPrimary.filter((candidate) => candidate.startsWith('replay.'))) withMarkers.push(encodeLine('operation', { ...userOperation, operationId: id, messageIds: [] }));
      }
      if (line.kind === 'end') withMarkers.push(encodeLine('end', { records: withMarkers.length })); // every line before it, the header included
      else withMarkers.push(JSON.stringify(line));
    }
    await earlier.import(() => withMarkers);
    expect(texts(await earlier.getMessages(session.id))).toEqual(['mine', 'more']);
    expect((await earlierDriver.listOperations(session.id)).map((operation) => operation.operationId)).toEqual(['op-mine']);
  });
});

/** Brings the primary back and recovers; with `interruptAfterCommits`, a first replay fails after that many commits and a second finishes it. */
async function recoverInterrupted(store: SessionStore, gate: ReturnType<typeof gatedDriver>['gate'], interruptAfterCommits: number) {
  gate.down = false;
  let interrupted = false;
  if (interruptAfterCommits < Infinity) {
    gate.commitsBeforeFailure = interruptAfterCommits;
    interrupted = await store.recover().then(() => false, () => true);
    gate.commitsBeforeFailure = Infinity;
    gate.down = false;
  }
  return { report: (await store.recover())!, interrupted };
}

describe('a replay interrupted after a conflict', () => {
  /** A session created during the outage whose id (chosen by the caller) another writer also created on the primary meanwhile. */
  async function createdOnBothSides(interruptAfterCommits: number) {
    const { store, gate, direct, backend } = setup();
    gate.down = true;
    const chosen = await store.create({ id: 'chosen-id' });
    const [one] = await store.append(chosen.id, { role: 'user', content: 'one' });
    const child = await store.fork(chosen.id, { fromMessage: one!.id });
    await store.append(chosen.id, { role: 'user', content: 'two' });
    await store.append(child.id, { role: 'user', content: 'child two' });
    await direct.create({ id: 'chosen-id' });
    await direct.append('chosen-id', { role: 'user', content: 'theirs' });
    const { report, interrupted } = await recoverInterrupted(store, gate, interruptAfterCommits);
    return { report, interrupted, childId: child.id, firstId: one!.id, direct, backend };
  }

  async function primaryView(result: Awaited<ReturnType<typeof createdOnBothSides>>) {
    const forkId = result.report.conflicts[0]?.forkId ?? 'none';
    // The fork's id derives from the journal's, which differs between runs: named by its role here.
    const named = (id: string | undefined) => (id === forkId ? 'the fork' : id === result.firstId ? 'one' : id);
    const view = async (id: string) => {
      const record = await result.direct.get(id);
      const forkedFrom = record?.forkedFrom && { sessionId: named(record.forkedFrom.sessionId), messageId: named(record.forkedFrom.messageId) };
      return { exists: record !== undefined, parentId: named(record?.parentId), forkedFrom, messages: texts(await result.direct.getMessages(id)) };
    };
    return { chosen: await view('chosen-id'), fork: await view(forkId), child: await view(result.childId) };
  }

  it('resumes the fork of a session created during the outage and converges to what an uninterrupted replay gives', async () => {
    const whole = await createdOnBothSides(Infinity);
    const expected = await primaryView(whole);
    expect(expected.chosen.messages).toEqual(['theirs']);
    expect(expected.fork.messages).toEqual(['one', 'two']);
    expect(expected.child).toEqual({ exists: true, parentId: 'the fork', forkedFrom: { sessionId: 'the fork', messageId: 'one' }, messages: ['one', 'child two'] });
    // Interrupted after the creation landed as the fork (the first commit conflicts, the second lands it) and once more later.
    for (const commits of [2, 3, 4]) {
      const resumed = await createdOnBothSides(commits);
      expect(resumed.interrupted, `interrupted after ${commits} commits`).toBe(true);
      expect(resumed.report.conflicts, 'the resumed replay reports the fork too').toEqual([{ sessionId: 'chosen-id', forkId: expect.any(String) }]);
      const view = await primaryView(resumed);
      expect(view, `interrupted after ${commits} commits`).toEqual(expected);
    }
  });
});

const primaries: Array<[string, () => StorageDriver]> = [
  ['memory', () => new MemoryDriver()],
  ['SQLite', () => new SqliteDriver({ path: join(journalDirectory(), 'primary.db') })],
];

describe.each(primaries)('a degraded message whose caller-chosen id the %s primary took meanwhile', (_name, openPrimary) => {
  async function duplicatedId(interruptAfterCommits: number) {
    const { store, gate, direct, backend } = setup({ backend: openPrimary() });
    const workspace = journalDirectory();
    writeFileSync(join(workspace, 'plan.md'), 'draft');
    const session = await store.create();
    await store.append(session.id, { role: 'user', content: 'shared' });
    gate.down = true;
    await store.append(session.id, { id: 'msg-chosen', role: 'user', content: 'mine' }, { operationId: 'op-mine' });
    await store.checkpoint(session.id, { workspace });
    const child = await store.fork(session.id, { fromMessage: 'msg-chosen' });
    await store.append(session.id, { role: 'assistant', content: 'after' });
    // Another writer, which still reaches the primary, used the same message id in a session of its own.
    const theirs = await direct.create();
    await direct.append(theirs.id, { id: 'msg-chosen', role: 'user', content: 'theirs' });
    const { report, interrupted } = await recoverInterrupted(store, gate, interruptAfterCommits);
    return { report, interrupted, sessionId: session.id, childId: child.id, theirsId: theirs.id, direct, backend, store };
  }

  it('keeps it under a new id derived from the journal, every reference following, reports the rename, and the replay drains', async () => {
    const { report, sessionId, childId, theirsId, direct, backend, store } = await duplicatedId(Infinity);
    expect(report.conflicts).toEqual([]);
    expect(report.renamed).toEqual([{ sessionId, messageId: 'msg-chosen', renamedTo: expect.any(String) }]);
    const renamedTo = report.renamed[0]!.renamedTo;
    expect(renamedTo).not.toBe('msg-chosen');
    expect(store.status()).toMatchObject({ degraded: false, journalLength: 0 });
    // Both sides kept.
    expect((await direct.getMessages(theirsId)).map((message) => [message.id, message.content])).toEqual([['msg-chosen', 'theirs']]);
    const mine = await direct.getMessages(sessionId);
    expect(texts(mine)).toEqual(['shared', 'mine', 'after']);
    expect(mine[1]?.id).toBe(renamedTo);
    // Every reference follows: the fork point, the checkpoint, the retry guard.
    expect((await direct.get(childId))?.forkedFrom).toEqual({ sessionId, messageId: renamedTo });
    expect(texts(await direct.getMessages(childId))).toEqual(['shared', 'mine']);
    expect((await direct.checkpoints(sessionId)).map((checkpoint) => checkpoint.messageId)).toEqual([renamedTo]);
    expect((await backend.getOperation(sessionId, 'op-mine'))?.messageIds).toEqual([renamedTo]);
    // A retry of the degraded append, now against the primary, appends nothing twice and answers the new id.
    expect((await store.append(sessionId, { id: 'msg-chosen', role: 'user', content: 'mine' }, { operationId: 'op-mine' })).map((message) => message.id)).toEqual([renamedTo]);
    expect(texts(await direct.getMessages(sessionId))).toEqual(['shared', 'mine', 'after']);
  });

  it('picks the same new id when the replay is interrupted after the rename and resumed', async () => {
    const whole = await duplicatedId(Infinity);
    // The seed is not committed: the append (renamed on its second try) is commits 1-2, the checkpoint 3, the fork 4.
    for (const commits of [2, 3]) {
      const resumed = await duplicatedId(commits);
      expect(resumed.interrupted, `interrupted after ${commits} commits`).toBe(true);
      expect(resumed.report.renamed).toEqual([{ sessionId: resumed.sessionId, messageId: 'msg-chosen', renamedTo: expect.any(String) }]);
      const renamedTo = resumed.report.renamed[0]!.renamedTo;
      expect((await resumed.direct.getMessages(resumed.sessionId)).map((message) => message.id)).toContain(renamedTo);
      expect((await resumed.direct.get(resumed.childId))?.forkedFrom).toEqual({ sessionId: resumed.sessionId, messageId: renamedTo });
      expect((await resumed.direct.checkpoints(resumed.sessionId)).map((checkpoint) => checkpoint.messageId)).toEqual([renamedTo]);
      expect(texts(await resumed.direct.getMessages(resumed.sessionId))).toEqual(texts(await whole.direct.getMessages(whole.sessionId)));
      expect(texts(await resumed.direct.getMessages(resumed.childId))).toEqual(['shared', 'mine']);
    }
  });
});

describe('a conflict found after part of a session\'s degraded writes landed', () => {
  it.each([
    ['created during the outage', false],
    ['seen before the outage', true],
  ])('on a session %s, forks where the replay left it, leaving what landed in place and nothing in the other writer\'s history', async (_kind, before) => {
    const { store, gate, direct } = setup();
    const session = before ? await store.create() : undefined;
    if (session) await store.append(session.id, { role: 'user', content: 'shared' });
    gate.down = true;
    const target = session ?? (await store.create());
    const [one] = await store.append(target.id, { role: 'user', content: 'one' });
    await store.append(target.id, { role: 'user', content: 'two' });
    gate.down = false;
    gate.commitsBeforeFailure = before ? 1 : 2; // the replay stops after 'one' landed
    await expect(store.recover()).rejects.toSatisfy(StoreUnavailableError.isInstance);
    gate.commitsBeforeFailure = Infinity;
    gate.down = false;
    // Another writer continues the session from what landed.
    await direct.append(target.id, { role: 'user', content: 'theirs' });
    const report = (await store.recover())!;
    expect(report.conflicts).toEqual([{ sessionId: target.id, forkId: expect.any(String) }]);
    const forkId = report.conflicts[0]!.forkId;
    const shared = before ? ['shared'] : [];
    expect(texts(await direct.getMessages(target.id))).toEqual([...shared, 'one', 'theirs']);
    expect(texts(await direct.getMessages(forkId))).toEqual([...shared, 'one', 'two']);
    expect(await direct.get(forkId)).toMatchObject({ parentId: target.id, forkedFrom: { sessionId: target.id, messageId: one!.id }, messageCount: shared.length + 2 });
  });
});
