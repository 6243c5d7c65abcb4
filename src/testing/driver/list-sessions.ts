/**
 * listSessions: every query field, each order and direction, keyset positions (strictly after
 * `(value, id)`, ids breaking ties in the same direction) and limits, checked page by page against
 * query-match.ts; and lists that follow a session whose listed fields change.
 */
import { describe, expect, it } from 'vitest';
import type { SessionQuery, SessionRecord } from '../../driver/driver.js';
import type { DriverSuiteContext } from './context.js';
import { createSession, uniqueId } from './records.js';
import { DIRECTIONS, ORDERS, positionOf, writePopulation, type Population } from './session-population.js';

const FILTERS = (marker: string): Array<Partial<SessionQuery>> => [
  {},
  { userId: `${marker}:user-1` },
  { userId: `${marker}:user-9` },
  { agentId: `${marker}:agent-0` },
  { agentId: `${marker}:agent-0`, workspaceId: `${marker}:workspace` },
  { workspaceId: `${marker}:workspace` },
  { parentId: `${marker}:root` },
  { states: ['active', 'suspended'] },
  { states: ['expired'] },
  { states: [] },
  { tags: ['even', 'mod3-1'] },
  { tags: ['mod3-2'], states: ['suspended', 'expired'] },
  { tags: ['absent'] },
  { userId: `${marker}:user-0`, tags: [] },
  { filter: { tier: 'pro', rank: 2 } },
  { filter: { rank: '0' } },
  { filter: { rank: 0 } },
  { filter: { flag: true } },
  { filter: { flag: false, tier: 'free' } },
  { filter: { optional: null } },
  { filter: { list: 0 } },
  { filter: { nested: 1 } },
  { filter: {} },
  { surfaceId: 'slack' },
  { surfaceId: 'sla' },
  { suspendAtBefore: 4_010 },
  { expiresAtBefore: 5_004, states: ['suspended'] },
  { updatedBefore: 2_005, userId: `${marker}:user-0` },
  { updatedBefore: 2_000.5 },
  { userId: `${marker}:user-0`, tags: ['even'], filter: { tier: 'pro' }, states: ['active'], surfaceId: 'web' },
  { titlePrefix: 'Trip' },
  { titlePrefix: 'Trip ' },
  { titlePrefix: 'Trip to Lisbon' },
  { titlePrefix: 'trip', states: ['active'] },
  { titlePrefix: '100%' },
  { titlePrefix: '100_' },
  { titlePrefix: '%' },
  { titlePrefix: "O'" },
  { titlePrefix: 'Ü' },
  { titlePrefix: '\u{10FFFF}' },
  { titlePrefix: 'Trip to', userId: `${marker}:user-1` },
  { hasLiveRuns: true },
  { hasLiveRuns: false },
  { hasLiveRuns: true, userId: `${marker}:user-1` },
  { hasLiveRuns: true, states: ['active', 'expired'], updatedBefore: 2_008 },
  { hasLiveRuns: false, parentId: `${marker}:root` },
];

/** Every page of the query, each checked against the reference, walked with positions taken from each page's last row. */
async function walk(driver: { listSessions(query: SessionQuery): Promise<SessionRecord[]> }, population: Population, query: SessionQuery): Promise<string[]> {
  const ids: string[] = [];
  let after: SessionQuery['after'];
  for (let page = 0; page < 100; page++) {
    const paged: SessionQuery = after === undefined ? query : { ...query, after };
    const sessions = await driver.listSessions(paged);
    expect(sessions.map((session) => session.id), JSON.stringify(paged)).toEqual(population.expected(paged));
    ids.push(...sessions.map((session) => session.id));
    const last = sessions.at(-1);
    if (sessions.length < query.limit || last === undefined) return ids;
    after = positionOf(last, query.orderBy);
  }
  throw new Error('pagination did not end');
}

