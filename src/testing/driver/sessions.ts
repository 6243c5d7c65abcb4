/** Session records: read back exactly as written, optional fields present or absent, awkward strings and numbers included. */
import { describe, expect, it } from 'vitest';
import type { DriverSuiteContext } from './context.js';
import { createSession, uniqueId } from './records.js';

const OPTIONAL_FIELDS = ['userId', 'agentId', 'workspaceId', 'parentId', 'forkedFrom'] as const;

export function registerSessionTests(context: DriverSuiteContext): void {
  describe('sessions', () => {
    it('reads a session back exactly, every optional field present', async () => {
      const driver = context.driver();
      const { session } = await createSession(driver, {
        userId: uniqueId('user'),
        agentId: 'agent-1',
        workspaceId: 'workspace-1',
        parentId: uniqueId('parent'),
        forkedFrom: { sessionId: 'parent-1', messageId: 'message-9' },
        metadata: {
          text: 'x',
          number: 1.5,
          big: 1e300,
          tiny: 5e-324,
          negative: -42,
          flag: false,
          nothing: null,
          nested: { list: [1, 'two', { three: 3 }, null, true] },
          unicode: 'ünï©ødé 🎉 ключ 键',
          zeroWidth: 'a\u200bb',
        },
        tags: ['b', 'a'],
        attachedSurfaces: ['web', 'cli'],
        usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3, cachedInputTokens: 4, reasoningTokens: 5, costUsd: 0.25 },
        messageCount: 7,
        version: 12,
        state: 'suspended',
        createdAt: 1_700_000_000_123,
        updatedAt: 1_700_000_000_456.5,
        lastActiveAt: 1_700_000_000_789,
        ttlMs: 60_000,
        suspendAt: 1_700_000_060_789,
        expiresAt: 1_700_000_120_789,
      });
      expect(await driver.getSession(session.id)).toStrictEqual(session);
    });

    it('reads a session without optional fields back without those keys', async () => {
      const driver = context.driver();
      const { session } = await createSession(driver);
      const read = await driver.getSession(session.id);
      expect(read).toStrictEqual(session);
      for (const key of OPTIONAL_FIELDS) expect(Object.hasOwn(read ?? {}, key), key).toBe(false);
    });

    it('answers undefined for a session that was never written', async () => {
      expect(await context.driver().getSession(uniqueId('missing'))).toBeUndefined();
    });

    it('keeps strings some backends cannot hold as they are (NUL, lone surrogates), and finds them', async () => {
      const driver = context.driver();
      const awkward = ['nul\u0000inside', 'lone \ud800 high', 'lone \udc00 low', 'escape \ue000 char', '\ue0000000'];
      const marker = uniqueId('awkward');
      const { session } = await createSession(driver, {
        userId: marker,
        metadata: Object.fromEntries(awkward.map((text) => [`${text}-key`, text])),
        tags: awkward,
        attachedSurfaces: awkward,
      });
      expect(await driver.getSession(session.id)).toStrictEqual(session);
      const found = async (query: Partial<Parameters<typeof driver.listSessions>[0]>): Promise<string[]> =>
        (await driver.listSessions({ orderBy: 'createdAt', order: 'asc', limit: 10, userId: marker, ...query })).map((record) => record.id);
      for (const text of awkward) {
        expect(await found({ filter: { [`${text}-key`]: text } }), JSON.stringify(text)).toEqual([session.id]);
        expect(await found({ tags: [text] }), JSON.stringify(text)).toEqual([session.id]);
        expect(await found({ surfaceId: text }), JSON.stringify(text)).toEqual([session.id]);
      }
      // An escaped form of a string is not the string.
      expect(await found({ tags: ['nul\ue0000000inside'] })).toEqual([]);
      expect(await found({ tags: ['\u0000'] })).toEqual([]);
      expect(await found({ filter: { 'nul\u0000inside-key': 'nul\ue0000000inside' } })).toEqual([]);
    });
  });
}
