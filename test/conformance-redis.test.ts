/**
 * The conformance suite on Redis: every store object opens its own connection to the Redis server
 * the global setup started, under a key prefix no other test file uses; the keys are removed at the
 * end (the server may be one you run, via SESSIONLOOM_TEST_REDIS_URL).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, inject } from 'vitest';
import { RedisDriver } from '../src/drivers/redis/driver.js';
import { SessionStore } from '../src/index.js';
import { runConformanceSuite } from '../src/testing/index.js';

const url = inject('redisUrl');
const keyPrefix = `conformance-${randomUUID()}:`;

/** Deletes the suite's keys (SCAN is fine for cleaning up a test; the driver never scans). */
async function deleteKeys(redisUrl: string): Promise<void> {
  const client = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

if (url === undefined) {
  describe.skip('sessionloom conformance: redis (SKIPPED: no redis-server; install it with apt-get install -y redis-server, or set SESSIONLOOM_TEST_REDIS_URL)', () => {});
} else {
  runConformanceSuite({
    name: 'redis',
    createStore: async (options) => SessionStore.fromDriver(await RedisDriver.connect({ url, keyPrefix }), options),
    teardown: () => deleteKeys(url),
  });
}
