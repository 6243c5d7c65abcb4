/**
 * Redis's live index for sessions written before it existed (src/drivers/redis/live-index.ts): the
 * first `hasLiveRuns` listing catches them up once, with their index memberships, so the entries
 * leave with the runs like the ones the commit script wrote.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { SessionQuery } from '../src/driver/driver.js';
import { RedisDriver } from '../src/drivers/redis/driver.js';
import { sessionRecord } from './fixtures/driver-records.js';

const url = inject('redisUrl');
const live: SessionQuery = { hasLiveRuns: true, orderBy: 'updatedAt', order: 'desc', limit: 10 };

describe.skipIf(url === undefined)('Redis live index catch-up', () => {
  const raw = url === undefined ? undefined : new Redis(url);
  afterAll(async () => {
    await raw?.quit();
  });

  it('adds the sessions that listed live runs before the index existed, once, and lets them leave', async () => {
    const keyPrefix = `live-${randomUUID()}:`;
    const before = await RedisDriver.connect({ url: url!, keyPrefix });
    const waiting = sessionRecord({ id: 'waiting', createdAt: 1, updatedAt: 1_733_490_000_000.5, lastActiveAt: 3, liveRuns: [{ runId: 'run-1' }] });
    const idle = sessionRecord({ id: 'idle', createdAt: 2 });
    for (const record of [waiting, idle]) await before.commit({ sessions: [{ record, expectedVersion: 0 }] });
    await before.close();
    // As an earlier version left them: no live index, no marker, memberships without the live keys.
    const liveKeys = ['createdAt', 'updatedAt', 'lastActiveAt'].map((field) => `${keyPrefix}index:live:${field}`);
    const membership = (await raw!.hget(`${keyPrefix}index-memberships`, 'waiting'))!;
    expect(membership.split('\n')).toEqual(expect.arrayContaining(liveKeys));
    await raw!.hset(`${keyPrefix}index-memberships`, 'waiting', membership.split('\n').filter((key) => !liveKeys.includes(key)).join('\n'));
    await raw!.del(...liveKeys, `${keyPrefix}index:live:built`);

    const driver = await RedisDriver.connect({ url: url!, keyPrefix });
    try {
      expect((await driver.listSessions(live)).map((session) => session.id)).toEqual(['waiting']);
      expect(await raw!.zscore(liveKeys[1]!, 'waiting')).toBe('1733490000000.5');
      expect(await raw!.get(`${keyPrefix}index:live:built`)).toBe('1');
      expect((await raw!.hget(`${keyPrefix}index-memberships`, 'waiting'))!.split('\n')).toEqual(expect.arrayContaining(liveKeys));
      for (const field of ['createdAt', 'lastActiveAt'] as const) {
        expect((await driver.listSessions({ ...live, orderBy: field })).map((session) => session.id), field).toEqual(['waiting']);
      }

      const { liveRuns: _ended, ...rest } = waiting;
      await driver.commit({ sessions: [{ record: { ...rest, version: waiting.version + 1 }, expectedVersion: waiting.version }] });
      expect(await driver.listSessions(live)).toEqual([]);
      for (const key of liveKeys) expect(await raw!.zcard(key), key).toBe(0);
    } finally {
      await driver.close();
      const keys = await raw!.keys(`${keyPrefix}*`);
      if (keys.length > 0) await raw!.del(...keys);
    }
  });
});