export function registerListSessionTests(context: DriverSuiteContext): void {
  describe('listSessions', () => {
    it('agrees with query-match.ts for every query field, order and direction, page by page', async () => {
      const driver = context.driver();
      const population = await writePopulation(driver, 40);
      for (const filter of FILTERS(population.marker)) {
        for (const orderBy of ORDERS) {
          for (const order of DIRECTIONS) {
            const query = population.narrow({ ...filter, orderBy, order, limit: 7 });
            const everything = population.expected({ ...query, limit: Number.MAX_SAFE_INTEGER });
            expect(await walk(driver, population, query), JSON.stringify(query)).toEqual(everything);
          }
        }
      }
    });

    it('treats keyset positions as strictly after (value, id), for positions on, between and beyond rows', async () => {
      const driver = context.driver();
      const population = await writePopulation(driver, 24);
      for (const orderBy of ORDERS) {
        for (const order of DIRECTIONS) {
          const query = population.narrow({ orderBy, order, limit: 100 });
          const pivot = population.records.find((record) => record.id === population.expected(query)[10]);
          if (pivot === undefined) throw new Error('no pivot');
          for (const after of [
            positionOf(pivot, orderBy),
            { value: pivot[orderBy], id: `${pivot.id}~` },
            { value: pivot[orderBy], id: '' },
            { value: pivot[orderBy] + 0.5, id: '' },
            { value: -1, id: 'zzz' },
            { value: 1e15, id: '' },
          ]) {
            const rest = await driver.listSessions({ ...query, after });
            expect(rest.map((session) => session.id), JSON.stringify({ orderBy, order, after })).toEqual(population.expected({ ...query, after }));
          }
        }
      }
    });

    it('gives at most `limit` sessions, whole and equal to what was written', async () => {
      const driver = context.driver();
      const population = await writePopulation(driver, 12);
      const byId = new Map(population.records.map((record) => [record.id, record]));
      const all = await driver.listSessions(population.narrow({ orderBy: 'createdAt', order: 'asc', limit: 1_000 }));
      expect(all).toHaveLength(12);
      for (const session of all) expect(session).toStrictEqual(byId.get(session.id));
      for (const limit of [0, 1, 5, 12, 13, Infinity]) {
        const query = population.narrow({ orderBy: 'updatedAt', order: 'desc', limit });
        expect((await driver.listSessions(query)).map((session) => session.id), `limit ${limit}`).toEqual(population.expected(query));
      }
    });

    it('follows a session whose listed fields change: found by the new values, no longer by the old', async () => {
      const driver = context.driver();
      const marker = uniqueId('moving');
      const oldUser = `${marker}:ada`;
      const newUser = `${marker}:grace`;
      const { session } = await createSession(driver, { userId: oldUser, tags: [marker, 'old'], attachedSurfaces: ['web'], metadata: { tier: 'free' } });
      const ids = async (query: Partial<SessionQuery>): Promise<string[]> => {
        const listed = await driver.listSessions({ orderBy: 'createdAt', order: 'asc', limit: 10, ...query, tags: [marker, ...(query.tags ?? [])] });
        return listed.map((record) => record.id);
      };
      const changes: Array<Partial<SessionRecord>> = [
        { userId: newUser },
        { parentId: `${marker}:root`, agentId: `${marker}:agent`, workspaceId: `${marker}:workspace` },
        { createdAt: 500, updatedAt: 600, lastActiveAt: 700, suspendAt: 800, expiresAt: 900 },
        { state: 'suspended' },
        { tags: [marker, 'new'], attachedSurfaces: ['cli'] },
        { metadata: { tier: 'pro' } },
        { title: `${marker} new title` },
        { liveRuns: [{ runId: `${marker}-run` }] },
      ];
      let current = session;
      for (const change of changes) {
        const next = { ...current, ...change, version: current.version + 1 };
        await driver.commit({ sessions: [{ record: next, expectedVersion: current.version }] });
        expect(await driver.getSession(session.id)).toStrictEqual(next);
        current = next;
      }
      expect(await ids({ userId: newUser })).toEqual([session.id]);
      expect(await ids({ userId: oldUser })).toEqual([]);
      expect(await ids({ parentId: `${marker}:root`, agentId: `${marker}:agent`, workspaceId: `${marker}:workspace` })).toEqual([session.id]);
      expect(await ids({ states: ['active'] })).toEqual([]);
      expect(await ids({ states: ['suspended'] })).toEqual([session.id]);
      expect(await ids({ tags: ['old'] })).toEqual([]);
      expect(await ids({ tags: ['new'] })).toEqual([session.id]);
      expect(await ids({ surfaceId: 'web' })).toEqual([]);
      expect(await ids({ titlePrefix: `${marker} new` })).toEqual([session.id]);
      expect(await ids({ titlePrefix: `${marker} old` })).toEqual([]);
      expect(await ids({ surfaceId: 'cli' })).toEqual([session.id]);
      expect(await ids({ filter: { tier: 'free' } })).toEqual([]);
      expect(await ids({ filter: { tier: 'pro' } })).toEqual([session.id]);
      expect(await ids({ suspendAtBefore: 801, expiresAtBefore: 901, updatedBefore: 601 })).toEqual([session.id]);
      expect(await ids({ suspendAtBefore: 800 })).toEqual([]);
      for (const [orderBy, value] of [['createdAt', 500], ['updatedAt', 600], ['lastActiveAt', 700]] as const) {
        expect(await ids({ orderBy, after: { value: value - 1, id: '' } }), orderBy).toEqual([session.id]);
        expect(await ids({ orderBy, after: { value, id: session.id } }), orderBy).toEqual([]);
        expect(await ids({ orderBy, hasLiveRuns: true }), orderBy).toEqual([session.id]);
      }
      expect(await ids({ hasLiveRuns: false })).toEqual([]);
      // The runs end: the list is left out of the record (as the core writes it), and so is the session from the live ones.
      const { liveRuns: _ended, ...idle } = current;
      const ended = { ...idle, version: current.version + 1, updatedAt: 601 };
      await driver.commit({ sessions: [{ record: ended, expectedVersion: current.version }] });
      expect(await driver.getSession(session.id)).toStrictEqual(ended);
      for (const orderBy of ['createdAt', 'updatedAt', 'lastActiveAt'] as const) expect(await ids({ orderBy, hasLiveRuns: true }), orderBy).toEqual([]);
      expect(await ids({ hasLiveRuns: false })).toEqual([session.id]);
    });
  });
}
