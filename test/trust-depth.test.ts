/**
 * Nesting limits (issue 10, item 4): metadata nests at most 64 levels, a message at most 100, and
 * anything deeper is an `InvalidArgumentError` that changes nothing, however deep (100,000 levels
 * must not overflow the stack). On every store, and the reproduction: SQLite accepted metadata
 * nested 1,000 deep, after which every filtered `list` failed with "malformed JSON" for everyone.
 */
import { describe, expect, it } from 'vitest';
import type { MessageInput, Metadata, SessionStore } from '../src/index.js';
import { everyStore } from './fixtures/every-store.js';
import { refusedAsInvalid } from './fixtures/refusals.js';

// The documented limits (src/common/codec.ts), spelt out so the test reads on its own.
const MAX_METADATA_DEPTH = 64;
const MAX_CONTENT_DEPTH = 100;

/** `{ a: { a: ... { a: leaf } } }` with `levels` objects, built without recursion. */
function nestedObject(levels: number, leaf: unknown = 'leaf'): Metadata {
  let value: unknown = leaf;
  for (let level = 0; level < levels; level += 1) value = { a: value };
  return value as Metadata;
}

/** A user message whose single content part carries `providerOptions` nested so the whole message has `levels` levels. */
function messageNested(levels: number): MessageInput {
  // message (1) > content array (2) > part (3) > providerOptions object (4 ...).
  return { role: 'user', content: [{ type: 'text', text: 'deep', providerOptions: nestedObject(levels - 3) as never }] };
}

describe.each(everyStore('trust_depth'))('nesting limits on $name', ({ open }) => {
  it('refuses metadata nested 1,000 deep, so a filtered list keeps working for every user', async () => {
    const store: SessionStore = open();
    const poisoned = await refusedAsInvalid(store.create({ userId: 'mallory', metadata: nestedObject(1_000) }));
    expect(poisoned.message).toMatch(/nested more than 64 levels/);
    const honest = await store.create({ userId: 'alice', metadata: { team: 'red' } });
    const listed = await store.list({ filter: { team: 'red' } });
    expect(listed.sessions.map((session) => session.id)).toEqual([honest.id]);
    expect((await store.list({ userId: 'mallory' })).sessions).toEqual([]);
    await store.close();
  });

  it('accepts metadata of exactly 64 levels and refuses 65, in create, update, fork and message metadata', async () => {
    const store = open();
    const deepest = nestedObject(MAX_METADATA_DEPTH);
    const session = await store.create({ metadata: deepest });
    expect(session.metadata).toEqual(deepest);
    await refusedAsInvalid(store.create({ metadata: nestedObject(MAX_METADATA_DEPTH + 1) }));
    const before = await store.get(session.id);
    await refusedAsInvalid(store.update(session.id, { metadata: nestedObject(MAX_METADATA_DEPTH + 1) }));
    await refusedAsInvalid(store.update(session.id, { metadata: nestedObject(100_000) }));
    expect(await store.get(session.id)).toEqual(before);
    await refusedAsInvalid(store.fork(session.id, { metadata: nestedObject(100_000) }));
    await refusedAsInvalid(store.append(session.id, { role: 'user', content: 'hi', metadata: nestedObject(MAX_METADATA_DEPTH + 1) }));
    const [kept] = await store.append(session.id, { role: 'user', content: 'hi', metadata: deepest });
    expect(kept!.metadata).toEqual(deepest);
    await store.close();
  });

  it('accepts a message of exactly 100 levels; one nested 101 or 100,000 deep is an InvalidArgumentError that changes nothing', async () => {
    const store = open();
    const session = await store.create();
    const [deepest] = await store.append(session.id, messageNested(MAX_CONTENT_DEPTH));
    expect((await store.getMessages(session.id))[0]).toEqual(deepest);
    const version = (await store.get(session.id))!.version;
    await refusedAsInvalid(store.append(session.id, messageNested(MAX_CONTENT_DEPTH + 1)));
    const error = await refusedAsInvalid(store.append(session.id, messageNested(100_000)));
    expect(error.message).toMatch(/nested more than 100 levels/);
    expect(error.message.length).toBeLessThan(400);
    await refusedAsInvalid(store.create({ messages: [messageNested(100_000)] }));
    expect((await store.get(session.id))!.version).toBe(version);
    expect(await store.getMessages(session.id)).toHaveLength(1);
    // Arrays count as levels too.
    let array: unknown = 'x';
    for (let level = 0; level < 100_000; level += 1) array = [array];
    await refusedAsInvalid(store.append(session.id, { role: 'user', content: [{ type: 'text', text: 'x', providerOptions: { deep: array } as never }] }));
    await store.close();
  });

  it('refuses run metadata and run event data nested 100,000 deep', async () => {
    const store = open();
    const session = await store.create();
    await refusedAsInvalid(store.startRun(session.id, { metadata: nestedObject(100_000) }));
    const run = await store.startRun(session.id);
    await refusedAsInvalid(store.recordRunEvents(run.id, [{ type: 'step', data: nestedObject(100_000) }]));
    await store.close();
  });
});
