/**
 * What the adapter adds over an Agents SDK session: forks and rewinds by item index, the audit
 * trail that pops, rewinds and clears leave, lazy creation and resuming by id.
 */
import type { AgentInputItem } from '@openai/agents-core';
import { describe, expect, it, vi } from 'vitest';
import { CLEARED_FROM_KEY, CLEARED_TAG, SessionloomSession } from '../src/adapters/openai-agents/index.js';
import { InvalidArgumentError } from '../src/errors.js';
import { SessionStore } from '../src/index.js';

function text(content: string): AgentInputItem {
  return { role: 'user', content };
}

function contents(items: AgentInputItem[]): unknown[] {
  return items.map((item) => ('content' in item ? item.content : item.type));
}

async function sessionWith(store: SessionStore, ...texts: string[]): Promise<SessionloomSession> {
  const session = new SessionloomSession({ store, userId: 'user-7', metadata: { app: 'travel' } });
  await session.addItems(texts.map(text));
  return session;
}

describe('fork', () => {
  it('copies the whole history by default, and the two then diverge', async () => {
    const store = SessionStore.memory();
    const source = await sessionWith(store, 'a', 'b', 'c');
    const forked = await source.fork();
    expect(forked.sessionId).not.toBe(source.sessionId);
    await forked.addItems([text('fork only')]);
    await source.addItems([text('source only')]);
    expect(contents(await forked.getItems())).toEqual(['a', 'b', 'c', 'fork only']);
    expect(contents(await source.getItems())).toEqual(['a', 'b', 'c', 'source only']);
    const stored = await store.get(forked.sessionId);
    expect(stored?.parentId).toBe(source.sessionId);
    expect(stored?.userId).toBe('user-7');
  });

  it('keeps history up to and including an item index, negative from the newest', async () => {
    const store = SessionStore.memory();
    const source = await sessionWith(store, 'a', 'b', 'c', 'd');
    expect(contents(await (await source.fork(0)).getItems())).toEqual(['a']);
    expect(contents(await (await source.fork(2)).getItems())).toEqual(['a', 'b', 'c']);
    expect(contents(await (await source.fork(-1)).getItems())).toEqual(['a', 'b', 'c', 'd']);
    expect(contents(await (await source.fork(-3)).getItems())).toEqual(['a', 'b']);
    expect(contents(await source.getItems())).toEqual(['a', 'b', 'c', 'd']);
  });

  it('takes the fork id and metadata it is given', async () => {
    const store = SessionStore.memory();
    const source = await sessionWith(store, 'a');
    const forked = await source.fork(undefined, { sessionId: 'try-b', metadata: { approach: 'b' } });
    expect(forked.sessionId).toBe('try-b');
    expect((await store.get('try-b'))?.metadata).toEqual({ app: 'travel', approach: 'b' });
  });

  it('refuses an index that is not an item, changing nothing', async () => {
    const store = SessionStore.memory();
    const source = await sessionWith(store, 'a', 'b');
    for (const index of [2, -3, 1.5]) {
      await expect(source.fork(index)).rejects.toSatisfy(InvalidArgumentError.isInstance);
    }
    expect((await store.list()).sessions).toHaveLength(1);
  });

  it('of an empty session is a new empty session', async () => {
    const store = SessionStore.memory();
    const source = new SessionloomSession({ store });
    const forked = await source.fork();
    expect(forked.sessionId).not.toBe(source.sessionId);
    expect(await forked.getItems()).toEqual([]);
  });
});

describe('rewind, pop and clear keep an audit trail', () => {
  it('rewind makes an item the newest; the later ones stay readable through branches', async () => {
    const store = SessionStore.memory();
    const session = await sessionWith(store, 'a', 'b', 'c', 'd');
    const removed = (await store.getMessages(session.sessionId)).slice(2).map((message) => message.id);
    expect(await session.rewind(1)).toEqual({ removedItems: 2 });
    expect(contents(await session.getItems())).toEqual(['a', 'b']);
    const { rewoundTails } = await store.branches(session.sessionId);
    expect(rewoundTails.flatMap((tail) => tail.messageIds)).toEqual(removed);
    await expect(session.rewind(5)).rejects.toSatisfy(InvalidArgumentError.isInstance);
  });

  it('popItem leaves the popped item in the audit trail', async () => {
    const store = SessionStore.memory();
    const session = await sessionWith(store, 'a', 'b');
    const newest = (await store.getMessages(session.sessionId)).at(-1)!;
    expect(await session.popItem()).toEqual(text('b'));
    const { rewoundTails } = await store.branches(session.sessionId);
    expect(rewoundTails.flatMap((tail) => tail.messageIds)).toEqual([newest.id]);
  });

  it('clearSession keeps the id and the session attributes, and archives the conversation as an expired fork', async () => {
    const store = SessionStore.memory();
    const session = await sessionWith(store, 'a', 'b');
    await store.update(session.sessionId, { tags: ['vip'] });
    await session.clearSession();
    // Applied at the session's next call (an addItems right after would make clear and add one compaction).
    expect(await session.getItems()).toEqual([]);

    const cleared = await store.get(session.sessionId);
    expect(cleared).toMatchObject({ userId: 'user-7', metadata: { app: 'travel' }, tags: ['vip'], messageCount: 0, state: 'active' });
    const archives = (await store.list({ tags: [CLEARED_TAG] })).sessions;
    expect(archives).toHaveLength(1);
    expect(archives[0]).toMatchObject({ state: 'expired', metadata: { app: 'travel', [CLEARED_FROM_KEY]: session.sessionId } });
    expect(contents(await new SessionloomSession({ store, sessionId: archives[0]!.id }).getItems())).toEqual(['a', 'b']);
  });

  it('clearSession without archiving leaves no copy', async () => {
    const store = SessionStore.memory();
    const session = new SessionloomSession({ store, archiveOnClear: false });
    await session.addItems([text('a')]);
    await session.clearSession();
    // Without a next call, the clear lands by itself once the event loop turns.
    await vi.waitFor(async () => expect((await store.get(session.sessionId))!.messageCount).toBe(0));
    expect((await store.list()).sessions.map((stored) => stored.id)).toEqual([session.sessionId]);
  });
});

describe('creation and resume', () => {
  it('creates the session on the first write, with the owner and metadata given', async () => {
    const store = SessionStore.memory();
    const session = new SessionloomSession({ store, userId: 'user-7', agentId: 'travel-agent', metadata: { app: 'travel' } });
    await session.getItems();
    await session.popItem();
    expect(await store.get(session.sessionId)).toBeUndefined();
    await session.addItems([text('hello')]);
    expect(await store.get(session.sessionId)).toMatchObject({ userId: 'user-7', agentId: 'travel-agent', metadata: { app: 'travel' } });
  });

  it('create() makes the session at once; a chosen id that is new works as well', async () => {
    const store = SessionStore.memory();
    const created = await SessionloomSession.create({ store, sessionId: 'order-42' });
    expect(await store.get('order-42')).toMatchObject({ messageCount: 0 });
    await created.addItems([text('where is my order?')]);
    const resumed = new SessionloomSession({ store, sessionId: 'order-42' });
    expect(await resumed.getSessionId()).toBe('order-42');
    expect(contents(await resumed.getItems())).toEqual(['where is my order?']);
  });

  it('refuses an id sessionloom cannot store before touching anything', () => {
    expect(() => new SessionloomSession({ store: SessionStore.memory(), sessionId: '../etc' })).toThrow(InvalidArgumentError);
  });
});
