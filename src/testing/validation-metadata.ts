/** Metadata and tags must be plain JSON without prototype-reaching keys; a refused write changes nothing. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../index.js';
import type { Metadata } from '../index.js';
import type { SuiteContext } from './context.js';
import { expectUnchanged, sessionWithMessages, snapshot, uniqueId, userMessage } from './helpers.js';

/** Metadata where `key` is a real own key (an object literal `{ __proto__: ... }` would set the prototype instead). */
function metadataWithKey(key: string): Metadata {
  const metadata: Record<string, unknown> = { harmless: 1 };
  Object.defineProperty(metadata, key, { value: { polluted: true }, enumerable: true, writable: true, configurable: true });
  return metadata as Metadata;
}

const BAD_METADATA: Array<[string, () => unknown]> = [
  ['a __proto__ key (from JSON.parse)', () => JSON.parse('{"__proto__": {"polluted": true}}')],
  ['a __proto__ key (defined as a property)', () => metadataWithKey('__proto__')],
  ['a constructor key', () => metadataWithKey('constructor')],
  ['a prototype key', () => metadataWithKey('prototype')],
  ['a nested __proto__ key', () => ({ settings: JSON.parse('{"theme": "dark", "__proto__": {"polluted": true}}') })],
  ['a function value', () => ({ callback: () => 1 })],
  ['a Date value', () => ({ when: new Date(0) })],
  ['an undefined value', () => ({ missing: undefined })],
  ['a NaN value', () => ({ score: Number.NaN })],
  ['an array instead of an object', () => ['a', 'b']],
  ['a string instead of an object', () => 'metadata'],
];

export function registerMetadataValidationTests(context: SuiteContext): void {
  describe('metadata validation', () => {
    for (const [description, build] of BAD_METADATA) {
      it(`refuses metadata with ${description} in create, update, updateMetadata, fork and append`, async () => {
        const store = await context.open();
        const { session } = await sessionWithMessages(store, 1, { metadata: { kept: true } });
        const before = await snapshot(store, session.id);
        const metadata = build() as Metadata;
        const createdId = uniqueId('session');
        await expect(store.create({ id: createdId, metadata })).rejects.toSatisfy(InvalidArgumentError.isInstance);
        expect(await store.get(createdId)).toBeUndefined();
        await expect(store.update(session.id, { metadata })).rejects.toSatisfy(InvalidArgumentError.isInstance);
        await expect(store.updateMetadata(session.id, metadata)).rejects.toSatisfy(InvalidArgumentError.isInstance);
        const forkId = uniqueId('fork');
        await expect(store.fork(session.id, { id: forkId, metadata })).rejects.toSatisfy(InvalidArgumentError.isInstance);
        expect(await store.get(forkId)).toBeUndefined();
        await expect(store.append(session.id, { ...userMessage('x'), metadata })).rejects.toSatisfy(InvalidArgumentError.isInstance);
        await expectUnchanged(store, session.id, before);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      });
    }

    it('refuses tags that are not a list of non-empty strings and changes nothing', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 1, { tags: [uniqueId('tag')] });
      const before = await snapshot(store, session.id);
      for (const tags of [[1], [''], 'tag', [null], [{ name: 'tag' }]]) {
        const id = uniqueId('session');
        await expect(store.create({ id, tags } as never)).rejects.toSatisfy(InvalidArgumentError.isInstance);
        expect(await store.get(id)).toBeUndefined();
        await expect(store.update(session.id, { tags } as never)).rejects.toSatisfy(InvalidArgumentError.isInstance);
      }
      await expectUnchanged(store, session.id, before);
    });

    it('refuses a list filter on a key that is not a scalar', async () => {
      const store = await context.open();
      await expect(store.list({ filter: { nested: { a: 1 } } } as never)).rejects.toSatisfy(InvalidArgumentError.isInstance);
    });
  });
}
