/**
 * listSessions with hostile strings: query languages (SQL, JSON paths, LIKE patterns, Lua, glob)
 * must treat every metadata key, value, tag and surface as plain data that matches only itself, and
 * a title prefix as text that only a title starting with it matches.
 */
import { describe, expect, it } from 'vitest';
import type { SessionQuery } from '../../driver/driver.js';
import type { DriverSuiteContext } from './context.js';
import { createSession, uniqueId } from './records.js';

const HOSTILE = [
  `x') OR 1=1 --`,
  `x'); DROP TABLE sessionloom_sessions; --`,
  `' OR '1'='1`,
  `") OR true --`,
  '$1',
  '$2::jsonb',
  '"',
  '\\',
  '\\"',
  "'",
  '{}',
  '{"a":1}',
  '[]',
  '[0]',
  'a.b',
  '$.a',
  '$',
  'a->b',
  'a"b',
  '%',
  '_',
  '*',
  '',
  'ключ 🔑 键',
  `"); redis.call('FLUSHALL') --`,
  ']] .. redis.call("FLUSHDB") .. [[',
  '\r\nFLUSHALL\r\n',
  '%s%d\\0',
  'KEYS *',
];

export function registerHostileListTests(context: DriverSuiteContext): void {
  describe('listSessions: hostile strings', () => {
    it('matches each hostile key, value, tag and surface only with itself, and breaks nothing', async () => {
      const driver = context.driver();
      const marker = uniqueId('hostile');
      const owner = `${marker}:owner`;
      const sessions: Record<'key' | 'value' | 'tag' | 'title', string[]> = { key: [], value: [], tag: [], title: [] };
      for (const text of HOSTILE) {
        sessions.key.push((await createSession(driver, { userId: owner, metadata: { [text]: 'v' } })).session.id);
        sessions.value.push((await createSession(driver, { userId: owner, metadata: { k: text } })).session.id);
        sessions.tag.push((await createSession(driver, { userId: owner, tags: [text], attachedSurfaces: [text] })).session.id);
        sessions.title.push((await createSession(driver, { userId: owner, title: `${text}!` })).session.id);
      }
      await createSession(driver, { userId: owner, metadata: { a: { b: 'v' } } });
      const { session: plain } = await createSession(driver, { userId: owner, metadata: { a: 'v' } });
      const ids = async (query: Partial<SessionQuery>): Promise<string[]> =>
        (await driver.listSessions({ orderBy: 'createdAt', order: 'asc', limit: 1_000, userId: owner, ...query })).map((session) => session.id).sort();

      for (const [index, text] of HOSTILE.entries()) {
        const label = JSON.stringify(text);
        expect(await ids({ filter: { [text]: 'v' } }), label).toEqual([sessions.key[index]]);
        expect(await ids({ filter: { k: text } }), label).toEqual([sessions.value[index]]);
        expect(await ids({ tags: [text] }), label).toEqual([sessions.tag[index]]);
        expect(await ids({ surfaceId: text }), label).toEqual([sessions.tag[index]]);
        expect(await ids({ filter: { [text]: text } }), label).toEqual([]);
        expect(await ids({ userId: text }), label).toEqual([]);
        expect(await ids({ parentId: text }), label).toEqual([]);
        // Several hostile texts start others ('$' and '$1', "'" and "' OR '1'='1"): every title starting with it.
        const titled = HOSTILE.flatMap((other, at) => (`${other}!`.startsWith(text) ? [sessions.title[at]!] : [])).sort();
        expect(await ids({ titlePrefix: text }), label).toEqual(titled);
      }
      // `a.b`, `a->b` and `$.a` are keys, never paths into the nested `a`.
      expect(await ids({ filter: { a: 'v' } })).toEqual([plain.id]);
      expect(await ids({ filter: { 'a.b': 'v' } })).toEqual([sessions.key[HOSTILE.indexOf('a.b')]]);
      expect(await ids({})).toHaveLength(HOSTILE.length * 4 + 2);
    });
  });
}
