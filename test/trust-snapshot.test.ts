/**
 * Validate a snapshot (issue 10, item 8): a field whose getter answers differently on its second
 * read must be stored as the answer that was checked. The reproduction: a message whose `role`
 * reads `'user'` when checked and `'admin'` when stored was stored as `'admin'`. Every write that
 * takes caller data is covered: append, create (its metadata and messages) and update.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, type MessageInput, type Metadata } from '../src/index.js';
import { everyStore } from './fixtures/every-store.js';

const readCounts = new WeakMap<object, () => number>();

/** `target` with a getter at `key` that reads `first` the first time and `second` every later time. */
function flipping<Shape extends object>(target: Shape, key: string, first: unknown, second: unknown): Shape {
  let reads = 0;
  Object.defineProperty(target, key, { enumerable: true, get: () => (reads++ === 0 ? first : second) });
  readCounts.set(target, () => reads);
  return target;
}

function deep(levels: number): unknown {
  let value: unknown = 'x';
  for (let level = 0; level < levels; level += 1) value = { a: value };
  return value;
}

describe.each(everyStore('trust_snapshot'))('validating a snapshot on $name', ({ open }) => {
  it("stores a message's role as the answer that was checked ('user'), not a second read ('admin')", async () => {
    const store = open();
    const session = await store.create();
    const message = flipping({ content: 'hello' }, 'role', 'user', 'admin') as unknown as MessageInput;
    const [stored] = await store.append(session.id, message);
    expect(stored!.role).toBe('user');
    expect((await store.getMessages(session.id)).map((entry) => entry.role)).toEqual(['user']);
    expect(readCounts.get(message)!()).toBe(1);
    await store.close();
  });

  it('stores content and metadata as checked, even when a second read would give something the checks refuse', async () => {
    const store = open();
    const session = await store.create();
    const metadata = flipping({}, 'note', 'checked', deep(1_000));
    const message = flipping({ role: 'user', metadata }, 'content', 'checked', [{ type: 'text', text: 'swapped', providerOptions: deep(100_000) }]);
    const [stored] = await store.append(session.id, message as unknown as MessageInput);
    expect(stored).toMatchObject({ role: 'user', content: 'checked', metadata: { note: 'checked' } });
    expect(await store.getMessages(session.id)).toEqual([stored]);
    await store.close();
  });

  it('create keeps the metadata and messages it checked', async () => {
    const store = open();
    const metadata = flipping({ team: 'red' }, 'level', 1, deep(1_000));
    const messages = [flipping({ content: 'first' }, 'role', 'user', 'system') as unknown as MessageInput];
    const init = flipping({ messages }, 'metadata', metadata, { swapped: deep(1_000) });
    const created = await store.create(init);
    expect(created.metadata).toEqual({ team: 'red', level: 1 });
    expect((await store.get(created.id))!.metadata).toEqual({ team: 'red', level: 1 });
    expect((await store.getMessages(created.id)).map((message) => [message.role, message.content])).toEqual([['user', 'first']]);
    await store.close();
  });

  it('update keeps the metadata it checked; a getter that throws on its second read is never reached', async () => {
    const store = open();
    const session = await store.create({ metadata: { kept: true } });
    let reads = 0;
    const patch = {
      get metadata() {
        reads += 1;
        if (reads > 1) throw new Error('read twice');
        return { level: 2, nested: { forbidden: 'no' } };
      },
    };
    const updated = await store.update(session.id, patch);
    expect(updated.metadata).toEqual({ kept: true, level: 2, nested: { forbidden: 'no' } });
    expect(reads).toBe(1);
    // And the refusals still hold on the snapshot.
    const hostile = JSON.parse('{"__proto__": {"polluted": true}}') as Metadata;
    await expect(store.update(session.id, { metadata: hostile })).rejects.toSatisfy((error) => InvalidArgumentError.isInstance(error));
    await store.close();
  });
});
