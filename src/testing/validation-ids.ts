/** Hostile or malformed ids are refused with InvalidArgumentError before anything is stored. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../index.js';
import type { SuiteContext } from './context.js';
import { expectUnchanged, sessionWithMessages, settle, snapshot, uniqueId, userMessage } from './helpers.js';

const HOSTILE_SESSION_IDS: Array<[string, string]> = [
  ['the empty id', ''],
  ['"."', '.'],
  ['".."', '..'],
  ['a relative path', '../x'],
  ['an absolute path', '/abs'],
  ['an id with a slash', 'a/b'],
  ['an id with a backslash', 'a\\b'],
  ['an id with a NUL byte', 'x\u0000y'],
  ['an id of 201 characters', 'a'.repeat(201)],
  ['an id with a leading dash', '-leading'],
  ['an id with spaces', 'spaces here'],
  ['an id with a Cyrillic lookalike letter', 'ѕession'],
  ['an id with a newline', 'line\nbreak'],
  ['an id with SQL', "x' OR '1'='1"],
  ['an id with a glob', 'session*'],
];

export function registerIdValidationTests(context: SuiteContext): void {
  describe('id validation', () => {
    for (const [description, hostileId] of HOSTILE_SESSION_IDS) {
      it(`refuses ${description} as a session id in create, get, append, fork and delete`, async () => {
        const store = await context.open();
        const userId = uniqueId('user');
        const source = await sessionWithMessages(store, 2, { userId });
        const before = await snapshot(store, source.session.id);
        await expect(store.create({ id: hostileId, userId })).rejects.toSatisfy(InvalidArgumentError.isInstance);
        await expect(store.get(hostileId)).rejects.toSatisfy(InvalidArgumentError.isInstance);
        await expect(store.append(hostileId, userMessage('x'))).rejects.toSatisfy(InvalidArgumentError.isInstance);
        await expect(store.fork(source.session.id, { id: hostileId })).rejects.toSatisfy(InvalidArgumentError.isInstance);
        await expect(store.delete(hostileId)).rejects.toSatisfy(InvalidArgumentError.isInstance);
        expect((await store.list({ userId })).sessions.map((session) => session.id)).toEqual([source.session.id]);
        await expectUnchanged(store, source.session.id, before);
      });
    }

    it('refuses a hostile session id in every method that takes one, as a rejected promise', async () => {
      const store = await context.open();
      const hostileId = '../x';
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['getMessages', () => store.getMessages(hostileId)],
        ['rewind', () => store.rewind(hostileId, { toMessage: uniqueId('msg') })],
        ['branches', () => store.branches(hostileId)],
        ['update', () => store.update(hostileId, { tags: [] })],
        ['updateMetadata', () => store.updateMetadata(hostileId, { a: 1 })],
        ['touch', () => store.touch(hostileId)],
        ['attachSurface', () => store.attachSurface(hostileId, uniqueId('surface'))],
        ['detachSurface', () => store.detachSurface(hostileId, uniqueId('surface'))],
        ['expire', () => store.expire(hostileId)],
        ['appendMessage', () => store.appendMessage(hostileId, userMessage('x'))],
        ['list', () => store.list({ parentId: hostileId })],
      ];
      for (const [method, call] of calls) {
        const outcome = await settle(call);
        expect({ method, outcome }).toEqual({ method, outcome: { rejected: expect.toSatisfy(InvalidArgumentError.isInstance) } });
      }
    });

    it('refuses a session id that is not a string', async () => {
      const store = await context.open();
      for (const id of [42, null, { id: 'x' }, ['x']]) {
        await expect(store.create({ id } as never)).rejects.toSatisfy(InvalidArgumentError.isInstance);
        await expect(store.get(id as never)).rejects.toSatisfy(InvalidArgumentError.isInstance);
      }
    });

    it('refuses a caller-chosen message id that is not a valid id and changes nothing', async () => {
      const store = await context.open();
      const { session } = await sessionWithMessages(store, 1);
      const before = await snapshot(store, session.id);
      for (const id of ['../x', '', 'has space', 'a'.repeat(201)]) {
        await expect(store.append(session.id, { ...userMessage('x'), id })).rejects.toSatisfy(InvalidArgumentError.isInstance);
      }
      await expectUnchanged(store, session.id, before);
    });

    it('refuses a userId that is not a valid id', async () => {
      const store = await context.open();
      const id = uniqueId('session');
      await expect(store.create({ id, userId: '../other-user' })).rejects.toSatisfy(InvalidArgumentError.isInstance);
      expect(await store.get(id)).toBeUndefined();
      await expect(store.list({ userId: '../other-user' })).rejects.toSatisfy(InvalidArgumentError.isInstance);
    });
  });
}
